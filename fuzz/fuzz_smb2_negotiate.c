/* libFuzzer target for the SMB2 NEGOTIATE response reader: arbitrary
 * bytes are what a host sent back on TCP 445. Beyond "no crash, no
 * sanitizer report" it aborts if:
 *  1. a refusal is not HV_ERR_INPUT with "SMB2 reply offset N", N inside
 *     the input (or at its end);
 *  2. an accepted reply is shorter than the frame its header announces,
 *     or the frame length disagrees with hv_smb2_frame_length();
 *  3. a SystemTime is taken outside 1970-2199, and the offset probe
 *     computes from it runs under UBSan (issue 18: a time before 1678
 *     overflowed).
 * Run: tests/fuzz-run build-fuzz/fuzz_smb2_negotiate */
#include "base/error.h"
#include "sources/probe_time.h"
#include "sources/smb2_negotiate.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_smb2_negotiate: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "SMB2 reply offset ";
	struct hv_smb2_negotiate neg;
	struct hv_error err;
	unsigned char *copy = malloc(size ? size : 1);
	int64_t ns;

	check(copy != NULL, "out of memory");
	if (size)
		memcpy(copy, data, size);
	memset(&err, 0, sizeof(err));
	if (hv_smb2_negotiate_parse(copy, size, &neg, &err) == 0) {
		size_t frame = hv_smb2_frame_length(copy, size);

		/* the fixed part up to ServerStartTime is all a clock needs */
		check(frame >= 4 + 64 + 56 && frame <= size,
		      "accepted a reply shorter than its frame");
		if (hv_filetime_to_unix_ns(neg.system_time, &ns)) {
			check(ns >= 0 && ns / HV_NS_PER_SEC < HV_CLOCK_MAX_SEC,
			      "SystemTime outside 1970-2199");
			/* the local clock as probe reads it: 2026 */
			(void)hv_clock_from_stamp(1796119200LL * HV_NS_PER_SEC,
						  1796119201LL * HV_NS_PER_SEC,
						  ns, 0);
		}
	} else {
		char *end = NULL;
		unsigned long long at;

		check(err.category == HV_ERR_INPUT, "refusal not HV_ERR_INPUT");
		check(strncmp(err.where, prefix, sizeof(prefix) - 1) == 0,
		      "refusal without an offset");
		at = strtoull(err.where + sizeof(prefix) - 1, &end, 10);
		check(*end == '\0' && at <= size, "offset outside the input");
	}
	free(copy);
	return 0;
}
