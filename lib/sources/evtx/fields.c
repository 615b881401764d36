/* The System fields of an event and its event data, read without
 * rendering the event: the compiled template knows which attribute or
 * element holds each field (found once per template), and in Windows'
 * templates that is a single substitution, so a filter on provider,
 * channel or event id reads one value of the record. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct hv_evtx_value null_value = {.type = VT_NULL};

/* The single substitution that makes up a field, or NULL when the field
 * is literal text or a mix. */
static const struct hv_evtx_value *
single_value(const struct hv_evtx_record *rec, uint32_t node)
{
	const struct hv_evtx_tpl *t = rec->tpl;
	uint32_t c = t->nodes[node].child;

	if (c == NODE_NONE || t->nodes[c].kind != NODE_SUBST ||
	    t->nodes[c].next != NODE_NONE)
		return NULL;
	if (t->nodes[c].subst_id >= rec->n_values)
		return &null_value;
	return &rec->values[t->nodes[c].subst_id];
}

static uint32_t field_node(const struct hv_evtx_record *rec,
			   enum hv_evtx_field field)
{
	if (!rec->tpl || (unsigned)field >= HV_EVTX_F_COUNT)
		return NODE_NONE;
	return rec->tpl->field[field];
}

bool hv_evtx_field_text(const struct hv_evtx_record *rec,
			enum hv_evtx_field field, struct hv_strbuf *out)
{
	uint32_t node = field_node(rec, field);
	const struct hv_evtx_value *v;
	struct hv_evtx_ctx ctx;
	struct hv_evtx_doc doc;

	if (node == NODE_NONE)
		return false;
	v = single_value(rec, node);
	if (v) {
		if (v->type == VT_NULL)
			return false;
		hv_evtx_value_text(v, ESC_NONE, out);
		return true;
	}
	hv_evtx_record_ctx(rec, &ctx);
	hv_evtx_record_doc(rec, &doc);
	hv_evtx_node_text(&ctx, &doc, node, out);
	return true;
}

static bool parse_uint(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return false;
	v = strtoull(s, &end, 0);
	if (*end)
		return false;
	*out = v;
	return true;
}

bool hv_evtx_field_uint(const struct hv_evtx_record *rec,
			enum hv_evtx_field field, uint64_t *out)
{
	uint32_t node = field_node(rec, field);
	const struct hv_evtx_value *v;
	struct hv_strbuf text = HV_STRBUF_INIT;
	bool ok;

	if (node == NODE_NONE)
		return false;
	v = single_value(rec, node);
	if (v && hv_evtx_value_uint(v, out))
		return true;
	ok = hv_evtx_field_text(rec, field, &text) &&
	     parse_uint(hv_strbuf_str(&text), out);
	hv_strbuf_release(&text);
	return ok;
}

/* UTF-16 against ASCII, ignoring ASCII case; a NUL ends the value.
 * With prefix, s need only start the value. */
static bool utf16_is(const struct hv_evtx_value *v, const char *s, bool prefix)
{
	size_t n = v->size / 2, i;

	for (i = 0; i < n && s[i]; i++) {
		uint16_t u = hv_le16(v->data + 2 * i);

		if (u == 0 || u >= 0x80 ||
		    tolower(u) != tolower((unsigned char)s[i]))
			return false;
	}
	if (s[i])
		return false;
	return prefix || i == n || hv_le16(v->data + 2 * i) == 0;
}

/* The field equals s, or starts with it (prefix), ASCII case aside:
 * straight from the UTF-16 value when the field is one string, else from
 * its text. */
static bool field_matches(const struct hv_evtx_record *rec,
			  enum hv_evtx_field field, const char *s, bool prefix)
{
	uint32_t node = field_node(rec, field);
	const struct hv_evtx_value *v;
	struct hv_strbuf text = HV_STRBUF_INIT;
	bool is;

	if (node == NODE_NONE)
		return false;
	v = single_value(rec, node);
	if (v && v->type == VT_STRING)
		return utf16_is(v, s, prefix);
	is = hv_evtx_field_text(rec, field, &text) &&
	     (prefix ? strncasecmp(hv_strbuf_str(&text), s, strlen(s))
		     : strcasecmp(hv_strbuf_str(&text), s)) == 0;
	hv_strbuf_release(&text);
	return is;
}

bool hv_evtx_field_is(const struct hv_evtx_record *rec,
		      enum hv_evtx_field field, const char *s)
{
	return field_matches(rec, field, s, false);
}

bool hv_evtx_field_has_prefix(const struct hv_evtx_record *rec,
			      enum hv_evtx_field field, const char *prefix)
{
	return field_matches(rec, field, prefix, true);
}

uint64_t hv_evtx_record_time(const struct hv_evtx_record *rec)
{
	uint32_t node = field_node(rec, HV_EVTX_F_TIME_CREATED);
	const struct hv_evtx_value *v =
		node == NODE_NONE ? NULL : single_value(rec, node);

	if (v && v->type == VT_FILETIME && v->size == 8)
		return hv_le64(v->data);
	return rec->written;
}
