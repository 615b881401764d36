/* The walk over an event: a compiled template and a record's values,
 * handed to a writer (XML, JSON, event data) as elements, attributes and
 * text pieces. The rules of substitution live here, once:
 *
 *  - an optional substitution whose value is NULL removes its attribute,
 *    and an element whose content is only such substitutions ([MS-EVEN6]
 *    2.2.12, OptionalSubstitution; libyal notes, "Optional
 *    substitution");
 *  - an array value repeats its element once per item (libyal notes,
 *    "Normal substitution"); an empty array leaves one empty element;
 *  - a BinXml value (type 0x21) is binary XML of its own, walked in
 *    place, with its own template and values ([MS-EVEN6] 4.8).
 *
 * Nesting is bounded (MAX_NEST), and so is the output (the sink's
 * limit): a record cannot make the walk run without end. */
#include "sources/evtx/evtx_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NEST 8
/* Array substitutions one element can repeat over together. */
#define MAX_ARRAYS 8

struct walk {
	const struct hv_evtx_ctx *ctx;
	struct hv_evtx_sink *sink;
	int nest;
	uint16_t outer; /* the BinXml value being walked, or PLAN_TOP */
	const struct hv_evtx_node *skip; /* a node left out, or NULL */
	size_t end; /* the sink's output may grow up to here */
};

static const struct hv_evtx_value null_value = {.type = VT_NULL};

/* The length the sink's output may reach: the budget is per record, so
 * it counts from where this walk starts, not from the start of a buffer
 * that holds the records before it. */
static size_t limit_of(const struct hv_evtx_ctx *ctx,
		       const struct hv_evtx_sink *sink)
{
	size_t budget = ctx->budget ? ctx->budget : HV_EVTX_RENDER_LIMIT;

	return (sink->out ? sink->out->len : 0) + budget;
}

static const struct hv_evtx_value *value_of(const struct hv_evtx_doc *doc,
					    const struct hv_evtx_node *n)
{
	return n->subst_id < doc->n_values ? &doc->values[n->subst_id]
					   : &null_value;
}

static bool stop(const struct walk *w)
{
	struct hv_evtx_sink *s = w->sink;

	if (!s->cut && s->out && s->out->len > w->end)
		s->cut = true;
	return s->cut;
}

/* A BinXml value as a doc of its own; the caller releases it. */
static bool nested_doc(const struct walk *w, const struct hv_evtx_value *v,
		       struct hv_evtx_doc *doc, struct hv_evtx_value **values,
		       size_t *cap)
{
	const struct hv_evtx_ctx *ctx = w->ctx;
	struct hv_cursor cur;
	const char *why = NULL;

	if (w->nest >= MAX_NEST || v->data < ctx->chunk ||
	    v->data + v->size > ctx->chunk + ctx->chunk_len)
		return false;
	hv_cursor_init(&cur, v->data, v->size,
		       ctx->base + (size_t)(v->data - ctx->chunk));
	return hv_evtx_doc_read(ctx, &cur, doc, values, cap, &why) == 0;
}

static void walk_doc(struct walk *w, const struct hv_evtx_doc *doc, int depth);

static void walk_binxml(struct walk *w, const struct hv_evtx_value *v,
			uint16_t id, int depth)
{
	struct hv_evtx_doc doc = {0};
	struct hv_evtx_value *values = NULL;
	size_t cap = 0;
	uint16_t outer = w->outer;

	if (nested_doc(w, v, &doc, &values, &cap)) {
		w->nest++;
		w->outer = id;
		walk_doc(w, &doc, depth);
		w->outer = outer;
		w->nest--;
	}
	hv_evtx_tpl_free(doc.literal);
	free(values);
}

static void text_piece(struct walk *w, const struct hv_evtx_doc *doc,
		       const struct hv_evtx_node *n,
		       const struct hv_evtx_value *v)
{
	struct hv_evtx_piece piece = {n, doc->tpl, *v, w->sink->placeholders,
				      w->outer};

	if (n->kind == NODE_SUBST)
		w->sink->values++;
	w->sink->text(w->sink->ctx, &piece);
}

/* Does the value render anything (a nested document always may)? */
static bool value_shows(const struct hv_evtx_value *v)
{
	if (v->type & VT_ARRAY)
		return v->size > 0;
	return !hv_evtx_value_empty(v);
}

static void walk_element(struct walk *w, const struct hv_evtx_doc *doc,
			 uint32_t el, int depth);

/* Content of an element or attribute; items[k] is the current item of
 * the k-th array substitution when the element repeats. */
static void walk_content(struct walk *w, const struct hv_evtx_doc *doc,
			 uint32_t first, int depth,
			 const struct hv_evtx_value *items)
{
	const struct hv_evtx_tpl *t = doc->tpl;
	int k = 0;

	for (uint32_t i = first; i != NODE_NONE && !stop(w);
	     i = t->nodes[i].next) {
		const struct hv_evtx_node *n = &t->nodes[i];
		const struct hv_evtx_value *v;

		if (n == w->skip) {
			continue;
		} else if (n->kind == NODE_ELEMENT) {
			walk_element(w, doc, i, depth);
		} else if (n->kind == NODE_PI) {
			if (w->sink->pi)
				w->sink->pi(w->sink->ctx, t->pool + n->str,
					    n->str_len, t->pool + n->str2,
					    n->str2_len, depth);
		} else if (n->kind != NODE_SUBST) {
			text_piece(w, doc, n, &null_value);
		} else if ((v = value_of(doc, n))->type == VT_BINXML) {
			walk_binxml(w, v, n->subst_id, depth);
		} else if ((v->type & VT_ARRAY) && items && k < MAX_ARRAYS) {
			text_piece(w, doc, n, &items[k++]);
		} else if (v->type != VT_NULL) {
			text_piece(w, doc, n, v);
		}
	}
}

static bool all_null(const struct hv_evtx_doc *doc, uint32_t first)
{
	const struct hv_evtx_tpl *t = doc->tpl;

	for (uint32_t i = first; i != NODE_NONE; i = t->nodes[i].next)
		if (value_of(doc, &t->nodes[i])->type != VT_NULL)
			return false;
	return true;
}

/* An element goes when its content is only optional substitutions and
 * all of them are NULL. */
static bool element_omitted(const struct hv_evtx_doc *doc, uint32_t el)
{
	const struct hv_evtx_node *n = &doc->tpl->nodes[el];

	return (n->flags & EL_ONLY_OPTIONAL) && all_null(doc, n->child);
}

/* True when content (a list of nodes) renders something; items are the
 * current array items when the element repeats. */
static bool content_shows(const struct hv_evtx_doc *doc, uint32_t first,
			  const struct hv_evtx_value *items, bool *has_elements)
{
	const struct hv_evtx_tpl *t = doc->tpl;
	bool shows = false;
	int k = 0;

	for (uint32_t i = first; i != NODE_NONE; i = t->nodes[i].next) {
		const struct hv_evtx_node *n = &t->nodes[i];
		const struct hv_evtx_value *v;

		if (n->kind == NODE_ELEMENT) {
			if (!element_omitted(doc, i))
				*has_elements = shows = true;
		} else if (n->kind == NODE_PI) {
			*has_elements = shows = true;
		} else if (n->kind != NODE_SUBST) {
			shows = shows || n->kind != NODE_TEXT || n->str_len;
		} else if ((v = value_of(doc, n))->type == VT_BINXML) {
			*has_elements = true;
			shows = shows || v->size > 0;
		} else if ((v->type & VT_ARRAY) && items && k < MAX_ARRAYS) {
			shows = shows || value_shows(&items[k++]);
		} else {
			shows = shows || value_shows(v);
		}
	}
	return shows;
}

/* An optional substitution with a NULL value leaves no attribute; an
 * attribute made only of substitutions that are all NULL goes too. */
static bool attribute_shows(const struct hv_evtx_doc *doc, uint32_t attr)
{
	const struct hv_evtx_tpl *t = doc->tpl;

	for (uint32_t i = t->nodes[attr].child; i != NODE_NONE;
	     i = t->nodes[i].next) {
		const struct hv_evtx_node *n = &t->nodes[i];

		if (n->kind != NODE_SUBST || value_of(doc, n)->type != VT_NULL)
			return true;
	}
	return false;
}

static void walk_attributes(struct walk *w, const struct hv_evtx_doc *doc,
			    uint32_t first)
{
	const struct hv_evtx_tpl *t = doc->tpl;

	for (uint32_t a = first; a != NODE_NONE; a = t->nodes[a].next) {
		if (!attribute_shows(doc, a))
			continue;
		w->sink->attribute_begin(w->sink->ctx,
					 t->pool + t->nodes[a].str,
					 t->nodes[a].str_len);
		walk_content(w, doc, t->nodes[a].child, 0, NULL);
		w->sink->attribute_end(w->sink->ctx);
	}
}

static void emit_element(struct walk *w, const struct hv_evtx_doc *doc,
			 uint32_t el, int depth,
			 const struct hv_evtx_value *items)
{
	const struct hv_evtx_tpl *t = doc->tpl;
	const struct hv_evtx_node *n = &t->nodes[el];
	const char *name = t->pool + n->str;
	bool elements = false, shows;

	shows = content_shows(doc, n->child, items, &elements);
	w->sink->element_begin(w->sink->ctx, name, n->str_len, depth);
	walk_attributes(w, doc, n->attrs);
	w->sink->content_begin(w->sink->ctx, shows, elements);
	if (shows)
		walk_content(w, doc, n->child, depth + 1, items);
	w->sink->element_end(w->sink->ctx, name, n->str_len, shows, elements,
			     depth);
}

/* An element whose content holds array values is written once per item,
 * the k-th array substitution giving its item to the k-th copy. */
static bool walk_array_element(struct walk *w, const struct hv_evtx_doc *doc,
			       uint32_t el, int depth)
{
	const struct hv_evtx_tpl *t = doc->tpl;
	const struct hv_evtx_value *arrays[MAX_ARRAYS];
	struct hv_evtx_value items[MAX_ARRAYS] = {{0}};
	size_t pos[MAX_ARRAYS] = {0};
	int n = 0;

	for (uint32_t i = t->nodes[el].child; i != NODE_NONE && n < MAX_ARRAYS;
	     i = t->nodes[i].next) {
		const struct hv_evtx_value *v;

		if (t->nodes[i].kind == NODE_SUBST &&
		    ((v = value_of(doc, &t->nodes[i]))->type & VT_ARRAY))
			arrays[n++] = v;
	}
	if (n == 0)
		return false;
	for (bool first = true; !stop(w); first = false) {
		bool any = false;

		for (int k = 0; k < n; k++) {
			if (hv_evtx_array_next(arrays[k], &pos[k], &items[k])) {
				any = true;
			} else {
				items[k].type = VT_NULL;
				items[k].size = 0;
				items[k].data = NULL;
			}
		}
		if (!any && !first)
			break;
		emit_element(w, doc, el, depth, items);
		if (!any)
			break;
	}
	return true;
}

static void walk_element(struct walk *w, const struct hv_evtx_doc *doc,
			 uint32_t el, int depth)
{
	const struct hv_evtx_node *n = &doc->tpl->nodes[el];

	if (element_omitted(doc, el))
		return;
	if ((n->flags & EL_HAS_SUBST) && walk_array_element(w, doc, el, depth))
		return;
	emit_element(w, doc, el, depth, NULL);
}

static void walk_doc(struct walk *w, const struct hv_evtx_doc *doc, int depth)
{
	walk_content(w, doc, doc->tpl->root, depth, NULL);
}

void hv_evtx_walk(const struct hv_evtx_ctx *ctx, const struct hv_evtx_doc *doc,
		  struct hv_evtx_sink *sink, int depth)
{
	struct walk w = {ctx, sink, 0, PLAN_TOP, NULL, limit_of(ctx, sink)};

	walk_doc(&w, doc, depth);
}

void hv_evtx_walk_element(const struct hv_evtx_ctx *ctx,
			  const struct hv_evtx_doc *doc, uint32_t el,
			  struct hv_evtx_sink *sink, int depth)
{
	struct walk w = {ctx, sink, 0, PLAN_TOP, NULL, limit_of(ctx, sink)};

	walk_element(&w, doc, el, depth);
}

void hv_evtx_walk_children(const struct hv_evtx_ctx *ctx,
			   const struct hv_evtx_doc *doc, uint32_t el,
			   uint32_t skip, struct hv_evtx_sink *sink, int depth)
{
	const struct hv_evtx_tpl *t = doc->tpl;
	struct walk w = {ctx,
			 sink,
			 0,
			 PLAN_TOP,
			 skip == NODE_NONE ? NULL : &t->nodes[skip],
			 limit_of(ctx, sink)};

	walk_content(&w, doc, t->nodes[el].child, depth, NULL);
}

/* [MS-EVEN6] 2.2.12: a character reference is written "&#N;" and an
 * entity reference "&name;" in XML; as text they are the character. */
static void reference_text(const struct hv_evtx_piece *p,
			   enum hv_evtx_escape esc, struct hv_strbuf *out)
{
	static const struct {
		const char *name, *c;
	} entities[] = {{"amp", "&"},
			{"lt", "<"},
			{"gt", ">"},
			{"quot", "\""},
			{"apos", "'"}};
	const struct hv_evtx_node *n = p->node;
	const char *name = p->tpl->pool + n->str;
	unsigned char u[2];

	if (esc == ESC_XML_TEXT || esc == ESC_XML_ATTR) {
		if (n->kind == NODE_CHARREF)
			hv_strbuf_addf(out, "&#%u;", n->charref);
		else
			hv_strbuf_addf(out, "&%s;", name);
		return;
	}
	if (n->kind == NODE_CHARREF) {
		u[0] = (unsigned char)(n->charref & 0xff);
		u[1] = (unsigned char)(n->charref >> 8);
		hv_evtx_utf16_escaped(u, 1, esc, out);
		return;
	}
	for (size_t i = 0; i < sizeof(entities) / sizeof(*entities); i++)
		if (strcmp(name, entities[i].name) == 0) {
			hv_evtx_utf8_escaped(entities[i].c, 1, esc, out);
			return;
		}
	hv_strbuf_addf(out, "&%s;", name);
}

void hv_evtx_piece_text(const struct hv_evtx_piece *p, enum hv_evtx_escape esc,
			struct hv_strbuf *out)
{
	const struct hv_evtx_node *n = p->node;
	const char *s = p->tpl->pool + n->str;

	switch (n->kind) {
	case NODE_SUBST:
		/* A value that shows nothing is written as itself (nothing):
		 * its class is in the plan's key, and a placeholder would
		 * give JSON a "#text" the walk does not write. */
		if (p->placeholder && !hv_evtx_value_empty(&p->value)) {
			char mark[PLAN_MARK_LEN + 1];

			snprintf(mark, sizeof(mark), "\x01%d%04x%04x\x02",
				 (int)esc, p->outer, n->subst_id);
			hv_evtx_put(out, mark, PLAN_MARK_LEN);
			break;
		}
		hv_evtx_value_text(&p->value, esc, out);
		break;
	case NODE_CHARREF:
	case NODE_ENTITY:
		reference_text(p, esc, out);
		break;
	case NODE_CDATA:
		if (esc == ESC_XML_TEXT) {
			hv_strbuf_adds(out, "<![CDATA[");
			hv_strbuf_add(out, s, n->str_len);
			hv_strbuf_adds(out, "]]>");
		} else {
			hv_evtx_utf8_escaped(s, n->str_len, esc, out);
		}
		break;
	default:
		hv_evtx_utf8_escaped(s, n->str_len, esc, out);
	}
}

/* Plain text of one node's content, for the System fields. */
static void plain_text(void *ctx, const struct hv_evtx_piece *piece)
{
	hv_evtx_piece_text(piece, ESC_NONE, ctx);
}

void hv_evtx_node_text(const struct hv_evtx_ctx *ctx,
		       const struct hv_evtx_doc *doc, uint32_t node,
		       struct hv_strbuf *out)
{
	const struct hv_evtx_tpl *t = doc->tpl;

	for (uint32_t i = t->nodes[node].child; i != NODE_NONE;
	     i = t->nodes[i].next) {
		const struct hv_evtx_node *n = &t->nodes[i];
		struct hv_evtx_piece piece = {n, t, null_value, false,
					      PLAN_TOP};

		if (n->kind == NODE_ELEMENT || n->kind == NODE_PI)
			continue;
		if (n->kind == NODE_SUBST)
			piece.value = *value_of(doc, n);
		plain_text(out, &piece);
	}
	(void)ctx;
}
