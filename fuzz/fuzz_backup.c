/* libFuzzer target for the backup reader and writer (lib/remedy/
 * backup_read.c, backup.c). Beyond "no crash, no sanitizer report", it
 * checks that whatever the reader accepts touches only the attributes
 * hvdoctor manages, and that the writer writes it so that the reader
 * reads back the same records and id; a refused input must leave no
 * records and name its place. Run: build-fuzz/fuzz_backup
 * -max_total_time=60 CORPUS_COPY fuzz/corpus/backup */
#include "base/error.h"
#include "base/strbuf.h"
#include "remedy/backup.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdbool.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_backup: %s\n", what);
		abort();
	}
}

static void same(const struct hv_backup *a, const struct hv_backup *b)
{
	check(strcmp(a->id, b->id) == 0, "id changed");
	check(a->n_records == b->n_records, "record count changed");
	for (size_t i = 0; i < a->n_records; i++) {
		const struct hv_backup_record *x = &a->records[i];
		const struct hv_backup_record *y = &b->records[i];

		check(strcmp(x->dn, y->dn) == 0, "dn changed");
		check(x->n_mods == y->n_mods, "mod count changed");
		check(x->n_had == y->n_had, "had count changed");
		for (size_t h = 0; h < x->n_had; h++)
			check(x->had[h].n_values == y->had[h].n_values,
			      "had values changed");
	}
}

/* What a rollback may write: migration-service and cifs delegation
 * entries, HOST/ and migration-service SPNs, and userAccountControl
 * values that differ from their pair only in protocol transition. */
static int undoes_hvdoctor(const struct hv_backup_mod *mod)
{
	bool a2d = strcmp(mod->attr, "msDS-AllowedToDelegateTo") == 0;

	if (strcmp(mod->attr, "userAccountControl") == 0)
		return mod->n_values == 1;
	for (size_t v = 0; v < mod->n_values; v++) {
		const char *s = mod->values[v].data;
		size_t cls = strcspn(s, "/");

		if (!s[cls] ||
		    !((cls == strlen(HV_SPN_VSMS) &&
		       strncasecmp(s, HV_SPN_VSMS, cls) == 0) ||
		      (a2d && cls == 4 && strncasecmp(s, "cifs", 4) == 0) ||
		      (!a2d && cls == 4 && strncasecmp(s, "HOST", 4) == 0)))
			return 0;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_backup bk = {0}, again = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_backup_info info = {"fuzz", "fuzz", "fuzz"};
	struct hv_error err;
	int rc = hv_backup_read_buffer("fuzz", (const char *)data, size, &bk,
				       &err);

	if (rc) {
		check(bk.n_records == 0, "a refused input left records");
		check(err.where[0] != '\0', "an error without a place");
		return 0;
	}
	for (size_t r = 0; r < bk.n_records; r++)
		for (size_t m = 0; m < bk.records[r].n_mods; m++) {
			const char *a = bk.records[r].mods[m].attr;

			check(hv_backup_managed_attr(a, strlen(a)) == a,
			      "an attribute hvdoctor does not manage");
			check(undoes_hvdoctor(&bk.records[r].mods[m]),
			      "a value or flag hvdoctor never writes");
		}
	hv_backup_write(&out, &bk, &info);
	rc = hv_backup_read_buffer("rt", hv_strbuf_str(&out), out.len, &again,
				   &err);
	if (rc)
		fprintf(stderr, "%s: %s\n", err.where, err.message);
	check(rc == 0, "writer output does not read back");
	same(&bk, &again);
	hv_strbuf_release(&out);
	hv_backup_release(&again);
	hv_backup_release(&bk);
	return 0;
}
