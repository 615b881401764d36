/* Kept apart from kb.c so the build-time generator (tools/kbgen), which
 * links the parser before the built-in data exists, does not need it. */
#include "knowledge/kb.h"

#include "knowledge/kb_builtin.h"

int hv_kb_load(struct hv_kb *kb, const char *dir, struct hv_error *err)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < hv_kb_builtin_count; i++) {
		const struct hv_kb_file *f = &hv_kb_builtin_files[i];

		rc = hv_kb_parse(kb, f->name, f->text, f->len, err);
	}
	if (rc == 0 && dir)
		rc = hv_kb_load_dir(kb, dir, err);
	if (rc == 0)
		rc = hv_kb_validate(kb, err);
	return rc;
}
