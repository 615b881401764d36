/* The event data of a record as (name, value) pairs, read by the same
 * walk that renders the XML and JSON (walk.c), so the three agree by
 * construction.
 *
 * Windows keeps EventData inside a BinXml substitution value: a record's
 * template is Event{System, %n} with %n of type BinXml (0x21), whose
 * bytes are a template instance of their own ([MS-EVEN6] 2.2.12 and
 * 4.8). UserData is mostly in the template. So the data are read from
 * every child of Event except System, descending into BinXml values,
 * and kept from the elements named EventData or UserData found there,
 * with the names of the template that holds them.
 *
 * Kept: for each leaf element, its name (a Data element's Name
 * attribute, or its position among unnamed Data) and its text; and each
 * attribute other than that Name and namespace declarations. A value is
 * cut at Windows' own event string limit, and the walk stops when the
 * record's budget (budget.c) is spent. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What visiting one element, attribute or piece costs against the
 * budget, besides the bytes of text it adds. */
#define STEP_COST 16u
/* Items one record may yield, whatever the budget. */
#define MAX_ITEMS 100000u

struct text {
	struct hv_strbuf sb;
	size_t chars; /* UTF-8 characters in sb */
};

struct frame {
	const char *name;
	size_t len;
	bool has_child;
	char *data_name;
	struct text text;
};

struct collector {
	struct hv_evtx_data *out;
	struct hv_evtx_sink *sink;
	struct frame *frames;
	size_t n, cap;
	size_t ignore; /* depth inside an element that is not data */
	bool in_attr;
	const char *attr;
	size_t attr_len;
	struct text attr_text;
	unsigned position; /* unnamed Data elements */
	size_t spent, budget;
	bool value_cut;
};

static void charge(struct collector *c, size_t cost)
{
	c->spent += cost;
	if (c->spent > c->budget)
		c->sink->cut = true;
}

static bool is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* Cuts t after HV_EVTX_VALUE_LIMIT characters. */
static void cut_text(struct text *t)
{
	size_t i = 0, chars = 0;

	for (; i < t->sb.len; i++)
		if (((unsigned char)t->sb.buf[i] & 0xC0) != 0x80 &&
		    chars++ == HV_EVTX_VALUE_LIMIT)
			break;
	t->sb.len = i;
	t->sb.buf[i] = '\0';
	t->chars = HV_EVTX_VALUE_LIMIT;
}

/* Appends a piece to t, within the value limit: a value that is full
 * takes nothing more, and costs no formatting. */
static void add_piece(struct collector *c, struct text *t,
		      const struct hv_evtx_piece *piece)
{
	size_t from = t->sb.len;

	charge(c, STEP_COST);
	if (t->chars >= HV_EVTX_VALUE_LIMIT) {
		c->value_cut = true;
		return;
	}
	hv_evtx_piece_text(piece, ESC_NONE, &t->sb);
	charge(c, t->sb.len - from);
	t->chars += utf8_chars(t->sb.buf + from, t->sb.len - from);
	if (t->chars > HV_EVTX_VALUE_LIMIT) {
		cut_text(t);
		c->value_cut = true;
	}
}

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
	charge(c, STEP_COST);
	/* below Event, only EventData and UserData hold event data */
	if (c->ignore || (c->n == 0 && !is(name, len, "EventData") &&
			  !is(name, len, "UserData"))) {
		c->ignore++;
		return;
	}
	if (c->n)
		c->frames[c->n - 1].has_child = true;
	HV_GROW(c->frames, c->n, c->cap);
	c->frames[c->n] =
		(struct frame){name, len, false, NULL, {HV_STRBUF_INIT, 0}};
	c->n++;
}

static void c_attribute_begin(void *ctx, const char *name, size_t len)
{
	struct collector *c = ctx;

	charge(c, STEP_COST);
	if (c->ignore)
		return;
	c->in_attr = true;
	c->attr = name;
	c->attr_len = len;
	hv_strbuf_reset(&c->attr_text.sb);
	c->attr_text.chars = 0;
}

static void c_attribute_end(void *ctx)
{
	struct collector *c = ctx;
	struct frame *f;

	if (c->ignore)
		return;
	f = &c->frames[c->n - 1];
	c->in_attr = false;
	if (is(f->name, f->len, "Data") && is(c->attr, c->attr_len, "Name"))
		f->data_name = hv_strdup(hv_strbuf_str(&c->attr_text.sb));
	else if (c->attr_len >= 5 && !memcmp(c->attr, "xmlns", 5))
		;	   /* a namespace declaration is not data */
	else if (c->n > 1) /* not the EventData/UserData element itself */
		add_item(c, c->attr, c->attr_len,
			 hv_strbuf_str(&c->attr_text.sb));
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

	if (c->ignore || c->n == 0) {
		charge(c, STEP_COST);
		return;
	}
	add_piece(c, c->in_attr ? &c->attr_text : &c->frames[c->n - 1].text,
		  piece);
}

static void c_element_end(void *ctx, const char *name, size_t len,
			  bool had_content, bool had_elements, int depth)
{
	struct collector *c = ctx;
	struct frame *f;

	(void)name;
	(void)len;
	(void)had_content;
	(void)had_elements;
	(void)depth;
	if (c->ignore) {
		c->ignore--;
		return;
	}
	f = &c->frames[c->n - 1];
	if (!f->has_child && c->n > 1) {
		const char *value = hv_strbuf_str(&f->text.sb);

		if (f->data_name) {
			add_item(c, f->data_name, strlen(f->data_name), value);
		} else if (is(f->name, f->len, "Data")) {
			char pos[16];

			snprintf(pos, sizeof(pos), "%u", ++c->position);
			add_item(c, pos, strlen(pos), value);
		} else {
			add_item(c, f->name, f->len, value);
		}
	}
	free(f->data_name);
	hv_strbuf_release(&f->text.sb);
	c->n--;
}

static bool is_event(const struct hv_evtx_tpl *t)
{
	const struct hv_evtx_node *n;

	if (t->root == NODE_NONE)
		return false;
	n = &t->nodes[t->root];
	return n->kind == NODE_ELEMENT &&
	       is(t->pool + n->str, n->str_len, "Event");
}

/* What the walk left open when it stopped (the budget). */
static void collector_release(struct collector *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->frames[i].data_name);
		hv_strbuf_release(&c->frames[i].text.sb);
	}
	free(c->frames);
	hv_strbuf_release(&c->attr_text.sb);
}

void hv_evtx_record_data(const struct hv_evtx_record *rec,
			 struct hv_evtx_data *out)
{
	struct collector c = {.out = out};
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

	if (!rec->tpl || !is_event(rec->tpl))
		return;
	c.sink = &sink;
	c.attr_text.sb = (struct hv_strbuf)HV_STRBUF_INIT;
	hv_evtx_record_ctx(rec, &ctx);
	hv_evtx_record_doc(rec, &doc);
	c.budget = ctx.budget;
	hv_evtx_walk_children(&ctx, &doc, rec->tpl->root, rec->tpl->system,
			      &sink, 1);
	collector_release(&c);
	if (sink.cut)
		hv_evtx_record_problem(rec, HV_EVTX_P_DATA_LIMIT,
				       "record %llu: event data cut after "
				       "%zu bytes (%u bytes in the file)",
				       (unsigned long long)rec->id, c.budget,
				       rec->size);
	else if (c.value_cut)
		hv_evtx_record_problem(rec, HV_EVTX_P_DATA_LIMIT,
				       "record %llu: an event data value cut "
				       "at %u characters",
				       (unsigned long long)rec->id,
				       HV_EVTX_VALUE_LIMIT);
	out->cut = out->cut || sink.cut || c.value_cut;
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
