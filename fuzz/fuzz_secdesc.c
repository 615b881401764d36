/* libFuzzer target for the MS-DTYP reader: arbitrary bytes are the value
 * of msDS-AllowedToActOnBehalfOfOtherIdentity (and of objectSid). Beyond
 * "no crash, no sanitizer report" it checks and aborts if:
 *  1. a SID read from an ACE is not "S-1-<authority>[-<sub>]..." text;
 *  2. a refusal is not HV_ERR_INPUT with "security descriptor offset N",
 *     N inside the input, or leaves output behind;
 *  3. hv_sid_format() claims more bytes than it was given.
 * Run: tests/fuzz-run build-fuzz/fuzz_secdesc */
#include "base/error.h"
#include "base/strbuf.h"
#include "sources/secdesc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_secdesc: %s\n", what);
		abort();
	}
}

static void check_sid_text(const char *s)
{
	check(strncmp(s, "S-1-", 4) == 0, "SID text without S-1-");
	s += 4;
	check(*s >= '0' && *s <= '9', "SID without an authority");
	check(strspn(s, "0123456789-") == strlen(s), "SID text with junk");
	check(s[strlen(s) - 1] != '-', "SID text ends in '-'");
}

static void check_refusal(const struct hv_error *err, size_t size)
{
	static const char prefix[] = "security descriptor offset ";
	const char *n = err->where + sizeof(prefix) - 1;
	char *end = NULL;
	unsigned long long offset;

	check(err->category == HV_ERR_INPUT, "refusal is not HV_ERR_INPUT");
	check(strncmp(err->where, prefix, sizeof(prefix) - 1) == 0,
	      "refusal without an offset");
	offset = strtoull(n, &end, 10);
	check(end != n && *end == '\0', "offset is not a number");
	check(offset <= size, "offset outside the input");
	check(err->message[0] != '\0', "refusal without a message");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	struct hv_error err;
	unsigned char *copy;
	char **sids = NULL;
	size_t n = 0, used;

	/* an exact-size copy: reading past the length is a sanitizer
	 * report */
	copy = malloc(size ? size : 1);
	check(copy != NULL, "out of memory");
	if (size)
		memcpy(copy, data, size);
	memset(&err, 0, sizeof(err));
	if (hv_secdesc_allowed_sids(copy, size, &sids, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			check_sid_text(sids[i]);
			free(sids[i]);
		}
		free(sids);
	} else {
		check(sids == NULL && n == 0, "output left after a refusal");
		check_refusal(&err, size);
	}
	used = hv_sid_format(copy, size, &sb);
	check(used <= size, "SID longer than its input");
	check(used ? sb.len > 0 : sb.len == 0, "SID length and text disagree");
	if (used)
		check_sid_text(sb.buf);
	hv_strbuf_release(&sb);
	free(copy);
	return 0;
}
