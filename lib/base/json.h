/* The one JSON writer. Output is built into a strbuf so that renderers stay
 * pure; it tracks commas itself so callers cannot produce invalid JSON by
 * forgetting one. Strings are escaped per RFC 8259 (control characters as
 * \u00XX, invalid UTF-8 bytes replaced by U+FFFD because values read from
 * AD or logs are hostile). */
#ifndef HV_JSON_H
#define HV_JSON_H

#include "base/strbuf.h"

#include <stdbool.h>
#include <stdint.h>

#define HV_JSON_MAX_DEPTH 32

struct hv_json {
	struct hv_strbuf *out; /* borrowed */
	int depth;
	unsigned count[HV_JSON_MAX_DEPTH]; /* items written at each depth */
	bool after_key; /* the next value completes a "key": pair */
	bool pretty;
};

/* Starts writing into out (borrowed for the writer's life). */
void hv_json_init(struct hv_json *js, struct hv_strbuf *out, bool pretty);
void hv_json_object_begin(struct hv_json *js);
void hv_json_object_end(struct hv_json *js);
void hv_json_array_begin(struct hv_json *js);
void hv_json_array_end(struct hv_json *js);
/* Writes a member name inside an object; follow it with one value. */
void hv_json_key(struct hv_json *js, const char *key);
void hv_json_string(struct hv_json *js, const char *s);
void hv_json_string_len(struct hv_json *js, const char *s, size_t len);
void hv_json_int(struct hv_json *js, int64_t v);
void hv_json_bool(struct hv_json *js, bool v);
void hv_json_null(struct hv_json *js);
/* Shorthands for a member with a value; a NULL string writes null. */
void hv_json_kv_string(struct hv_json *js, const char *key, const char *s);
void hv_json_kv_int(struct hv_json *js, const char *key, int64_t v);
void hv_json_kv_bool(struct hv_json *js, const char *key, bool v);
/* Appends s to out as a JSON string literal with quotes. */
void hv_json_escape(struct hv_strbuf *out, const char *s, size_t len);

#endif
