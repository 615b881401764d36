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

/* Event data: a walk of EventData or UserData that keeps, for each leaf
 * element, its name (or a Data element's Name attribute) and its text,
 * and each attribute other than that Name. */
struct frame {
	const char *name;
	size_t len;
	bool has_child;
	char *data_name;
	struct hv_strbuf text;
};

/* Items one record may yield: an array repeated by many elements could
 * otherwise make millions. */
#define MAX_ITEMS 100000u

struct collector {
	struct hv_evtx_data *out;
	struct hv_evtx_sink *sink;
	struct frame *frames;
	size_t n, cap;
	bool in_attr;
	const char *attr;
	size_t attr_len;
	struct hv_strbuf attr_text;
	unsigned position; /* unnamed Data elements */
};

static void add_item(struct collector *c, const char *name, size_t len,
		     const char *value)
{
	struct hv_evtx_data *d = c->out;

	if (d->n >= MAX_ITEMS) {
		c->sink->cut = true;
		return;
	}
	HV_GROW(d->items, d->n, d->cap);
	d->items[d->n].name = hv_strndup(name, len);
	d->items[d->n].value = hv_strdup(value);
	d->n++;
}

static void c_element_begin(void *ctx, const char *name, size_t len, int depth)
{
	struct collector *c = ctx;

	(void)depth;
	if (c->n)
		c->frames[c->n - 1].has_child = true;
	HV_GROW(c->frames, c->n, c->cap);
	c->frames[c->n] =
		(struct frame){name, len, false, NULL, HV_STRBUF_INIT};
	c->n++;
}

static void c_attribute_begin(void *ctx, const char *name, size_t len)
{
	struct collector *c = ctx;

	c->in_attr = true;
	c->attr = name;
	c->attr_len = len;
	hv_strbuf_reset(&c->attr_text);
}

static bool is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

static void c_attribute_end(void *ctx)
{
	struct collector *c = ctx;
	struct frame *f = &c->frames[c->n - 1];

	c->in_attr = false;
	if (is(f->name, f->len, "Data") && is(c->attr, c->attr_len, "Name"))
		f->data_name = hv_strdup(hv_strbuf_str(&c->attr_text));
	else if (c->attr_len >= 5 && !memcmp(c->attr, "xmlns", 5))
		;	   /* a namespace declaration is not data */
	else if (c->n > 1) /* not the EventData/UserData element itself */
		add_item(c, c->attr, c->attr_len, hv_strbuf_str(&c->attr_text));
}

static void c_content_begin(void *ctx, bool has_content, bool has_elements)
{
	(void)ctx;
	(void)has_content;
	(void)has_elements;
}

static void c_text(void *ctx, const struct hv_evtx_piece *piece)
{
	struct collector *c = ctx;

	hv_evtx_piece_text(piece, ESC_NONE,
			   c->in_attr ? &c->attr_text
				      : &c->frames[c->n - 1].text);
}

static void c_element_end(void *ctx, const char *name, size_t len,
			  bool had_content, bool had_elements, int depth)
{
	struct collector *c = ctx;
	struct frame *f = &c->frames[c->n - 1];

	(void)name;
	(void)len;
	(void)had_content;
	(void)had_elements;
	(void)depth;
	if (!f->has_child && c->n > 1) {
		if (f->data_name) {
			add_item(c, f->data_name, strlen(f->data_name),
				 hv_strbuf_str(&f->text));
		} else if (is(f->name, f->len, "Data")) {
			char pos[16];

			snprintf(pos, sizeof(pos), "%u", ++c->position);
			add_item(c, pos, strlen(pos), hv_strbuf_str(&f->text));
		} else {
			add_item(c, f->name, f->len, hv_strbuf_str(&f->text));
		}
	}
	free(f->data_name);
	hv_strbuf_release(&f->text);
	c->n--;
}

void hv_evtx_record_data(const struct hv_evtx_record *rec,
			 struct hv_evtx_data *out)
{
	struct collector c = {.out = out, .attr_text = HV_STRBUF_INIT};
	struct hv_evtx_sink sink = {
		.ctx = &c,
		.element_begin = c_element_begin,
		.attribute_begin = c_attribute_begin,
		.attribute_end = c_attribute_end,
		.content_begin = c_content_begin,
		.text = c_text,
		.element_end = c_element_end,
	};
	struct hv_evtx_ctx ctx;
	struct hv_evtx_doc doc;

	if (!rec->tpl)
		return;
	c.sink = &sink;
	hv_evtx_record_ctx(rec, &ctx);
	hv_evtx_record_doc(rec, &doc);
	if (rec->tpl->event_data != NODE_NONE)
		hv_evtx_walk_element(&ctx, &doc, rec->tpl->event_data, &sink,
				     0);
	if (rec->tpl->user_data != NODE_NONE)
		hv_evtx_walk_element(&ctx, &doc, rec->tpl->user_data, &sink, 0);
	hv_strbuf_release(&c.attr_text);
	free(c.frames);
}

const char *hv_evtx_data_get(const struct hv_evtx_data *data, const char *name)
{
	for (size_t i = 0; i < data->n; i++)
		if (strcasecmp(data->items[i].name, name) == 0)
			return data->items[i].value;
	return NULL;
}

void hv_evtx_data_release(struct hv_evtx_data *data)
{
	for (size_t i = 0; i < data->n; i++) {
		free(data->items[i].name);
		free(data->items[i].value);
	}
	free(data->items);
	memset(data, 0, sizeof(*data));
}
