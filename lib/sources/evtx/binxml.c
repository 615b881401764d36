/* Binary XML ([MS-EVEN6] section 2.2.12) compiled into a tree once per
 * template: names are decoded from UTF-16 when the template is first
 * seen in a chunk, and every record that uses the template is rendered
 * from the tree and its own substitution values.
 *
 * Names are chunk-relative offsets of a name structure (libyal notes,
 * "Name": 4 unknown bytes, a 16-bit hash, a 16-bit character count,
 * UTF-16LE characters and a NUL). A name used for the first time in the
 * chunk is stored inline, right where the offset points; it is skipped
 * there. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"
#include "base/utf16.h"

#include <stdlib.h>
#include <string.h>

/* Deeper nesting than any event log uses; it bounds the recursion. */
#define MAX_DEPTH 64
/* Nodes one template may hold (a 64 KiB chunk holds fewer tokens). */
#define MAX_NODES 65536u

struct compiler {
	const struct hv_evtx_ctx *ctx;
	struct hv_evtx_tpl *tpl;
	int depth;
	const char *why;
	struct hv_evtx_deps *deps; /* NULL: not recorded */
};

static bool fail(struct compiler *c, const char *why)
{
	if (!c->why)
		c->why = why;
	return false;
}

static uint32_t new_node(struct compiler *c, uint8_t kind)
{
	struct hv_evtx_tpl *t = c->tpl;
	struct hv_evtx_node *n;

	if (t->n_nodes >= MAX_NODES) {
		fail(c, "too many binary XML nodes");
		return NODE_NONE;
	}
	HV_GROW(t->nodes, t->n_nodes, t->cap_nodes);
	n = &t->nodes[t->n_nodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->attrs = n->child = n->next = NODE_NONE;
	return t->n_nodes++;
}

static void pool_reserve(struct hv_evtx_tpl *t, size_t extra)
{
	if (t->pool_len + extra + 1 <= t->pool_cap)
		return;
	while (t->pool_len + extra + 1 > t->pool_cap)
		t->pool_cap = t->pool_cap ? t->pool_cap * 2 : 256;
	t->pool = hv_reallocarray(t->pool, t->pool_cap, 1);
}

/* Decodes UTF-16LE into the pool; names and literal text are stored
 * unescaped, each writer escapes them for its medium. */
static void pool_utf16(struct hv_evtx_tpl *t, const unsigned char *p, size_t n,
		       uint32_t *str, uint32_t *len)
{
	size_t i = 0;

	pool_reserve(t, n * 3);
	*str = (uint32_t)t->pool_len;
	while (i < n) {
		uint32_t cp = hv_utf16le_next(p, n, &i);

		t->pool_len += hv_utf8_encode(cp, t->pool + t->pool_len);
	}
	t->pool[t->pool_len++] = '\0';
	*len = (uint32_t)(t->pool_len - *str - 1);
}

bool hv_evtx_name_at(const struct hv_evtx_ctx *ctx, uint32_t off,
		     const unsigned char **chars, uint16_t *n_chars)
{
	struct hv_cursor cur;

	hv_cursor_init(&cur, ctx->chunk, ctx->chunk_len, ctx->base);
	if (!hv_cursor_seek(&cur, off) || !hv_cursor_skip(&cur, 6))
		return false;
	*n_chars = hv_cursor_le16(&cur);
	*chars = hv_cursor_bytes(&cur, (size_t)*n_chars * 2);
	return *chars != NULL;
}

/* Notes the bytes of a name (its count and characters) when they lie
 * outside the definition: the compiled tree depends on them. A name
 * that cannot be read, or too many of them, make the tree one that is
 * not reused. */
static void note_name(struct hv_evtx_deps *d, uint32_t off, bool ok, uint16_t n)
{
	uint32_t from = off + 6, len = 2 + 2 * (uint32_t)n;

	if (!d || !d->reusable)
		return;
	if (!ok) { /* depends on where the chunk ends */
		d->reusable = false;
		return;
	}
	/* ok: the name lies inside the chunk, so no sum here overflows */
	if (from >= d->lo && (uint64_t)from + len <= d->hi)
		return;
	for (size_t i = 0; i < d->n; i++)
		if (d->off[i] == from && d->len[i] == len)
			return;
	if (d->n == HV_EVTX_DEPS_MAX) {
		d->reusable = false;
		return;
	}
	d->off[d->n] = from;
	d->len[d->n++] = len;
}

/* hv_evtx_name_at(), noted in the compiler's dependencies. */
static bool name_at(const struct compiler *c, uint32_t off,
		    const unsigned char **chars, uint16_t *n_chars)
{
	bool ok = hv_evtx_name_at(c->ctx, off, chars, n_chars);

	note_name(c->deps, off, ok, ok ? *n_chars : 0);
	return ok;
}

/* Chunk-relative position of the cursor. */
static uint32_t here(const struct compiler *c, const struct hv_cursor *cur)
{
	return (uint32_t)(hv_cursor_offset(cur) - c->ctx->base);
}

/* Reads a name offset and the name it points to; skips an inline name. */
static bool read_name(struct compiler *c, struct hv_cursor *cur, uint32_t *str,
		      uint32_t *len)
{
	uint32_t off = hv_cursor_le32(cur);
	const unsigned char *chars;
	uint16_t n;

	if (!hv_cursor_ok(cur))
		return fail(c, "binary XML cut short");
	if (!name_at(c, off, &chars, &n))
		return fail(c, "name offset outside the chunk");
	if (off == here(c, cur) && !hv_cursor_skip(cur, 8 + (size_t)n * 2 + 2))
		return fail(c, "inline name runs past its record");
	pool_utf16(c->tpl, chars, n, str, len);
	return true;
}

/* Appends node to a list whose last node is *tail. */
static void link(struct hv_evtx_tpl *t, uint32_t *head, uint32_t *tail,
		 uint32_t node)
{
	if (*head == NODE_NONE)
		*head = node;
	else
		t->nodes[*tail].next = node;
	*tail = node;
}

/* A name offset that makes sense: inline right here, or a whole name
 * before here, past the 512-byte chunk header. */
static bool plausible_name(const struct compiler *c, uint32_t off, uint32_t at)
{
	const unsigned char *chars;
	uint16_t n;

	if (off < 512 || !name_at(c, off, &chars, &n) || n == 0)
		return false;
	return off == at || (size_t)off + 10 + (size_t)2 * n <= at;
}

/* The start of an element: token, dependency id (2), data size (4), name
 * offset (4). [MS-EVEN6]'s own example and the libyal notes say the
 * dependency id is absent in some binary XML (values of type BinXml), so
 * the layout whose name offset makes sense wins. */
static bool element_header(struct compiler *c, struct hv_cursor *cur)
{
	size_t left = hv_cursor_remaining(cur);
	const unsigned char *p = cur->data + cur->pos;
	uint32_t at = here(c, cur);

	if (left >= 10 && plausible_name(c, hv_le32(p + 6), at + 10))
		return hv_cursor_skip(cur, 6);
	if (left >= 8 && plausible_name(c, hv_le32(p + 4), at + 8))
		return hv_cursor_skip(cur, 4);
	return fail(c, "element without a readable name");
}

static uint32_t compile_element(struct compiler *c, struct hv_cursor *cur);

/* Text in UTF-16 with a 16-bit count (value text, CDATA, PI data). */
static bool read_text(struct compiler *c, struct hv_cursor *cur, uint32_t *str,
		      uint32_t *len)
{
	uint16_t n = hv_cursor_le16(cur);
	const unsigned char *p = hv_cursor_bytes(cur, (size_t)n * 2);

	if (!p)
		return fail(c, "text runs past its record");
	pool_utf16(c->tpl, p, n, str, len);
	return true;
}

/* One piece of content: value text, substitution, references, CDATA,
 * PI, or (in element content) a child element. NODE_NONE on error. */
static uint32_t compile_piece(struct compiler *c, struct hv_cursor *cur,
			      uint8_t tok)
{
	struct hv_evtx_node *n;
	uint32_t id;

	switch (tok & ~TOK_MORE) {
	case TOK_OPEN_START:
		return compile_element(c, cur);
	case TOK_VALUE:
		hv_cursor_u8(cur);
		/* [MS-EVEN6]: value text is always a string (type 0x01) */
		if (hv_cursor_u8(cur) != VT_STRING)
			return fail(c, "value text that is not a string"),
			       NODE_NONE;
		if ((id = new_node(c, NODE_TEXT)) != NODE_NONE &&
		    !read_text(c, cur, &c->tpl->nodes[id].str,
			       &c->tpl->nodes[id].str_len))
			return NODE_NONE;
		return id;
	case TOK_SUBST:
	case TOK_OPTIONAL_SUBST:
		hv_cursor_u8(cur);
		if ((id = new_node(c, NODE_SUBST)) == NODE_NONE)
			return NODE_NONE;
		n = &c->tpl->nodes[id];
		n->optional = (tok & ~TOK_MORE) == TOK_OPTIONAL_SUBST;
		n->subst_id = hv_cursor_le16(cur);
		n->subst_type = hv_cursor_u8(cur);
		if (n->subst_id >= c->tpl->max_subst)
			c->tpl->max_subst = (uint16_t)(n->subst_id + 1u);
		return id;
	case TOK_CHARREF:
		hv_cursor_u8(cur);
		if ((id = new_node(c, NODE_CHARREF)) != NODE_NONE)
			c->tpl->nodes[id].charref = hv_cursor_le16(cur);
		return id;
	case TOK_ENTITYREF:
		hv_cursor_u8(cur);
		if ((id = new_node(c, NODE_ENTITY)) != NODE_NONE &&
		    !read_name(c, cur, &c->tpl->nodes[id].str,
			       &c->tpl->nodes[id].str_len))
			return NODE_NONE;
		return id;
	case TOK_CDATA:
		hv_cursor_u8(cur);
		if ((id = new_node(c, NODE_CDATA)) != NODE_NONE &&
		    !read_text(c, cur, &c->tpl->nodes[id].str,
			       &c->tpl->nodes[id].str_len))
			return NODE_NONE;
		return id;
	case TOK_PI_TARGET:
		hv_cursor_u8(cur);
		if ((id = new_node(c, NODE_PI)) == NODE_NONE ||
		    !read_name(c, cur, &c->tpl->nodes[id].str,
			       &c->tpl->nodes[id].str_len))
			return NODE_NONE;
		if (hv_cursor_u8(cur) != TOK_PI_DATA)
			return fail(c, "PI target without PI data"), NODE_NONE;
		if (!read_text(c, cur, &c->tpl->nodes[id].str2,
			       &c->tpl->nodes[id].str2_len))
			return NODE_NONE;
		return id;
	default:
		return fail(c, "unexpected binary XML token"), NODE_NONE;
	}
}

static bool is_value_token(uint8_t tok)
{
	switch (tok & ~TOK_MORE) {
	case TOK_VALUE:
	case TOK_SUBST:
	case TOK_OPTIONAL_SUBST:
	case TOK_CHARREF:
	case TOK_ENTITYREF:
		return true;
	default:
		return false;
	}
}

static uint8_t peek(const struct hv_cursor *cur)
{
	return hv_cursor_remaining(cur) ? cur->data[cur->pos] : TOK_EOF;
}

/* Attributes: token, name, then value pieces until the next attribute
 * or the end of the start tag. */
static bool compile_attributes(struct compiler *c, struct hv_cursor *cur,
			       uint32_t element)
{
	uint32_t tail = NODE_NONE;

	hv_cursor_le32(cur); /* attribute list size */
	while ((peek(cur) & ~TOK_MORE) == TOK_ATTRIBUTE) {
		uint32_t attr, head = NODE_NONE, last = NODE_NONE, str, len;

		hv_cursor_u8(cur);
		if ((attr = new_node(c, NODE_ATTRIBUTE)) == NODE_NONE ||
		    !read_name(c, cur, &str, &len))
			return false;
		c->tpl->nodes[attr].str = str;
		c->tpl->nodes[attr].str_len = len;
		while (is_value_token(peek(cur))) {
			uint32_t piece = compile_piece(c, cur, peek(cur));

			if (piece == NODE_NONE)
				return false;
			link(c->tpl, &head, &last, piece);
		}
		c->tpl->nodes[attr].child = head;
		{
			uint32_t attrs = c->tpl->nodes[element].attrs;

			link(c->tpl, &attrs, &tail, attr);
			c->tpl->nodes[element].attrs = attrs;
		}
	}
	return hv_cursor_ok(cur) || fail(c, "binary XML cut short");
}

static bool compile_content(struct compiler *c, struct hv_cursor *cur,
			    uint32_t element)
{
	uint32_t head = NODE_NONE, tail = NODE_NONE;

	for (;;) {
		uint8_t tok = peek(cur);
		uint32_t piece;

		if (!hv_cursor_remaining(cur))
			return fail(c, "element not closed before its end");
		if (tok == TOK_END_ELEMENT) {
			hv_cursor_u8(cur);
			break;
		}
		if ((piece = compile_piece(c, cur, tok)) == NODE_NONE)
			return false;
		link(c->tpl, &head, &tail, piece);
	}
	c->tpl->nodes[element].child = head;
	return true;
}

static uint32_t compile_element(struct compiler *c, struct hv_cursor *cur)
{
	uint8_t tok = hv_cursor_u8(cur), close;
	uint32_t el = NODE_NONE, str, len;

	if (++c->depth > MAX_DEPTH) {
		fail(c, "elements nested too deep");
		goto done;
	}
	if (!element_header(c, cur) || !read_name(c, cur, &str, &len) ||
	    (el = new_node(c, NODE_ELEMENT)) == NODE_NONE)
		goto fail;
	c->tpl->nodes[el].str = str;
	c->tpl->nodes[el].str_len = len;
	if ((tok & TOK_MORE) && !compile_attributes(c, cur, el))
		goto fail;
	close = hv_cursor_u8(cur);
	if (close == TOK_CLOSE_START) {
		if (!compile_content(c, cur, el))
			goto fail;
	} else if (close != TOK_CLOSE_EMPTY) {
		fail(c, "start tag not closed");
		goto fail;
	}
	if (hv_cursor_ok(cur))
		goto done;
	fail(c, "binary XML cut short");
fail:
	el = NODE_NONE;
done:
	c->depth--;
	return el;
}

void hv_evtx_tpl_free(struct hv_evtx_tpl *tpl)
{
	if (!tpl)
		return;
	free(tpl->nodes);
	free(tpl->pool);
	free(tpl);
}

/* Flags that let the walk decide about an element without looking at
 * every child again: see EL_* in evtx_internal.h. */
static void set_flags(struct hv_evtx_tpl *t)
{
	for (uint32_t i = 0; i < t->n_nodes; i++) {
		struct hv_evtx_node *el = &t->nodes[i];
		bool only_optional = el->child != NODE_NONE;

		if (el->kind != NODE_ELEMENT)
			continue;
		for (uint32_t k = el->child; k != NODE_NONE;
		     k = t->nodes[k].next) {
			const struct hv_evtx_node *n = &t->nodes[k];

			if (n->kind == NODE_ELEMENT)
				el->flags |=
					EL_HAS_ELEMENTS | EL_STATIC_CONTENT;
			else if (n->kind == NODE_SUBST)
				el->flags |= EL_HAS_SUBST;
			else if (n->kind != NODE_TEXT || n->str_len)
				el->flags |= EL_STATIC_CONTENT;
			if (n->kind != NODE_SUBST || !n->optional)
				only_optional = false;
		}
		if (only_optional)
			el->flags |= EL_ONLY_OPTIONAL;
	}
}

static bool named(const struct hv_evtx_tpl *t, uint32_t node, const char *s)
{
	return t->nodes[node].str_len == strlen(s) &&
	       memcmp(t->pool + t->nodes[node].str, s,
		      t->nodes[node].str_len) == 0;
}

static uint32_t find(const struct hv_evtx_tpl *t, uint32_t first,
		     const char *name)
{
	for (uint32_t k = first; k != NODE_NONE; k = t->nodes[k].next)
		if (named(t, k, name))
			return k;
	return NODE_NONE;
}

/* Where the System fields are: attributes and elements of
 * Event/System, found once per template. */
static void locate_fields(struct hv_evtx_tpl *t)
{
	static const struct {
		const char *element, *attribute;
		enum hv_evtx_field field;
	} map[] = {
		{"Provider", "Name", HV_EVTX_F_PROVIDER},
		{"Provider", "Guid", HV_EVTX_F_PROVIDER_GUID},
		{"Provider", "EventSourceName", HV_EVTX_F_EVENT_SOURCE},
		{"EventID", NULL, HV_EVTX_F_EVENT_ID},
		{"EventID", "Qualifiers", HV_EVTX_F_QUALIFIERS},
		{"Version", NULL, HV_EVTX_F_VERSION},
		{"Level", NULL, HV_EVTX_F_LEVEL},
		{"Task", NULL, HV_EVTX_F_TASK},
		{"Opcode", NULL, HV_EVTX_F_OPCODE},
		{"Keywords", NULL, HV_EVTX_F_KEYWORDS},
		{"TimeCreated", "SystemTime", HV_EVTX_F_TIME_CREATED},
		{"EventRecordID", NULL, HV_EVTX_F_RECORD_ID},
		{"Correlation", "ActivityID", HV_EVTX_F_ACTIVITY_ID},
		{"Execution", "ProcessID", HV_EVTX_F_PROCESS_ID},
		{"Execution", "ThreadID", HV_EVTX_F_THREAD_ID},
		{"Channel", NULL, HV_EVTX_F_CHANNEL},
		{"Computer", NULL, HV_EVTX_F_COMPUTER},
		{"Security", "UserID", HV_EVTX_F_USER_ID},
	};
	uint32_t event = t->root, system;

	for (int f = 0; f < HV_EVTX_F_COUNT; f++)
		t->field[f] = NODE_NONE;
	t->system = NODE_NONE;
	if (event == NODE_NONE || !named(t, event, "Event"))
		return;
	system = t->system = find(t, t->nodes[event].child, "System");
	if (system == NODE_NONE)
		return;
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
		uint32_t el = find(t, t->nodes[system].child, map[i].element);

		if (el != NODE_NONE && map[i].attribute)
			el = find(t, t->nodes[el].attrs, map[i].attribute);
		t->field[map[i].field] = el;
	}
}

struct hv_evtx_tpl *hv_evtx_tpl_compile(const struct hv_evtx_ctx *ctx,
					struct hv_cursor *cur, const char **why)
{
	return hv_evtx_tpl_compile_deps(ctx, cur, NULL, why);
}

struct hv_evtx_tpl *hv_evtx_tpl_compile_deps(const struct hv_evtx_ctx *ctx,
					     struct hv_cursor *cur,
					     struct hv_evtx_deps *deps,
					     const char **why)
{
	struct compiler c = {ctx, hv_calloc(1, sizeof(struct hv_evtx_tpl)), 0,
			     NULL, deps};
	uint8_t tok;

	c.tpl->root = NODE_NONE;
	/* [MS-EVEN6]: 0*FragmentHeader ( Element / TemplateInstance ) */
	while ((tok = peek(cur)) == TOK_FRAGMENT)
		hv_cursor_skip(cur, 4);
	if ((tok & ~TOK_MORE) != TOK_OPEN_START)
		fail(&c, "binary XML that starts with no element");
	else
		c.tpl->root = compile_element(&c, cur);
	if (c.tpl->root == NODE_NONE) {
		*why = c.why ? c.why : "unreadable binary XML";
		hv_evtx_tpl_free(c.tpl);
		return NULL;
	}
	set_flags(c.tpl);
	locate_fields(c.tpl);
	return c.tpl;
}
