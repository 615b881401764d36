/* The event as one line of JSON, in the shape EVTX tools commonly use:
 * an element is an object of its child elements by name (a repeated
 * name becomes an array), its attributes under "#attributes" and its
 * text under "#text"; an element with neither attributes nor children
 * is just its text (null when empty). EventData's <Data Name="N"> is
 * written as "N": value. All values are strings, exactly as the XML
 * would show them; strings are escaped per RFC 8259 like hv_json_escape
 * (control characters as \u00XX, invalid text as U+FFFD).
 *
 * The event is first collected into a small tree (one per record), so
 * that repeated names can be grouped; then written. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

struct jattr {
	size_t name, name_len; /* in the pool, escaped, no quotes */
	size_t value, value_len;
	size_t next;
};

struct jnode {
	size_t name, name_len;
	size_t text, text_len;
	size_t attrs, last_attr;	/* index + 1 into attrs; 0 = none */
	size_t child, last_child, next; /* index + 1 into nodes */
};

struct jtree {
	struct jnode *nodes;
	size_t n, cap;
	struct jattr *attrs;
	size_t n_attrs, cap_attrs;
	size_t *stack;
	size_t depth, cap_stack;
	struct hv_strbuf pool; /* escaped strings */
	bool in_attr;
	size_t text_start; /* pool offset where the current text began */
};

static size_t pool_add(struct jtree *t, const char *s, size_t len)
{
	size_t at = t->pool.len;

	hv_evtx_utf8_escaped(s, len, ESC_JSON, &t->pool);
	return at;
}

static void j_element_begin(void *ctx, const char *name, size_t len, int depth)
{
	struct jtree *t = ctx;
	struct jnode *n;
	size_t idx;

	(void)depth;
	HV_GROW(t->nodes, t->n, t->cap);
	idx = t->n++;
	n = &t->nodes[idx];
	memset(n, 0, sizeof(*n));
	n->name = pool_add(t, name, len);
	n->name_len = t->pool.len - n->name;
	if (t->depth) {
		struct jnode *parent = &t->nodes[t->stack[t->depth - 1]];

		if (parent->last_child)
			t->nodes[parent->last_child - 1].next = idx + 1;
		else
			parent->child = idx + 1;
		parent->last_child = idx + 1;
	}
	HV_GROW(t->stack, t->depth, t->cap_stack);
	t->stack[t->depth++] = idx;
	n->text = t->pool.len;
}

static void j_attribute_begin(void *ctx, const char *name, size_t len)
{
	struct jtree *t = ctx;
	struct jnode *n = &t->nodes[t->stack[t->depth - 1]];
	struct jattr *a;

	HV_GROW(t->attrs, t->n_attrs, t->cap_attrs);
	a = &t->attrs[t->n_attrs++];
	memset(a, 0, sizeof(*a));
	a->name = pool_add(t, name, len);
	a->name_len = t->pool.len - a->name;
	a->value = t->pool.len;
	if (n->last_attr)
		t->attrs[n->last_attr - 1].next = t->n_attrs;
	else
		n->attrs = t->n_attrs;
	n->last_attr = t->n_attrs;
	t->in_attr = true;
}

static void j_attribute_end(void *ctx)
{
	struct jtree *t = ctx;
	struct jattr *a = &t->attrs[t->n_attrs - 1];

	a->value_len = t->pool.len - a->value;
	t->in_attr = false;
}

static void j_content_begin(void *ctx, bool has_content, bool has_elements)
{
	struct jtree *t = ctx;

	(void)has_content;
	(void)has_elements;
	t->nodes[t->stack[t->depth - 1]].text = t->pool.len;
}

/* Text of an element is appended where it is; pieces of one element are
 * contiguous unless child elements come between, and those pieces are
 * then copied to the end. */
static void j_text(void *ctx, const struct hv_evtx_piece *piece)
{
	struct jtree *t = ctx;
	struct jnode *n;
	size_t at = t->pool.len;

	hv_evtx_piece_text(piece, ESC_JSON, &t->pool);
	if (t->in_attr)
		return;
	n = &t->nodes[t->stack[t->depth - 1]];
	if (n->text + n->text_len != at) {
		/* move the earlier text next to the new piece */
		struct hv_strbuf moved = HV_STRBUF_INIT;

		hv_strbuf_add(&moved, t->pool.buf + n->text, n->text_len);
		hv_strbuf_add(&moved, t->pool.buf + at, t->pool.len - at);
		t->pool.len = at;
		n->text = t->pool.len;
		hv_strbuf_add(&t->pool, moved.buf, moved.len);
		hv_strbuf_release(&moved);
	}
	n->text_len = t->pool.len - n->text;
}

static void j_element_end(void *ctx, const char *name, size_t len,
			  bool had_content, bool had_elements, int depth)
{
	struct jtree *t = ctx;

	(void)name;
	(void)len;
	(void)had_content;
	(void)had_elements;
	(void)depth;
	t->depth--;
}

static bool pool_is(const struct jtree *t, size_t at, size_t len, const char *s)
{
	return len == strlen(s) && memcmp(t->pool.buf + at, s, len) == 0;
}

/* EventData's <Data Name="N">text</Data> is keyed by N. */
static void name_of(const struct jtree *t, const struct jnode *parent,
		    const struct jnode *n, size_t *at, size_t *len)
{
	*at = n->name;
	*len = n->name_len;
	if (parent && pool_is(t, parent->name, parent->name_len, "EventData") &&
	    pool_is(t, n->name, n->name_len, "Data") && n->attrs) {
		const struct jattr *a = &t->attrs[n->attrs - 1];

		if (pool_is(t, a->name, a->name_len, "Name") && !a->next) {
			*at = a->value;
			*len = a->value_len;
		}
	}
}

static void quoted(struct hv_strbuf *out, const struct jtree *t, size_t at,
		   size_t len)
{
	hv_strbuf_addch(out, '"');
	hv_strbuf_add(out, t->pool.buf + at, len);
	hv_strbuf_addch(out, '"');
}

static void write_node(struct hv_strbuf *out, const struct jtree *t,
		       const struct jnode *parent, size_t idx, int depth);

struct member {
	const char *name;
	size_t len, node, pos;
};

static int by_name(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	if (c == 0 && x->len != y->len)
		c = x->len < y->len ? -1 : 1;
	if (c == 0)
		c = x->pos < y->pos ? -1 : x->pos > y->pos;
	return c;
}

static bool same_name(const struct member *x, const struct member *y)
{
	return x->len == y->len && memcmp(x->name, y->name, x->len) == 0;
}

/* Children grouped by name, groups in order of first appearance. The
 * members are sorted by name and position, so an element with many
 * children costs n log n, not n squared. */
static void write_children(struct hv_strbuf *out, const struct jtree *t,
			   const struct jnode *n, int depth, bool *comma)
{
	struct member *m = NULL;
	size_t count = 0, cap = 0, *head, i, j;

	for (size_t c = n->child; c; c = t->nodes[c - 1].next) {
		size_t at, len;

		name_of(t, n, &t->nodes[c - 1], &at, &len);
		HV_GROW(m, count, cap);
		m[count] = (struct member){t->pool.buf + at, len, c - 1, count};
		count++;
	}
	if (!count)
		return;
	qsort(m, count, sizeof(*m), by_name);
	/* head[pos] = 1 + where the run of that name starts in m */
	head = hv_calloc(count, sizeof(*head));
	for (i = 0; i < count; i = j) {
		for (j = i + 1; j < count && same_name(&m[j], &m[i]); j++)
			;
		head[m[i].pos] = i + 1;
	}
	for (size_t pos = 0; pos < count; pos++) {
		size_t start = head[pos], end;

		if (!start--)
			continue;
		for (end = start + 1;
		     end < count && same_name(&m[end], &m[start]); end++)
			;
		if (*comma)
			hv_strbuf_addch(out, ',');
		*comma = true;
		hv_strbuf_addch(out, '"');
		hv_strbuf_add(out, m[start].name, m[start].len);
		hv_strbuf_add(out, "\":", 2);
		if (end - start > 1)
			hv_strbuf_addch(out, '[');
		for (size_t k = start; k < end; k++) {
			if (k > start)
				hv_strbuf_addch(out, ',');
			write_node(out, t, n, m[k].node, depth + 1);
		}
		if (end - start > 1)
			hv_strbuf_addch(out, ']');
	}
	free(head);
	free(m);
}

static void write_node(struct hv_strbuf *out, const struct jtree *t,
		       const struct jnode *parent, size_t idx, int depth)
{
	const struct jnode *n = &t->nodes[idx];
	size_t at, len;
	bool comma = false, keyed;

	name_of(t, parent, n, &at, &len);
	keyed = at != n->name; /* Data keyed by its Name: no attributes */
	if ((!n->attrs || keyed) && !n->child) {
		if (n->text_len)
			quoted(out, t, n->text, n->text_len);
		else
			hv_strbuf_add(out, "null", 4);
		return;
	}
	hv_strbuf_addch(out, '{');
	if (n->attrs && !keyed) {
		hv_strbuf_adds(out, "\"#attributes\":{");
		for (size_t a = n->attrs; a; a = t->attrs[a - 1].next) {
			const struct jattr *x = &t->attrs[a - 1];

			if (a != n->attrs)
				hv_strbuf_addch(out, ',');
			quoted(out, t, x->name, x->name_len);
			hv_strbuf_addch(out, ':');
			quoted(out, t, x->value, x->value_len);
		}
		hv_strbuf_addch(out, '}');
		comma = true;
	}
	write_children(out, t, n, depth, &comma);
	if (n->text_len) {
		if (comma)
			hv_strbuf_addch(out, ',');
		hv_strbuf_adds(out, "\"#text\":");
		quoted(out, t, n->text, n->text_len);
	}
	hv_strbuf_addch(out, '}');
}

int hv_evtx_walk_json(const struct hv_evtx_ctx *ctx,
		      const struct hv_evtx_doc *doc, struct hv_strbuf *out,
		      bool placeholders, size_t *values)
{
	struct jtree t = {0};
	struct hv_evtx_sink sink = {
		.ctx = &t,
		.element_begin = j_element_begin,
		.attribute_begin = j_attribute_begin,
		.attribute_end = j_attribute_end,
		.content_begin = j_content_begin,
		.text = j_text,
		.element_end = j_element_end,
		.out = &t.pool,
		.placeholders = placeholders,
	};

	hv_evtx_walk(ctx, doc, &sink, 0);
	*values = sink.values;
	hv_strbuf_addch(out, '{');
	if (t.n) {
		quoted(out, &t, t.nodes[0].name, t.nodes[0].name_len);
		hv_strbuf_addch(out, ':');
		write_node(out, &t, NULL, 0, 0);
	}
	hv_strbuf_add(out, "}\n", 2);
	free(t.nodes);
	free(t.attrs);
	free(t.stack);
	hv_strbuf_release(&t.pool);
	return sink.cut ? -1 : 0;
}

int hv_evtx_render_json(const struct hv_evtx_record *rec, struct hv_strbuf *out)
{
	return hv_evtx_plan_render(rec, false, out);
}
