/* libFuzzer target for the backup reader and writer (lib/remedy/backup.c).
 * Beyond "no crash, no sanitizer report", it checks that whatever the
 * reader accepts, the writer writes and the reader reads back to the same
 * records, and aborts if not; a refused input must leave no records.
 * Run: build-fuzz/fuzz_backup -max_total_time=60 CORPUS_COPY
 * fuzz/corpus/backup */
#include "remedy/backup.h"
#include "sources/directory.h"
#include "base/error.h"
#include "base/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_backup: %s\n", what);
		abort();
	}
}

static void same(const struct hv_directory *a, const struct hv_directory *b)
{
	check(a->n_entries == b->n_entries, "record count changed");
	for (size_t i = 0; i < a->n_entries; i++) {
		const struct hv_entry *x = &a->entries[i], *y = &b->entries[i];

		check(strcmp(x->dn, y->dn) == 0, "dn changed");
		check(x->n_attrs == y->n_attrs, "attribute count changed");
		for (size_t k = 0; k < x->n_attrs; k++) {
			check(strcmp(x->attrs[k].name, y->attrs[k].name) == 0,
			      "name changed");
			check(hv_backup_same_values(&x->attrs[k], &y->attrs[k]),
			      "values changed");
			check(x->attrs[k].n_values == y->attrs[k].n_values,
			      "value count changed");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_directory bk = {0}, again = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_backup_info info = {"fuzz", "fuzz", "fuzz"};
	struct hv_error err;
	int rc = hv_backup_read_buffer("fuzz", (const char *)data, size, &bk,
				       &err);

	if (rc) {
		check(bk.n_entries == 0, "a refused input left records");
		check(err.where[0] != '\0', "an error without a place");
		return 0;
	}
	hv_backup_write(&out, &bk, &info);
	rc = hv_backup_read_buffer("rt", hv_strbuf_str(&out), out.len, &again,
				   &err);
	if (rc)
		fprintf(stderr, "%s: %s\n", err.where, err.message);
	check(rc == 0, "writer output does not read back");
	same(&bk, &again);
	hv_strbuf_release(&out);
	hv_directory_clear(&again);
	hv_directory_clear(&bk);
	return 0;
}
