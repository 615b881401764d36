/* Knowledge bases for the explain-side tests: one parsed from a test's
 * own text, or the built-in one, as cmocka group state. Header-only
 * (static inline) so each test program takes what it uses. */
#ifndef HV_TEST_KB_FIXTURE_H
#define HV_TEST_KB_FIXTURE_H

#include "base/error.h"
#include "knowledge/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses and validates text as "test.kb" into *state; -1 on failure. */
static inline int kb_setup_text(void **state, const char *text)
{
	struct hv_kb *kb = calloc(1, sizeof(*kb));
	struct hv_error err;

	if (!kb || hv_kb_parse(kb, "test.kb", text, strlen(text), &err) != 0 ||
	    hv_kb_validate(kb, &err) != 0) {
		fprintf(stderr, "test kb: %s: %s\n", err.where, err.message);
		free(kb);
		return -1;
	}
	*state = kb;
	return 0;
}

/* Loads the built-in knowledge base into *state; -1 on failure. */
static inline int kb_setup_builtin(void **state)
{
	struct hv_kb *kb = calloc(1, sizeof(*kb));
	struct hv_error err;

	if (!kb || hv_kb_load(kb, NULL, &err) != 0) {
		fprintf(stderr, "built-in kb: %s: %s\n", err.where,
			err.message);
		free(kb);
		return -1;
	}
	*state = kb;
	return 0;
}

static inline int kb_teardown(void **state)
{
	hv_kb_release(*state);
	free(*state);
	return 0;
}

#endif
