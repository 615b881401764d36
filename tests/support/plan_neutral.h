/* The same plan with every value from outside replaced by "x": what a
 * renderer writes for it is the code the real plan's script must have
 * (tests/support/ps_scan.h). Header-only, for tests and fuzz targets. */
#ifndef HV_TEST_PLAN_NEUTRAL_H
#define HV_TEST_PLAN_NEUTRAL_H

#include "base/alloc.h"
#include "remedy/plan.h"

#include <string.h>

/* Fills out (release with hv_plan_release) from in. */
static void neutral_plan(const struct hv_plan *in, struct hv_plan *out)
{
	memset(out, 0, sizeof(*out));
	out->n = out->cap = in->n;
	out->actions = hv_calloc(in->n + 1, sizeof(*out->actions));
	for (size_t i = 0; i < in->n; i++) {
		const struct hv_action *a = &in->actions[i];
		struct hv_action *b = &out->actions[i];

		*b = *a;
		b->dn = "x";
		b->account = "x";
		b->why = hv_strdup("x");
		b->values = hv_calloc(a->n_values + 1, sizeof(char *));
		b->cap_values = a->n_values;
		for (size_t v = 0; v < a->n_values; v++)
			b->values[v] = hv_strdup("x");
	}
	out->n_warnings = out->cap_warnings = in->n_warnings;
	out->warnings = hv_calloc(in->n_warnings + 1, sizeof(char *));
	for (size_t i = 0; i < in->n_warnings; i++)
		out->warnings[i] = hv_strdup("x");
	out->n_hosts = in->n_hosts;
	out->hosts = hv_calloc(in->n_hosts + 1, sizeof(char *));
	for (size_t i = 0; i < in->n_hosts; i++)
		out->hosts[i] = hv_strdup("x");
}

#endif
