/* Rendering plans: most records of a log use a few templates, and the
 * XML or JSON of a template depends on the record only through its
 * values' text and through which values are NULL, empty or set (that
 * decides which attributes and elements appear, and <a/> or <a>..</a>).
 * So a record is rendered once with placeholders for its values, that
 * output is cut into literal text and value references, and every later
 * record of the same template with the same pattern is written by
 * copying the text and formatting its values: nothing is walked again.
 *
 * The pattern (the plan's key) holds the template, each value's class,
 * and for each binary XML value (EventData and UserData of most logs are
 * one, a template of their own) that template and its values' classes.
 * Deeper nesting, arrays, literal XML and anything a placeholder could
 * be confused with fall back to the walk. Templates are shared between
 * chunks (template.c), so a plan serves the whole file; at PLANS_MAX
 * the plans are dropped and made again as needed. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

#define PLANS_MAX 512u		   /* per chunk */
#define KEY_MAX 1024u		   /* bytes */
#define NESTED_MAX HV_EVTX_SCRATCH /* binary XML values in a record */

/* A value, then the literal text up to the next one. */
struct op {
	uint8_t esc;
	uint16_t outer;	   /* PLAN_TOP or the nested doc's BinXml value; once
			      cut, the doc: 0 the record's, 1 + i nested[i] */
	uint16_t id;	   /* value */
	uint32_t off, len; /* the text after it, in text */
};

/* Literal text is copied 32 bytes at a time for short runs: the text
 * has that many bytes of padding, and the output that much room. */
#define COPY_SLACK 32u

/* Most values of a template repeat from record to record (provider,
 * GUID, level, channel, computer...): each op keeps its last value's
 * bytes and text, and copies the text when the bytes are the same. An
 * op whose value changed MEMO_GIVE_UP records in a row (a time, a
 * record number) stops trying. */
#define MEMO_RAW 32u
#define MEMO_OUT 64u /* no more than any value's bound */
#define MEMO_GIVE_UP 4u

struct memo {
	uint8_t type, raw_len, out_len;
	uint8_t misses; /* in a row */
	bool set;
	unsigned char raw[MEMO_RAW];
	char out[MEMO_OUT];
};

struct hv_evtx_plan {
	unsigned char *key;
	size_t key_len;
	uint32_t hash;
	uint32_t lead; /* text before the first value, at text[0] */
	struct op *ops;
	struct memo *memos; /* one per op */
	size_t n_ops;
	char *text;  /* COPY_SLACK bytes longer than the rendering */
	bool usable; /* false: recorded but cannot be replayed */
};

struct nested {
	uint16_t id; /* the BinXml value */
	struct hv_evtx_doc doc;
};

struct key {
	unsigned char buf[KEY_MAX];
	size_t len;
	bool ok;
	struct nested nested[NESTED_MAX];
	size_t n_nested;
};

static void key_add(struct key *k, const void *p, size_t n)
{
	if (!k->ok || k->len + n > sizeof(k->buf)) {
		k->ok = false;
		return;
	}
	memcpy(k->buf + k->len, p, n);
	k->len += n;
}

/* The template and its values' classes (enum hv_evtx_class, read with
 * the values): NULL, empty or text decide which attributes and
 * elements appear; a nested document's pattern follows the key. Arrays
 * repeat elements, and nesting deeper than one level is left to the
 * walk. Returns where the classes are in the key. */
static size_t key_doc(struct key *k, const struct hv_evtx_doc *doc, bool nested)
{
	uint16_t n = doc->tpl->max_subst;
	size_t m = doc->n_values < n ? doc->n_values : n, at;
	uintptr_t tpl = (uintptr_t)doc->tpl; /* the template is the key */
	const unsigned nested_bits =
		1u << CLASS_BINXML_EMPTY | 1u << CLASS_BINXML;
	unsigned mask = doc->class_mask;
	unsigned char *c;

	key_add(k, &tpl, sizeof(tpl));
	key_add(k, &n, sizeof(n));
	if (!k->ok || k->len + n > sizeof(k->buf)) {
		k->ok = false;
		return 0;
	}
	at = k->len;
	c = k->buf + at;
	if (m)
		memcpy(c, doc->classes, m);
	if (m < n)
		memset(c + m, CLASS_NULL, n - m);
	if (m < doc->n_values) { /* values past the template's: not keyed */
		mask = 0;
		for (size_t i = 0; i < m; i++)
			mask |= 1u << c[i];
	}
	if ((mask & 1u << CLASS_ARRAY) || (nested && (mask & nested_bits)))
		k->ok = false;
	k->len += n;
	return at;
}

static void key_release(struct key *k)
{
	for (size_t i = 0; i < k->n_nested; i++)
		hv_evtx_tpl_free(k->nested[i].doc.literal);
}

/* Reads the nested document of value i for the replay and adds its
 * pattern to the key. */
static void key_nested(const struct hv_evtx_ctx *ctx,
		       const struct hv_evtx_doc *doc, uint16_t i, struct key *k)
{
	struct hv_evtx_reader *r = ctx->reader;
	const struct hv_evtx_value *v = &doc->values[i];
	struct nested *nd;
	struct hv_cursor cur;
	const char *why;

	if (k->n_nested == NESTED_MAX) {
		k->ok = false;
		return;
	}
	nd = &k->nested[k->n_nested++];
	memset(nd, 0, sizeof(*nd));
	nd->id = i;
	hv_cursor_init(&cur, v->data, v->size,
		       ctx->base + (size_t)(v->data - ctx->chunk));
	if (hv_evtx_doc_read(ctx, &cur, &nd->doc, &r->scratch[k->n_nested - 1],
			     &r->scratch_cap[k->n_nested - 1], &why) < 0 ||
	    nd->doc.literal) {
		k->ok = false; /* the walk reports it as it is */
		return;
	}
	key_add(k, &i, sizeof(i));
	key_doc(k, &nd->doc, true);
}

/* The record's pattern, and its nested documents read for the replay. */
static void make_key(const struct hv_evtx_ctx *ctx,
		     const struct hv_evtx_doc *doc, bool xml, struct key *k)
{
	uint16_t n;
	size_t at;
	const unsigned char *c;

	k->len = 0;
	k->ok = doc->tpl != NULL && doc->literal == NULL;
	k->n_nested = 0;
	key_add(k, &xml, sizeof(xml));
	if (!k->ok)
		return;
	n = doc->tpl->max_subst;
	at = key_doc(k, doc, false);
	/* the nested documents, found by their class */
	c = k->buf + at;
	if (!k->ok || !(doc->class_mask & 1u << CLASS_BINXML))
		return; /* (not ok: the classes may not be in the key) */
	for (const unsigned char *b = memchr(c, CLASS_BINXML, n); b && k->ok;
	     b = memchr(b + 1, CLASS_BINXML, n - (size_t)(b + 1 - c)))
		key_nested(ctx, doc, (uint16_t)(b - c), k);
}

/* A hash of the key eight bytes at a time (multiply and fold, in the
 * manner of FNV but on words): it runs for every record. */
static uint32_t hash_of(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0x100000001B3ull;
	return (uint32_t)(h ^ (h >> 29));
}

static void plan_free(struct hv_evtx_plan *p)
{
	if (!p)
		return;
	free(p->key);
	free(p->ops);
	free(p->memos);
	free(p->text);
	free(p);
}

void hv_evtx_plans_reset(struct hv_evtx_reader *r)
{
	for (size_t i = 0; i < r->cap_plans; i++) {
		plan_free(r->plans[i]);
		r->plans[i] = NULL;
	}
	r->n_plans = 0;
	memset(r->recent_plans, 0, sizeof(r->recent_plans));
}

void hv_evtx_plans_release(struct hv_evtx_reader *r)
{
	hv_evtx_plans_reset(r);
	free(r->plans);
	r->plans = NULL;
	r->cap_plans = 0;
}

static struct hv_evtx_plan **slot_for(struct hv_evtx_reader *r,
				      const struct key *k, uint32_t hash)
{
	size_t i;

	if (!r->cap_plans) {
		r->cap_plans = 2 * (size_t)PLANS_MAX;
		r->plans =
			hv_calloc(r->cap_plans, sizeof(struct hv_evtx_plan *));
	}
	for (i = hash & (r->cap_plans - 1); r->plans[i];
	     i = (i + 1) & (r->cap_plans - 1))
		if (r->plans[i]->hash == hash &&
		    r->plans[i]->key_len == k->len &&
		    memcmp(r->plans[i]->key, k->buf, k->len) == 0)
			break;
	return &r->plans[i];
}

static unsigned hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? (unsigned)(c - '0')
	       : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
	       : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
				      : 16;
}

static bool hex4(const char *p, uint16_t *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned d = hex_digit(p[i]);

		if (d > 15)
			return false;
		v = v << 4 | d;
	}
	*out = (uint16_t)v;
	return true;
}

/* Reads "\x01E<outer><id>\x02" at p; false if it is not one. */
static bool read_mark(const char *p, size_t left, struct op *op)
{
	if (left < PLAN_MARK_LEN || p[0] != '\x01' ||
	    p[PLAN_MARK_LEN - 1] != '\x02' || p[1] < '0' || p[1] > '3')
		return false;
	op->esc = (uint8_t)(p[1] - '0');
	return hex4(p + 2, &op->outer) && hex4(p + 6, &op->id);
}

/* In JSON a value may not be (part of) a member name: names decide how
 * members are grouped, which a plan cannot redo. True when the string
 * the mark at p is in ends as a name ("...":). */
static bool in_json_name(const char *p, const char *end)
{
	for (p += PLAN_MARK_LEN; p < end; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '"')
			return p + 1 < end && p[1] == ':';
	}
	return false;
}

/* Points op at its nested document by position: the key fixes which
 * values are nested documents, so the position holds for every record
 * of the plan. */
static bool nested_index(const struct key *k, struct op *op)
{
	if (op->outer == PLAN_TOP) {
		op->outer = 0;
		return true;
	}
	for (uint16_t i = 0; i < k->n_nested; i++)
		if (k->nested[i].id == op->outer) {
			op->outer = (uint16_t)(i + 1);
			return true;
		}
	return false;
}

/* The end of the literal text that starts at i: the next mark byte,
 * or the end. */
static size_t text_end(const struct hv_strbuf *out, size_t i)
{
	while (i < out->len && out->buf[i] != '\x01' && out->buf[i] != '\x02')
		i++;
	return i;
}

/* Cuts a rendering with placeholders into ops; false when the text
 * holds a mark byte of its own or a mark that is not one of ours. */
static bool cut(struct hv_evtx_plan *p, const struct hv_strbuf *out,
		size_t values, bool xml, const struct key *k)
{
	size_t cap = 0, i;

	p->text = hv_calloc(1, out->len + COPY_SLACK + 1);
	if (!out->buf)
		return values == 0;
	memcpy(p->text, out->buf, out->len);
	i = p->lead = (uint32_t)text_end(out, 0);
	while (i < out->len) {
		struct op op = {0};
		size_t end;

		if (!read_mark(out->buf + i, out->len - i, &op) ||
		    (!xml && in_json_name(out->buf + i, out->buf + out->len)) ||
		    !nested_index(k, &op))
			return false;
		i += PLAN_MARK_LEN;
		end = text_end(out, i);
		op.off = (uint32_t)i;
		op.len = (uint32_t)(end - i);
		HV_GROW(p->ops, p->n_ops, cap);
		p->ops[p->n_ops++] = op;
		i = end;
	}
	if (p->n_ops != values)
		return false;
	p->memos = hv_calloc(p->n_ops ? p->n_ops : 1, sizeof(*p->memos));
	return true;
}

static struct hv_evtx_plan *record_plan(const struct hv_evtx_ctx *ctx,
					const struct hv_evtx_doc *doc, bool xml,
					const struct key *k, uint32_t hash)
{
	struct hv_evtx_plan *p = hv_calloc(1, sizeof(*p));
	struct hv_strbuf out = HV_STRBUF_INIT;
	size_t values = 0;
	int rc = xml ? hv_evtx_walk_xml(ctx, doc, &out, true, &values)
		     : hv_evtx_walk_json(ctx, doc, &out, true, &values);

	p->key = hv_calloc(1, k->len);
	memcpy(p->key, k->buf, k->len);
	p->key_len = k->len;
	p->hash = hash;
	p->usable = rc == 0 && cut(p, &out, values, xml, k);
	hv_strbuf_release(&out);
	return p;
}

static const struct hv_evtx_value *
value_for(const struct hv_evtx_doc *const docs[], const struct op *op)
{
	static const struct hv_evtx_value null_value = {.type = VT_NULL};
	const struct hv_evtx_doc *doc = docs[op->outer];

	if (op->id >= doc->n_values)
		return &null_value;
	return &doc->values[op->id];
}

/* Copies literal text; short runs (most) as two fixed 16-byte moves. */
static inline char *copy_text(char *w, const char *s, size_t n)
{
	if (n <= COPY_SLACK) {
		memcpy(w, s, 16);
		memcpy(w + 16, s + 16, 16);
	} else {
		memcpy(w, s, n);
	}
	return w + n;
}

static inline uint64_t load8(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t load4(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* a[0..n) == b[0..n) for n <= 32, with overlapping loads instead of a
 * byte loop: the sizes are small and the same record after record. */
static inline bool same_bytes(const unsigned char *a, const unsigned char *b,
			      size_t n)
{
	uint64_t d;

	if (n >= 8) {
		d = (load8(a) ^ load8(b)) |
		    (load8(a + n - 8) ^ load8(b + n - 8));
		if (n > 16)
			d |= (load8(a + 8) ^ load8(b + 8)) |
			     (load8(a + n - 16) ^ load8(b + n - 16));
		return d == 0;
	}
	if (n >= 4)
		return ((load4(a) ^ load4(b)) |
			(load4(a + n - 4) ^ load4(b + n - 4))) == 0;
	return n == 0 ||
	       (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

/* Writes a value's text at w (room for its bound), from the memo when
 * its bytes are those of the last record. */
static char *memo_put(struct memo *m, char *w, const struct hv_evtx_value *v,
		      enum hv_evtx_escape esc)
{
	char *start = w;

	if (m->misses >= MEMO_GIVE_UP || v->size > MEMO_RAW)
		return hv_evtx_value_put(w, v, esc);
	if (m->set && m->type == v->type && m->raw_len == v->size &&
	    same_bytes(m->raw, v->data, v->size)) {
		m->misses = 0;
		memcpy(w, m->out, MEMO_OUT);
		return w + m->out_len;
	}
	m->misses++;
	w = hv_evtx_value_put(w, v, esc);
	m->set = (size_t)(w - start) <= MEMO_OUT;
	if (m->set) {
		m->type = v->type;
		m->raw_len = (uint8_t)v->size;
		m->out_len = (uint8_t)(w - start);
		if (v->size)
			memcpy(m->raw, v->data, v->size);
		memcpy(m->out, start, m->out_len);
	}
	return w;
}

/* Writes the record: the plan's text with the values in between, into
 * room made once per value at most (a value's text is bounded by its
 * size). Cut as the walk is, after the value that passes the limit. */
static int replay(struct hv_evtx_plan *p, const struct hv_evtx_doc *doc,
		  const struct key *k, struct hv_strbuf *out, size_t limit)
{
	char *w = hv_evtx_reserve(out, p->lead + COPY_SLACK);
	char *end = out->buf + out->alloc - 1; /* the NUL's place */
	const struct hv_evtx_doc *docs[1 + NESTED_MAX] = {doc};

	for (size_t i = 0; i < k->n_nested; i++)
		docs[1 + i] = &k->nested[i].doc;
	w = copy_text(w, p->text, p->lead);
	for (size_t i = 0; i < p->n_ops; i++) {
		const struct op *op = &p->ops[i];
		const struct hv_evtx_value *v = value_for(docs, op);
		size_t need =
			HV_EVTX_VALUE_BOUND(v->size) + op->len + COPY_SLACK;

		if ((size_t)(end - w) < need) {
			hv_evtx_commit(out, w);
			w = hv_evtx_reserve(out, need);
			end = out->buf + out->alloc - 1;
		}
		w = memo_put(&p->memos[i], w, v, (enum hv_evtx_escape)op->esc);
		if ((size_t)(w - out->buf) > limit) {
			hv_evtx_commit(out, w);
			return -1;
		}
		w = copy_text(w, p->text + op->off, op->len);
	}
	hv_evtx_commit(out, w);
	return 0;
}

static size_t recent_index(const struct hv_evtx_doc *doc, const struct key *k)
{
	uintptr_t a = (uintptr_t)doc->tpl;

	if (k->n_nested)
		a ^= (uintptr_t)k->nested[0].doc.tpl * 3;
	a ^= a >> 11;
	return (size_t)(a >> 5) & (HV_EVTX_RECENT_PLANS - 1);
}

static int walk(const struct hv_evtx_ctx *ctx, const struct hv_evtx_doc *doc,
		bool xml, struct hv_strbuf *out)
{
	size_t values;

	return xml ? hv_evtx_walk_xml(ctx, doc, out, false, &values)
		   : hv_evtx_walk_json(ctx, doc, out, false, &values);
}

int hv_evtx_plan_render(const struct hv_evtx_record *rec, bool xml,
			struct hv_strbuf *out)
{
	struct hv_evtx_reader *r = rec->reader;
	struct hv_evtx_ctx ctx;
	struct hv_evtx_doc doc;
	struct hv_evtx_plan **slot, **recent, *plan;
	struct key k;
	uint32_t hash;
	size_t start = out->len;
	int rc;

	hv_evtx_record_ctx(rec, &ctx);
	hv_evtx_record_doc(rec, &doc);
	if (!doc.tpl)
		return 0;
	doc.literal = r->literal;
	make_key(&ctx, &doc, xml, &k);
	if (!k.ok) {
		key_release(&k);
		rc = walk(&ctx, &doc, xml, out);
		if (rc < 0)
			hv_evtx_render_cut(rec, xml, out, start);
		return rc;
	}
	/* records of a template (and EventData template) mostly keep its
	 * last pattern: that plan first, by the templates' addresses */
	recent = &r->recent_plans[recent_index(&doc, &k)];
	plan = *recent;
	if (!plan || plan->key_len != k.len ||
	    memcmp(plan->key, k.buf, k.len) != 0) {
		hash = hash_of(k.buf, k.len);
		slot = slot_for(r, &k, hash);
		if (!*slot && r->n_plans >= PLANS_MAX) {
			hv_evtx_plans_reset(r);
			slot = slot_for(r, &k, hash);
		}
		if (!*slot) {
			*slot = record_plan(&ctx, &doc, xml, &k, hash);
			r->n_plans++;
		}
		plan = *recent = *slot;
	}
	if (plan->usable)
		rc = replay(plan, &doc, &k, out, start + ctx.budget);
	else
		rc = walk(&ctx, &doc, xml, out);
	key_release(&k);
	if (rc < 0)
		hv_evtx_render_cut(rec, xml, out, start);
	return rc;
}
