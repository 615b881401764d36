/* JSON reader: RFC 8259 grammar, iterative (an explicit stack bounded by
 * the depth limit, so no recursion on hostile nesting), one pass, linear.
 * See json_parse.h for the contract. */
#include "base/json_parse.h"

#include "base/alloc.h"
#include "base/json.h"
#include "base/utf8.h"

#include <errno.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

/* An open container on the stack, with its last child for O(1) appends. */
struct open {
	uint32_t node;
	uint32_t last;
};

struct parser {
	struct hv_jdoc *doc;
	const char *name;
	const unsigned char *p, *end, *start;
	unsigned max_depth;
	/* positions: the current line, and a column cursor that only moves
	 * forward, so minified one-line input stays linear */
	uint32_t line;
	const unsigned char *col_pos;
	uint32_t col;
	struct open *stack;
	unsigned depth;
	struct hv_error *err;
};

static void advance_column(struct parser *ps, const unsigned char *to)
{
	for (; ps->col_pos < to; ps->col_pos++)
		if ((*ps->col_pos & 0xC0) != 0x80)
			ps->col++;
}

static int fail(struct parser *ps, const unsigned char *at, const char *what)
{
	char where[512];

	if (at > ps->end)
		at = ps->end;
	advance_column(ps, at);
	snprintf(where, sizeof(where), "%s:%u:%u", ps->name, ps->line, ps->col);
	return hv_error_set(ps->err, HV_ERR_INPUT, where, "%s", what);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end) {
		unsigned char c = *ps->p;

		if (c == '\n') {
			ps->line++;
			ps->col_pos = ps->p + 1;
			ps->col = 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		ps->p++;
	}
}

static uint32_t text_add(struct hv_jdoc *doc, const void *data, size_t len)
{
	uint32_t at;

	while (doc->text_len + len + 1 > doc->cap_text) {
		doc->cap_text = doc->cap_text ? doc->cap_text * 2 : 256;
		doc->text = hv_reallocarray(doc->text, doc->cap_text, 1);
	}
	at = (uint32_t)doc->text_len;
	if (len)
		memcpy(doc->text + doc->text_len, data, len);
	doc->text_len += len;
	doc->text[doc->text_len] = '\0';
	return at;
}

/* Appends a node at the parser's position as the next child of the open
 * container (or as the root). */
static uint32_t node_add(struct parser *ps, enum hv_jtype type, uint32_t key,
			 uint32_t key_len)
{
	struct hv_jdoc *doc = ps->doc;
	struct hv_jnode *n;
	uint32_t id = (uint32_t)doc->n_nodes;

	HV_GROW(doc->nodes, doc->n_nodes, doc->cap_nodes);
	n = &doc->nodes[doc->n_nodes++];
	memset(n, 0, sizeof(*n));
	advance_column(ps, ps->p);
	n->type = (uint8_t)type;
	n->complete = type < HV_JARRAY;
	n->line = ps->line;
	n->column = ps->col;
	n->parent = n->next = n->first = HV_JNONE;
	n->key = key;
	n->key_len = key_len;
	if (ps->depth) {
		struct open *top = &ps->stack[ps->depth - 1];
		struct hv_jnode *parent = &doc->nodes[top->node];

		n->parent = top->node;
		n->index = parent->count++;
		if (top->last == HV_JNONE)
			parent->first = id;
		else
			doc->nodes[top->last].next = id;
		top->last = id;
	}
	return id;
}

static int hex4(const unsigned char *s, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* \uXXXX, with a UTF-16 surrogate pair spelled as two escapes (RFC 8259
 * section 7). A lone surrogate is not a character: rejected. */
static int unicode_escape(struct parser *ps, unsigned *out)
{
	const unsigned char *at = ps->p - 2;
	unsigned hi, lo;

	if (ps->end - ps->p < 4 || hex4(ps->p, &hi) < 0)
		return fail(ps, at, "\\u needs four hex digits");
	ps->p += 4;
	if (hi >= 0xDC00 && hi <= 0xDFFF)
		return fail(ps, at, "lone low surrogate in a \\u escape");
	if (hi < 0xD800 || hi > 0xDBFF) {
		*out = hi;
		return 0;
	}
	if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
	    hex4(ps->p + 2, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
		return fail(ps, at, "high surrogate without its low surrogate");
	ps->p += 6;
	*out = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
	return 0;
}

static int escape(struct parser *ps, char *buf, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	unsigned cp = 0;

	if (ps->p >= ps->end)
		return fail(ps, ps->p, "unterminated string");
	if (*ps->p == 'u') {
		ps->p++;
		if (unicode_escape(ps, &cp) < 0)
			return -1;
		*n = utf8_put(buf, cp);
		return 0;
	}
	hit = strchr(from, *ps->p);
	if (!hit || !*ps->p)
		return fail(ps, ps->p - 1, "invalid escape in a string");
	buf[0] = to[hit - from];
	*n = 1;
	ps->p++;
	return 0;
}

/* Reads a string at ps->p (on its opening quote) into the text pool. */
static int string(struct parser *ps, uint32_t *out_at, uint32_t *out_len)
{
	struct hv_jdoc *doc = ps->doc;
	const unsigned char *open = ps->p++;

	*out_at = text_add(doc, NULL, 0);
	while (ps->p < ps->end && *ps->p != '"') {
		const unsigned char *run = ps->p;
		char buf[4];
		size_t n = 0;

		while (ps->p < ps->end && *ps->p >= 0x20 && *ps->p < 0x80 &&
		       *ps->p != '"' && *ps->p != '\\')
			ps->p++;
		if (ps->p > run)
			text_add(doc, run, (size_t)(ps->p - run));
		if (ps->p >= ps->end || *ps->p == '"')
			break;
		if (*ps->p < 0x20)
			return fail(ps, ps->p,
				    "control character in a string (must be "
				    "escaped)");
		if (*ps->p == '\\') {
			ps->p++;
			if (escape(ps, buf, &n) < 0)
				return -1;
			text_add(doc, buf, n);
			continue;
		}
		n = hv_utf8_valid_prefix((const char *)ps->p,
					 (size_t)(ps->end - ps->p));
		if (!n)
			return fail(ps, ps->p,
				    "invalid UTF-8 in a string (was the file "
				    "written in a Windows code page?)");
		text_add(doc, ps->p, n);
		ps->p += n;
	}
	if (ps->p >= ps->end)
		return fail(ps, open, "unterminated string");
	ps->p++;
	*out_len = (uint32_t)(doc->text_len - *out_at);
	text_add(doc, NULL, 0);
	doc->text_len++; /* keep the NUL */
	return 0;
}

static const unsigned char *digits(const unsigned char *p,
				   const unsigned char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/* number = [ minus ] int [ frac ] [ exp ] (RFC 8259 section 6). */
static int number(struct parser *ps, uint32_t key, uint32_t key_len)
{
	const unsigned char *s = ps->p, *p = s, *d;
	uint32_t id;

	if (p < ps->end && *p == '-')
		p++;
	d = digits(p, ps->end);
	if (d == p || (*p == '0' && d - p > 1))
		return fail(ps, s, "invalid number");
	p = d;
	if (p < ps->end && *p == '.') {
		d = digits(p + 1, ps->end);
		if (d == p + 1)
			return fail(ps, s,
				    "invalid number: no digit after '.'");
		p = d;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		d = digits(p, ps->end);
		if (d == p)
			return fail(ps, s, "invalid number: empty exponent");
		p = d;
	}
	id = node_add(ps, HV_JNUMBER, key, key_len);
	ps->doc->nodes[id].str_len = (uint32_t)(p - s);
	ps->doc->nodes[id].str = text_add(ps->doc, s, (size_t)(p - s));
	ps->doc->text_len++;
	ps->p = p;
	return 0;
}

static int literal(struct parser *ps, uint32_t key, uint32_t key_len)
{
	static const struct {
		const char *word;
		enum hv_jtype type;
	} words[] = {
		{"true", HV_JTRUE}, {"false", HV_JFALSE}, {"null", HV_JNULL}};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].word);

		if ((size_t)(ps->end - ps->p) >= n &&
		    memcmp(ps->p, words[i].word, n) == 0) {
			node_add(ps, words[i].type, key, key_len);
			ps->p += n;
			return 0;
		}
	}
	return fail(ps, ps->p,
		    ps->p < ps->end ? "expected a value" : "unexpected end");
}

/* One value at ps->p: a scalar is added whole; a container is added and
 * opened (pushed). */
static int value(struct parser *ps, uint32_t key, uint32_t key_len)
{
	uint32_t at, len = 0, id;
	int rc;

	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, ps->p, "unexpected end: a value is missing");
	switch (*ps->p) {
	case '{':
	case '[':
		if (ps->depth >= ps->max_depth)
			return fail(ps, ps->p, "nested too deep");
		id = node_add(ps, *ps->p == '{' ? HV_JOBJECT : HV_JARRAY, key,
			      key_len);
		ps->stack[ps->depth].node = id;
		ps->stack[ps->depth++].last = HV_JNONE;
		ps->p++;
		return 0;
	case '"':
		id = node_add(ps, HV_JSTRING, key, key_len);
		rc = string(ps, &at, &len);
		if (rc < 0) {
			/* keep the cut string well-formed: what was decoded */
			len = (uint32_t)(ps->doc->text_len - at);
			text_add(ps->doc, NULL, 0);
			ps->doc->text_len++;
			ps->doc->nodes[id].complete = false;
		}
		ps->doc->nodes[id].str = at;
		ps->doc->nodes[id].str_len = len;
		return rc;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return number(ps, key, key_len);
		return literal(ps, key, key_len);
	}
}

/* Inside an object, before a member: "name" : value. */
static int member(struct parser *ps)
{
	uint32_t key = 0, key_len = 0;

	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, ps->p, "expected a member name in quotes");
	if (string(ps, &key, &key_len) < 0)
		return -1;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return fail(ps, ps->p, "expected ':' after a member name");
	ps->p++;
	return value(ps, key, key_len);
}

static bool top_is_object(const struct parser *ps)
{
	return ps->doc->nodes[ps->stack[ps->depth - 1].node].type == HV_JOBJECT;
}

/* Starts the first item of a just-opened container, or closes it empty. */
static int first_item(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == (top_is_object(ps) ? '}' : ']'))
		return 1;
	return top_is_object(ps) ? member(ps) : value(ps, 0, 0);
}

/* After an item: ',' and the next one, or the closing bracket (1). */
static int after_item(struct parser *ps)
{
	bool obj = top_is_object(ps);

	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, ps->p,
			    obj ? "unexpected end: '}' is missing"
				: "unexpected end: ']' is missing");
	if (*ps->p == (obj ? '}' : ']'))
		return 1;
	if (*ps->p != ',')
		return fail(ps, ps->p,
			    obj ? "expected ',' or '}'"
				: "expected ',' or ']'");
	ps->p++;
	return obj ? member(ps) : value(ps, 0, 0);
}

static void close_top(struct parser *ps)
{
	ps->doc->nodes[ps->stack[--ps->depth].node].complete = true;
	ps->p++;
}

static int run(struct parser *ps)
{
	bool opened;

	if (value(ps, 0, 0) < 0)
		return -1;
	while (ps->depth) {
		uint32_t top = ps->stack[ps->depth - 1].node;
		int rc;

		opened = ps->doc->nodes[top].count == 0;
		rc = opened ? first_item(ps) : after_item(ps);
		if (rc < 0)
			return -1;
		if (rc == 1)
			close_top(ps);
	}
	skip_ws(ps);
	if (ps->p < ps->end)
		return fail(ps, ps->p, "data after the end of the document");
	return 0;
}

/* UTF-16 (with its BOM) to UTF-8; an unpaired surrogate becomes U+FFFD. */
static char *from_utf16(const unsigned char *s, size_t len, bool big,
			size_t *out_len)
{
	char *out = hv_calloc(len / 2 * 3 + 4, 1);
	size_t n = 0;

	for (size_t i = 2; i + 1 < len; i += 2) {
		unsigned u = big ? (unsigned)(s[i] << 8 | s[i + 1])
				 : (unsigned)(s[i + 1] << 8 | s[i]);

		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
			unsigned lo =
				big ? (unsigned)(s[i + 2] << 8 | s[i + 3])
				    : (unsigned)(s[i + 3] << 8 | s[i + 2]);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
				i += 2;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF)
			u = 0xFFFD;
		n += utf8_put(out + n, u);
	}
	*out_len = n;
	return out;
}

int hv_jdoc_parse(struct hv_jdoc *doc, const char *name, const char *data,
		  size_t len, const struct hv_jlimits *limits,
		  struct hv_error *err)
{
	const unsigned char *u = (const unsigned char *)data;
	size_t max_bytes = limits && limits->max_bytes
				   ? limits->max_bytes
				   : HV_JSON_DEFAULT_MAX_BYTES;
	struct parser ps = {0};
	char *utf8 = NULL;
	int rc;

	hv_error_clear(err);
	memset(doc, 0, sizeof(*doc));
	if (max_bytes > (UINT32_MAX >> 2))
		max_bytes = UINT32_MAX >> 2;
	if (len > max_bytes) {
		doc->damaged = true;
		return hv_error_set(err, HV_ERR_INPUT, name,
				    "%zu bytes is more than the limit of %zu",
				    len, max_bytes);
	}
	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
			 (u[0] == 0xFE && u[1] == 0xFF))) {
		utf8 = from_utf16(u, len, u[0] == 0xFE, &len);
		u = (const unsigned char *)utf8;
	} else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		u += 3;
		len -= 3;
	}
	ps.doc = doc;
	ps.name = name;
	ps.start = ps.p = ps.col_pos = u;
	ps.end = u + len;
	ps.line = ps.col = 1;
	ps.max_depth = limits && limits->max_depth ? limits->max_depth
						   : HV_JSON_DEFAULT_MAX_DEPTH;
	ps.stack = hv_calloc(ps.max_depth + 1, sizeof(*ps.stack));
	ps.err = err;
	rc = run(&ps);
	if (rc < 0) {
		doc->damaged = true;
		rc = HV_ERR_INPUT;
	}
	free(ps.stack);
	free(utf8);
	return rc;
}

void hv_jdoc_release(struct hv_jdoc *doc)
{
	free(doc->nodes);
	free(doc->text);
	memset(doc, 0, sizeof(*doc));
}

const struct hv_jnode *hv_jdoc_root(const struct hv_jdoc *doc)
{
	return doc->n_nodes ? &doc->nodes[0] : NULL;
}

static const struct hv_jnode *at(const struct hv_jdoc *doc, uint32_t id)
{
	return id == HV_JNONE || id >= doc->n_nodes ? NULL : &doc->nodes[id];
}

const struct hv_jnode *hv_jdoc_first(const struct hv_jdoc *doc,
				     const struct hv_jnode *node)
{
	if (!node || (node->type != HV_JARRAY && node->type != HV_JOBJECT))
		return NULL;
	return at(doc, node->first);
}

const struct hv_jnode *hv_jdoc_next(const struct hv_jdoc *doc,
				    const struct hv_jnode *node)
{
	return node ? at(doc, node->next) : NULL;
}

static bool same_key(const char *a, size_t a_len, const char *b)
{
	size_t i = 0;

	for (; i < a_len && b[i]; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return i == a_len && !b[i];
}

const struct hv_jnode *hv_jdoc_get(const struct hv_jdoc *doc,
				   const struct hv_jnode *obj, const char *key,
				   bool *out_dup)
{
	const struct hv_jnode *found = NULL;

	if (out_dup)
		*out_dup = false;
	if (!obj || obj->type != HV_JOBJECT)
		return NULL;
	for (const struct hv_jnode *m = hv_jdoc_first(doc, obj); m;
	     m = hv_jdoc_next(doc, m)) {
		if (!same_key(doc->text + m->key, m->key_len, key))
			continue;
		if (found) {
			if (out_dup)
				*out_dup = true;
			break;
		}
		found = m;
	}
	return found;
}

const char *hv_jdoc_str(const struct hv_jdoc *doc, const struct hv_jnode *node,
			size_t *out_len)
{
	if (!node || (node->type != HV_JSTRING && node->type != HV_JNUMBER)) {
		if (out_len)
			*out_len = 0;
		return NULL;
	}
	if (out_len)
		*out_len = node->str_len;
	return doc->text + node->str;
}

const char *hv_jdoc_key(const struct hv_jdoc *doc, const struct hv_jnode *node)
{
	const struct hv_jnode *parent = node ? at(doc, node->parent) : NULL;

	if (!parent || parent->type != HV_JOBJECT)
		return NULL;
	return doc->text + node->key;
}

/* Integers only: "-12", "3", and forms like "1e3" or "2.0" whose value
 * is whole (ConvertTo-Json writes UInt64 and Int64 plainly, but a value
 * typed by hand may carry a fraction of zero). */
bool hv_jdoc_int(const struct hv_jdoc *doc, const struct hv_jnode *node,
		 int64_t *out)
{
	const char *s = hv_jdoc_str(doc, node, NULL);
	char *end;
	long long v;
	double d;

	if (!s || node->type != HV_JNUMBER)
		return false;
	if (!strpbrk(s, ".eE")) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno || *end)
			return false;
		*out = v;
		return true;
	}
	d = strtod(s, &end);
	if (*end || d != d || d < -9.2e18 || d > 9.2e18 ||
	    d != (double)(int64_t)d)
		return false;
	*out = (int64_t)d;
	return true;
}

static bool plain_name(const char *s, size_t len)
{
	if (!len || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

void hv_jdoc_path(const struct hv_jdoc *doc, const struct hv_jnode *node,
		  struct hv_strbuf *out)
{
	const struct hv_jnode **chain;
	size_t n = 0, depth = 0;

	for (const struct hv_jnode *p = node; p; p = at(doc, p->parent))
		depth++;
	chain = hv_calloc(depth + 1, sizeof(*chain)); /* NOLINT: pointers */
	for (const struct hv_jnode *p = node; p; p = at(doc, p->parent))
		chain[n++] = p;
	hv_strbuf_addch(out, '$');
	/* chain[n-1] is the root; every other link names itself */
	while (n > 1) {
		const struct hv_jnode *child = chain[--n - 1];
		const struct hv_jnode *parent = at(doc, child->parent);

		if (parent && parent->type == HV_JOBJECT) {
			const char *k = doc->text + child->key;

			if (plain_name(k, child->key_len)) {
				hv_strbuf_addch(out, '.');
				hv_strbuf_add(out, k, child->key_len);
			} else {
				hv_strbuf_addch(out, '[');
				hv_json_escape(out, k, child->key_len);
				hv_strbuf_addch(out, ']');
			}
		} else {
			char buf[16];
			size_t i = sizeof(buf);
			uint32_t v = child->index;

			buf[--i] = ']';
			do {
				buf[--i] = (char)('0' + v % 10);
				v /= 10;
			} while (v);
			buf[--i] = '[';
			hv_strbuf_add(out, buf + i, sizeof(buf) - i);
		}
	}
	free(chain);
}

const char *hv_jdoc_type_name(enum hv_jtype type)
{
	switch (type) {
	case HV_JNULL:
		return "null";
	case HV_JFALSE:
	case HV_JTRUE:
		return "a boolean";
	case HV_JNUMBER:
		return "a number";
	case HV_JSTRING:
		return "a string";
	case HV_JARRAY:
		return "an array";
	case HV_JOBJECT:
		return "an object";
	}
	return "a value";
}
