/* libFuzzer target for the SNTP reply reader (RFC 4330): arbitrary bytes
 * are a datagram from UDP 123. The first 8 bytes of the input are the
 * transmit timestamp we "sent", the rest the reply. It aborts if:
 *  1. a reply is accepted whose originate is not what we sent, whose mode
 *     is not 4, or whose stratum is 0;
 *  2. a refusal is not HV_ERR_INPUT with "SNTP reply offset N", N <= size;
 *  3. the era arithmetic moves a reading more than half an era from the
 *     reference (the offset computed from it then runs under UBSan).
 * Run: tests/fuzz-run build-fuzz/fuzz_sntp */
#include "base/error.h"
#include "sources/probe_time.h"
#include "sources/sntp.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_sntp: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "SNTP reply offset ";
	struct hv_sntp_reply r;
	struct hv_error err;
	uint64_t sent = 0;
	unsigned char *copy;
	int64_t ref = 1796120100LL * HV_NS_PER_SEC, t;

	if (size < 8)
		return 0;
	for (int i = 0; i < 8; i++)
		sent = (sent << 8) | data[i];
	size -= 8;
	copy = malloc(size ? size : 1);
	check(copy != NULL, "out of memory");
	if (size)
		memcpy(copy, data + 8, size);
	memset(&err, 0, sizeof(err));
	if (hv_sntp_parse(copy, size, sent, &r, &err) == 0) {
		check(size >= HV_SNTP_PACKET_LEN, "accepted a short packet");
		check(r.mode == 4 && r.stratum != 0, "accepted a non-answer");
		check(memcmp(copy + 24, data, 8) == 0,
		      "accepted a reply to another request");
		t = hv_ntp_to_unix_ns(r.transmit, ref);
		check(t - ref <= 2147483648LL * HV_NS_PER_SEC &&
			      ref - t <= 2147483648LL * HV_NS_PER_SEC,
		      "era chosen more than half an era away");
		/* the offset probe computes, under UBSan (issue 18) */
		(void)hv_clock_from_ntp(ref, hv_ntp_to_unix_ns(r.receive, ref),
					t, ref + 1000);
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
