/* Facts an admin knows about a failed migration (`explain --context`):
 * they refine which cause is most likely. The same parser reads the
 * conditions of the knowledge base's ranking rules, so the two can never
 * disagree on spelling. */
#ifndef HV_CONTEXT_H
#define HV_CONTEXT_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>

enum hv_ctx_key {
	HV_CTX_OS,
	HV_CTX_AUTH,
	HV_CTX_INITIATED,
	HV_CTX_CLUSTERED,
	HV_CTX_PHASE,
	HV_CTX_PERCENT,
	HV_CTX_STORAGE,
	HV_CTX_COUNT
};

struct hv_context {
	int value[HV_CTX_COUNT];
	bool known[HV_CTX_COUNT];
};

enum hv_ctx_op { HV_CTX_EQ, HV_CTX_NE, HV_CTX_GE, HV_CTX_LE };

struct hv_ctx_condition {
	enum hv_ctx_key key;
	enum hv_ctx_op op;
	int value;
};

/* Parses a key name ("os"); returns 0 or HV_ERR_INPUT. */
int hv_ctx_key_parse(const char *name, size_t len, enum hv_ctx_key *out_key);
/* The key's name, e.g. "auth". */
const char *hv_ctx_key_name(enum hv_ctx_key key);
/* Parses the value of key ("2012r2", "credssp", "85"); returns 0 or
 * HV_ERR_INPUT with a message listing the accepted values. */
int hv_ctx_value_parse(enum hv_ctx_key key, const char *text, int *out_value,
		       struct hv_error *err);
/* The canonical spelling of a value, e.g. "2012r2"; for percent a static
 * buffer is not used: writes into buf (at least 8 bytes). */
const char *hv_ctx_value_name(enum hv_ctx_key key, int value, char *buf,
			      unsigned size);
/* Parses "KEY=VALUE", "KEY!=VALUE", "KEY>=VALUE" or "KEY<=VALUE". Ordered
 * comparisons are allowed only for os and percent. */
int hv_ctx_condition_parse(const char *text, struct hv_ctx_condition *out,
			   struct hv_error *err);
/* Sets one fact from "KEY=VALUE" (the --context syntax). */
int hv_context_set(struct hv_context *ctx, const char *assignment,
		   struct hv_error *err);
/* True if ctx knows the key and the condition holds. */
bool hv_ctx_condition_holds(const struct hv_context *ctx,
			    const struct hv_ctx_condition *cond);
/* Writes "key=value" for a condition (op spelled out) into buf. */
void hv_ctx_condition_format(const struct hv_ctx_condition *cond, char *buf,
			     unsigned size);

#endif
