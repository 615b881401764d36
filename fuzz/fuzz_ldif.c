/* libFuzzer target for the LDIF reader and writer. Beyond "no crash, no
 * sanitizer report", it checks two properties and aborts if one fails:
 *  1. whatever the reader kept, the writer writes and the reader reads
 *     back to identical entries, without an error;
 *  2. base64 of the raw input decodes back to the input.
 * Run: build-fuzz/fuzz_ldif -max_total_time=60 CORPUS_COPY fuzz/corpus/ldif */
#include "sources/directory.h"
#include "base/base64.h"
#include "base/error.h"
#include "base/strbuf.h"
#include "sources/ldif.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ldif: %s\n", what);
		abort();
	}
}

static void same_entry(const struct hv_entry *a, const struct hv_entry *b)
{
	check(strcmp(a->dn, b->dn) == 0, "dn changed");
	check(a->n_attrs == b->n_attrs, "attribute count changed");
	for (size_t i = 0; i < a->n_attrs; i++) {
		const struct hv_attr *x = &a->attrs[i], *y = &b->attrs[i];

		check(strcmp(x->name, y->name) == 0, "name changed");
		check(x->n_values == y->n_values, "value count changed");
		for (size_t v = 0; v < x->n_values; v++)
			check(x->values[v].len == y->values[v].len &&
				      memcmp(x->values[v].data,
					     y->values[v].data,
					     x->values[v].len + 1) == 0,
			      "value changed");
	}
}

static void round_trip(const struct hv_directory *dir)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_directory again = {0};
	struct hv_error err;
	int rc;

	for (size_t i = 0; i < dir->n_entries; i++)
		hv_ldif_put_entry(&out, &dir->entries[i]);
	rc = hv_ldif_read_buffer("rt", hv_strbuf_str(&out), out.len, &again,
				 &err);
	if (rc)
		fprintf(stderr, "%s: %s\n", err.where, err.message);
	check(rc == 0, "writer output does not read back");
	check(again.n_entries == dir->n_entries, "entry count changed");
	for (size_t i = 0; i < dir->n_entries; i++)
		same_entry(&dir->entries[i], &again.entries[i]);
	hv_directory_clear(&again);
	hv_strbuf_release(&out);
}

static void base64_round_trip(const uint8_t *data, size_t size)
{
	struct hv_strbuf text = HV_STRBUF_INIT, bytes = HV_STRBUF_INIT;
	struct hv_error err;

	hv_base64_encode(&text, data, size);
	check(text.len == hv_base64_encoded_len(size), "encoded length");
	check(hv_base64_decode(&bytes, hv_strbuf_str(&text), text.len, &err) ==
		      0,
	      "own base64 refused");
	check(bytes.len == size && (!size || !memcmp(bytes.buf, data, size)),
	      "base64 round trip");
	/* and the raw input as base64 text: must not crash either way */
	hv_strbuf_reset(&bytes);
	(void)hv_base64_decode(&bytes, (const char *)data, size, &err);
	hv_strbuf_release(&text);
	hv_strbuf_release(&bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_directory dir = {0};
	struct hv_ldif_errors *errs = calloc(1, sizeof(*errs));

	if (!errs)
		return 0;
	(void)hv_ldif_read_buffer_errors("fuzz", (const char *)data, size, &dir,
					 errs);
	check(errs->n_listed <= HV_LDIF_MAX_ERRORS &&
		      errs->n_listed <= errs->n_total,
	      "error bookkeeping");
	round_trip(&dir);
	base64_round_trip(data, size);
	hv_directory_clear(&dir);
	free(errs);
	return 0;
}
