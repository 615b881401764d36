/* libFuzzer target for the context facts and conditions
 * (lib/knowledge/context.c): "KEY=VALUE", "KEY!=VALUE", "os>=2016" as the
 * knowledge base and `explain --context` give them. Beyond "no crash, no
 * sanitizer report" it aborts if a parsed condition, formatted again,
 * does not parse to the same condition, or if a fact that was set does
 * not hold as an equality. Run: tests/fuzz-run build-fuzz/fuzz_context */
#include "knowledge/context.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_context: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct hv_ctx_condition cond, again;
	struct hv_context ctx = {0};
	struct hv_error err;
	char buf[128];

	memcpy(text, data, size);
	text[size] = '\0';
	if (hv_ctx_condition_parse(text, &cond, &err) == 0) {
		hv_ctx_condition_format(&cond, buf, sizeof(buf));
		check(hv_ctx_condition_parse(buf, &again, &err) == 0,
		      "a formatted condition does not parse");
		check(again.key == cond.key && again.op == cond.op &&
			      again.value == cond.value,
		      "a condition changed in a round trip");
	}
	if (hv_context_set(&ctx, text, &err) == 0) {
		check(hv_ctx_condition_parse(text, &cond, &err) == 0,
		      "a fact that is not a condition");
		check(hv_ctx_condition_holds(&ctx, &cond),
		      "a fact that does not hold");
	}
	free(text);
	return 0;
}
