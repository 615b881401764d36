#include "knowledge/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Value spellings per key, in order: the index is the stored value, so
 * for os the order is the release order and >= / <= compare releases. */
static const char *const os_names[] = {"2012", "2012r2", "2016", "2019",
				       "2022", "2025",	 NULL};
static const char *const auth_names[] = {"credssp", "kerberos", NULL};
static const char *const initiated_names[] = {"source", "remote", NULL};
static const char *const yes_no[] = {"no", "yes", NULL};
static const char *const phase_names[] = {"source", "destination", NULL};

static const struct {
	const char *name;
	const char *const *values; /* NULL: a number 0-100 */
} keys[HV_CTX_COUNT] = {
	[HV_CTX_OS] = {"os", os_names},
	[HV_CTX_AUTH] = {"auth", auth_names},
	[HV_CTX_INITIATED] = {"initiated", initiated_names},
	[HV_CTX_CLUSTERED] = {"clustered", yes_no},
	[HV_CTX_PHASE] = {"phase", phase_names},
	[HV_CTX_PERCENT] = {"percent", NULL},
	[HV_CTX_STORAGE] = {"storage", yes_no},
};

int hv_ctx_key_parse(const char *name, size_t len, enum hv_ctx_key *out_key)
{
	for (int k = 0; k < HV_CTX_COUNT; k++) {
		if (strlen(keys[k].name) == len &&
		    strncmp(keys[k].name, name, len) == 0) {
			*out_key = (enum hv_ctx_key)k;
			return 0;
		}
	}
	return HV_ERR_INPUT;
}

const char *hv_ctx_key_name(enum hv_ctx_key key)
{
	return keys[key].name;
}

static void list_values(enum hv_ctx_key key, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	if (!keys[key].values) {
		snprintf(buf, size, "a number from 0 to 100");
		return;
	}
	for (int i = 0; keys[key].values[i]; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? "|" : "",
				 keys[key].values[i]);
		if (n < 0 || (size_t)n >= size - used)
			return;
		used += (size_t)n;
	}
}

int hv_ctx_value_parse(enum hv_ctx_key key, const char *text, int *out_value,
		       struct hv_error *err)
{
	char accepted[128];

	if (keys[key].values) {
		for (int i = 0; keys[key].values[i]; i++) {
			if (strcmp(keys[key].values[i], text) == 0) {
				*out_value = i;
				return 0;
			}
		}
	} else {
		char *end = NULL;
		long v = strtol(text, &end, 10);

		/* digits only: strtol would also take " 5" or "+5" */
		if (*text >= '0' && *text <= '9' && end && *end == '\0' &&
		    v >= 0 && v <= 100) {
			*out_value = (int)v;
			return 0;
		}
	}
	list_values(key, accepted, sizeof(accepted));
	return hv_error_set(err, HV_ERR_INPUT, NULL,
			    "'%s' is not a value of %s (accepted: %s)", text,
			    keys[key].name, accepted);
}

const char *hv_ctx_value_name(enum hv_ctx_key key, int value, char *buf,
			      unsigned size)
{
	if (keys[key].values)
		return keys[key].values[value];
	snprintf(buf, size, "%d", value);
	return buf;
}

static const char *const op_text[] = {"=", "!=", ">=", "<="};

int hv_ctx_condition_parse(const char *text, struct hv_ctx_condition *out,
			   struct hv_error *err)
{
	size_t key_len = strcspn(text, "=!<>");
	const char *op = text + key_len;
	const char *value;

	if (hv_ctx_key_parse(text, key_len, &out->key) < 0)
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "unknown context key '%.*s' (known: os, "
				    "auth, initiated, clustered, phase, "
				    "percent, storage)",
				    (int)key_len, text);
	if (strncmp(op, "!=", 2) == 0 || strncmp(op, ">=", 2) == 0 ||
	    strncmp(op, "<=", 2) == 0) {
		out->op = op[0] == '!'	 ? HV_CTX_NE
			  : op[0] == '>' ? HV_CTX_GE
					 : HV_CTX_LE;
		value = op + 2;
	} else if (op[0] == '=') {
		out->op = HV_CTX_EQ;
		value = op + 1;
	} else {
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "'%s' is not KEY=VALUE", text);
	}
	if ((out->op == HV_CTX_GE || out->op == HV_CTX_LE) &&
	    out->key != HV_CTX_OS && out->key != HV_CTX_PERCENT)
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "'%s': only os and percent are ordered",
				    text);
	return hv_ctx_value_parse(out->key, value, &out->value, err);
}

int hv_context_set(struct hv_context *ctx, const char *assignment,
		   struct hv_error *err)
{
	struct hv_ctx_condition cond = {HV_CTX_OS, HV_CTX_EQ, 0};
	int rc = hv_ctx_condition_parse(assignment, &cond, err);

	if (rc < 0)
		return rc;
	if (cond.op != HV_CTX_EQ)
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "'%s': a context fact is KEY=VALUE",
				    assignment);
	ctx->value[cond.key] = cond.value;
	ctx->known[cond.key] = true;
	return 0;
}

bool hv_ctx_condition_holds(const struct hv_context *ctx,
			    const struct hv_ctx_condition *cond)
{
	int v = ctx->value[cond->key];

	if (!ctx->known[cond->key])
		return false;
	switch (cond->op) {
	case HV_CTX_EQ:
		return v == cond->value;
	case HV_CTX_NE:
		return v != cond->value;
	case HV_CTX_GE:
		return v >= cond->value;
	case HV_CTX_LE:
		return v <= cond->value;
	}
	return false;
}

void hv_ctx_condition_format(const struct hv_ctx_condition *cond, char *buf,
			     unsigned size)
{
	char num[16];

	snprintf(buf, size, "%s%s%s", keys[cond->key].name, op_text[cond->op],
		 hv_ctx_value_name(cond->key, cond->value, num, sizeof(num)));
}
