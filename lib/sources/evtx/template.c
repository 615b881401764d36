/* Template instances and their substitution arrays ([MS-EVEN6] 2.2.12,
 * TemplateInstance; libyal notes, "Template instance" and "Template
 * definition").
 *
 * An instance names its definition by chunk-relative offset. The first
 * record in a chunk that uses a template carries the definition inline
 * (the offset points right after itself); later records only point back.
 * Each definition is compiled once per chunk and kept in a small hash
 * table by offset, with a budget so that a chunk full of fake
 * definitions cannot make the reader compile without end. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

/* Definition header: next definition offset (4), GUID (16), data size
 * (4); the binary XML follows. */
#define DEFINITION_HEADER 24u
/* Nodes compiled per chunk at most: real chunks need a few thousand. */
#define NODE_BUDGET (1u << 18)
/* Nodes kept in the shared cache; past this it is emptied (with the
 * plans that point at it) before the next chunk. */
#define SHARED_BUDGET (1u << 18)

static size_t slot_of(uint32_t off, size_t cap)
{
	return (size_t)((off * 2654435761u) >> 7) & (cap - 1);
}

static struct hv_evtx_tpl_slot *find_slot(struct hv_evtx_reader *r,
					  uint32_t off)
{
	size_t i;

	if (!r->cap_tpls)
		return NULL;
	for (i = slot_of(off, r->cap_tpls); r->tpls[i].used;
	     i = (i + 1) & (r->cap_tpls - 1))
		if (r->tpls[i].offset == off)
			return &r->tpls[i];
	return NULL;
}

static void grow_table(struct hv_evtx_reader *r)
{
	struct hv_evtx_tpl_slot *old = r->tpls;
	size_t old_cap = r->cap_tpls;

	r->cap_tpls = old_cap ? old_cap * 2 : 64;
	r->tpls = hv_calloc(r->cap_tpls, sizeof(*r->tpls));
	for (size_t i = 0; i < old_cap; i++) {
		size_t k;

		if (!old[i].used)
			continue;
		k = slot_of(old[i].offset, r->cap_tpls);
		while (r->tpls[k].used)
			k = (k + 1) & (r->cap_tpls - 1);
		r->tpls[k] = old[i];
	}
	free(old);
}

static struct hv_evtx_tpl_slot *add_slot(struct hv_evtx_reader *r, uint32_t off)
{
	size_t i;

	if ((r->n_tpls + 1) * 2 > r->cap_tpls)
		grow_table(r);
	i = slot_of(off, r->cap_tpls);
	while (r->tpls[i].used)
		i = (i + 1) & (r->cap_tpls - 1);
	r->tpls[i].used = true;
	r->tpls[i].offset = off;
	r->tpls[i].tpl = NULL;
	r->tpls[i].why = NULL;
	r->n_tpls++;
	return &r->tpls[i];
}

static struct hv_evtx_tpl *compile_definition(const struct hv_evtx_ctx *ctx,
					      uint32_t off,
					      struct hv_evtx_deps *deps,
					      const char **why)
{
	struct hv_cursor cur, body;
	uint32_t size;

	deps->reusable = true;
	deps->n = 0;

	hv_cursor_init(&cur, ctx->chunk, ctx->chunk_len, ctx->base);
	if (!hv_cursor_seek(&cur, off) || !hv_cursor_skip(&cur, 20)) {
		*why = "template definition outside the chunk";
		return NULL;
	}
	size = hv_cursor_le32(&cur);
	if (!hv_cursor_sub(&cur, size, &body)) {
		*why = "template definition runs past the chunk";
		return NULL;
	}
	deps->lo = off;
	deps->hi = off + DEFINITION_HEADER + size;
	return hv_evtx_tpl_compile_deps(ctx, &body, deps, why);
}

/* Hashes n bytes into h eight at a time (multiply and fold). */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001B3ull;
	return h;
}

/* A hash of what a compiled template is: its tree and its strings. Two
 * chunks define the same template at different offsets, with names at
 * different offsets, but compile it to the same tree. */
static uint64_t signature(const struct hv_evtx_tpl *t)
{
	uint64_t h = 1469598103934665603ull;

	h = hash_bytes(h, t->nodes, (size_t)t->n_nodes * sizeof(*t->nodes));
	h = hash_bytes(h, t->pool, t->pool_len);
	return h ^ (h >> 29) ^ t->root;
}

static bool same_tree(const struct hv_evtx_tpl *a, const struct hv_evtx_tpl *b)
{
	return a->sig == b->sig && a->n_nodes == b->n_nodes &&
	       a->root == b->root && a->pool_len == b->pool_len &&
	       memcmp(a->nodes, b->nodes, a->n_nodes * sizeof(*a->nodes)) ==
		       0 &&
	       memcmp(a->pool, b->pool, a->pool_len) == 0;
}

static void shared_grow(struct hv_evtx_reader *r)
{
	struct hv_evtx_tpl **old = r->shared;
	size_t old_cap = r->cap_shared;

	r->cap_shared = old_cap ? old_cap * 2 : 64;
	r->shared = hv_calloc(r->cap_shared, sizeof(struct hv_evtx_tpl *));
	for (size_t i = 0; i < old_cap; i++) {
		size_t k;

		if (!old[i])
			continue;
		k = (size_t)old[i]->sig & (r->cap_shared - 1);
		while (r->shared[k])
			k = (k + 1) & (r->cap_shared - 1);
		r->shared[k] = old[i];
	}
	free(old);
}

/* The shared copy of a freshly compiled template: an identical one
 * compiled for an earlier chunk, or this one, kept. */
static const struct hv_evtx_tpl *share(struct hv_evtx_reader *r,
				       struct hv_evtx_tpl *t)
{
	size_t i;

	t->sig = signature(t);
	if ((r->n_shared + 1) * 2 > r->cap_shared)
		shared_grow(r);
	for (i = (size_t)t->sig & (r->cap_shared - 1); r->shared[i];
	     i = (i + 1) & (r->cap_shared - 1)) {
		if (same_tree(r->shared[i], t)) {
			hv_evtx_tpl_free(t);
			return r->shared[i];
		}
	}
	r->shared[i] = t;
	r->n_shared++;
	r->shared_nodes += t->n_nodes;
	return t;
}

static void shared_clear(struct hv_evtx_reader *r)
{
	hv_evtx_plans_reset(r);	   /* plans point at the shared templates */
	hv_evtx_defcache_clear(r); /* and so do the kept definitions */
	for (size_t i = 0; i < r->cap_shared; i++) {
		hv_evtx_tpl_free(r->shared[i]);
		r->shared[i] = NULL;
	}
	r->n_shared = 0;
	r->shared_nodes = 0;
}

const struct hv_evtx_tpl *hv_evtx_template_at(const struct hv_evtx_ctx *ctx,
					      uint32_t off, const char **why)
{
	struct hv_evtx_reader *r = ctx->reader;
	struct hv_evtx_tpl_slot *slot;

	/* records of one template come in runs, each with its EventData
	 * template: the last two answers first */
	for (int i = 0; i < 2; i++)
		if (r->last_tpl[i] && r->last_offset[i] == off) {
			*why = NULL;
			return r->last_tpl[i];
		}
	slot = find_slot(r, off);
	if (slot) {
		*why = slot->why;
		r->last_offset[1] = r->last_offset[0];
		r->last_tpl[1] = r->last_tpl[0];
		r->last_offset[0] = off;
		r->last_tpl[0] = slot->tpl;
		return slot->tpl;
	}
	slot = add_slot(r, off);
	if (r->nodes_compiled > NODE_BUDGET) {
		slot->why = "too many template definitions in one chunk";
	} else if ((slot->tpl = hv_evtx_defcache_find(r, ctx, off))) {
		/* counted as if compiled: the budget stays what it was */
		r->nodes_compiled += slot->tpl->n_nodes;
	} else {
		struct hv_evtx_deps deps;
		struct hv_evtx_tpl *t =
			compile_definition(ctx, off, &deps, &slot->why);

		if (t) {
			r->nodes_compiled += t->n_nodes;
			slot->tpl = share(r, t);
			hv_evtx_defcache_add(r, ctx, off, &deps, slot->tpl);
		}
	}
	*why = slot->why;
	return slot->tpl;
}

void hv_evtx_templates_reset(struct hv_evtx_reader *r)
{
	r->last_tpl[0] = r->last_tpl[1] = NULL;
	for (size_t i = 0; i < r->cap_tpls; i++)
		r->tpls[i].used = false;
	r->n_tpls = 0;
	r->nodes_compiled = 0;
	if (r->shared_nodes > SHARED_BUDGET)
		shared_clear(r);
}

void hv_evtx_templates_release(struct hv_evtx_reader *r)
{
	hv_evtx_templates_reset(r);
	shared_clear(r);
	hv_evtx_defcache_release(r);
	free(r->tpls);
	free(r->shared);
	r->tpls = NULL;
	r->shared = NULL;
	r->cap_tpls = 0;
	r->cap_shared = 0;
}

/* The value's enum hv_evtx_class: as hv_evtx_value_empty() decides
 * what shows, and the walk what is an array or a nested document. The
 * fixed-size and number types (0x03-0x15) are most values: one test. */
static inline uint8_t class_of(uint8_t type, uint32_t size,
			       const unsigned char *data)
{
	if ((uint8_t)(type - VT_INT8) <= VT_HEX64 - VT_INT8)
		return size ? CLASS_TEXT : CLASS_EMPTY;
	if (type & VT_ARRAY)
		return CLASS_ARRAY;
	switch (type) {
	case VT_NULL:
		return CLASS_NULL;
	case VT_STRING:
	case VT_EVTXML:
		return size >= 2 && (data[0] | data[1]) ? CLASS_TEXT
							: CLASS_EMPTY;
	case VT_ANSI:
		return size && data[0] ? CLASS_TEXT : CLASS_EMPTY;
	case VT_BINXML:
		return size ? CLASS_BINXML : CLASS_BINXML_EMPTY;
	default:
		return size ? CLASS_TEXT : CLASS_EMPTY;
	}
}

/* The cursor's unread bytes: the hot paths below check a length once
 * and read the bytes directly (the cursor calls cost more than the
 * reads); a failure goes through the cursor so that it fails as it
 * always did, at the same offset. */
static inline size_t left_of(const struct hv_cursor *cur)
{
	return cur->failed ? 0 : cur->len - cur->pos;
}

/* The substitution array: a count, then (size, type, 0) per value, then
 * the values back to back ([MS-EVEN6] TemplateInstanceData). One pass:
 * each value is bounded by what is left as it is read. */
static int read_values(struct hv_cursor *cur, struct hv_evtx_value **values,
		       size_t *cap, struct hv_evtx_doc *doc, const char **why)
{
	size_t left = left_of(cur), n;
	const unsigned char *desc = cur->data + cur->pos, *data;
	struct hv_evtx_value *v;
	uint8_t *cls;
	unsigned mask = 0;

	if (left < 4 || (n = hv_le32(desc)) > (left - 4) / 4) {
		if (left >= 4)
			hv_cursor_skip(cur, 4);
		else
			hv_cursor_le32(cur);
		*why = "substitution count larger than its record";
		return -1;
	}
	desc += 4;
	if (n == 0) { /* no array to point into (NULL + 0 is undefined) */
		cur->pos = (size_t)(desc - cur->data);
		doc->classes = NULL;
		doc->n_values = 0;
		doc->class_mask = 0;
		return 0;
	}
	left -= 4 + n * 4;
	if (!*values || n > *cap) {
		*cap = n > *cap ? n : *cap;
		/* the values, then their classes: a byte each, copied into
		   the plan key at once (plan.c) */
		*values = hv_reallocarray(*values, *cap, sizeof(**values) + 1);
	}
	data = desc + n * 4;
	v = *values;
	cls = (uint8_t *)(*values + *cap);
	doc->classes = cls;
	for (size_t i = 0; i < n; i++, v++, desc += 4) {
		uint32_t size = hv_le16(desc);

		if (size > left) {
			/* fail the cursor where the values start */
			hv_cursor_skip(cur, 4 + n * 4);
			hv_cursor_skip(cur, left_of(cur) + 1);
			*why = "substitution value runs past its record";
			return -1;
		}
		v->size = size;
		v->type = desc[2];
		v->data = data;
		v->cls = cls[i] = class_of(desc[2], size, data);
		mask |= 1u << v->cls;
		data += size;
		left -= size;
	}
	cur->pos = (size_t)(data - cur->data);
	doc->n_values = n;
	doc->class_mask = mask;
	return 0;
}

static int read_instance(const struct hv_evtx_ctx *ctx, struct hv_cursor *cur,
			 struct hv_evtx_doc *doc, struct hv_evtx_value **values,
			 size_t *cap, const char **why)
{
	/* token, an unknown byte, template id (4), definition offset (4) */
	const unsigned char *head = cur->data + cur->pos;
	uint32_t def, at;

	if (left_of(cur) < 10) {
		hv_cursor_skip(cur, 10);
		*why = "template instance cut short";
		return -1;
	}
	cur->pos += 10;
	def = hv_le32(head + 6);
	at = (uint32_t)(cur->base + cur->pos - ctx->base);
	/* an inline definition: the instance data follows it */
	if (def == at) {
		uint32_t size;

		hv_cursor_skip(cur, 20);
		size = hv_cursor_le32(cur);
		if (!hv_cursor_skip(cur, size)) {
			*why = "inline template definition runs past its "
			       "record";
			return -1;
		}
	}
	doc->tpl = hv_evtx_template_at(ctx, def, why);
	if (!doc->tpl)
		return -1;
	if (read_values(cur, values, cap, doc, why) < 0)
		return -1;
	doc->values = *values;
	return 0;
}

int hv_evtx_doc_read(const struct hv_evtx_ctx *ctx, struct hv_cursor *cur,
		     struct hv_evtx_doc *doc, struct hv_evtx_value **values,
		     size_t *cap_values, const char **why)
{
	uint8_t tok;

	memset(doc, 0, sizeof(*doc));
	/* [MS-EVEN6]: 0*FragmentHeader ( Element / TemplateInstance ) */
	while (left_of(cur) >= 4 && cur->data[cur->pos] == TOK_FRAGMENT)
		cur->pos += 4;
	if (!left_of(cur)) {
		*why = "no binary XML";
		return -1;
	}
	tok = cur->data[cur->pos];
	if (tok == TOK_TEMPLATE)
		return read_instance(ctx, cur, doc, values, cap_values, why);
	if ((tok & ~TOK_MORE) == TOK_OPEN_START) {
		struct hv_evtx_tpl *t = hv_evtx_tpl_compile(ctx, cur, why);

		if (!t)
			return -1;
		doc->tpl = doc->literal = t;
		return 0;
	}
	*why = "binary XML that starts with neither an element nor a "
	       "template";
	return -1;
}
