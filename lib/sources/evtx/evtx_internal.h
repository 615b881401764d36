/* Shared between the files of the EVTX reader only (and its tests). */
#ifndef HV_EVTX_INTERNAL_H
#define HV_EVTX_INTERNAL_H

#include "sources/evtx/evtx.h"

#include "base/cursor.h"

#include <string.h>

/* Binary XML tokens, [MS-EVEN6] 2.2.12; 0x40 on a token means "more
 * data follows" (attributes, value pieces) or "has attributes" (start
 * element). */
enum {
	TOK_EOF = 0x00,
	TOK_OPEN_START = 0x01,
	TOK_CLOSE_START = 0x02,
	TOK_CLOSE_EMPTY = 0x03,
	TOK_END_ELEMENT = 0x04,
	TOK_VALUE = 0x05,
	TOK_ATTRIBUTE = 0x06,
	TOK_CDATA = 0x07,
	TOK_CHARREF = 0x08,
	TOK_ENTITYREF = 0x09,
	TOK_PI_TARGET = 0x0a,
	TOK_PI_DATA = 0x0b,
	TOK_TEMPLATE = 0x0c,
	TOK_SUBST = 0x0d,
	TOK_OPTIONAL_SUBST = 0x0e,
	TOK_FRAGMENT = 0x0f,
	TOK_MORE = 0x40,
};

/* Value types, [MS-EVEN6] 2.2.12 (ValueType) and the libyal notes;
 * 0x80 marks an array of the type in the low bits. */
enum {
	VT_NULL = 0x00,
	VT_STRING = 0x01,
	VT_ANSI = 0x02,
	VT_INT8 = 0x03,
	VT_UINT8 = 0x04,
	VT_INT16 = 0x05,
	VT_UINT16 = 0x06,
	VT_INT32 = 0x07,
	VT_UINT32 = 0x08,
	VT_INT64 = 0x09,
	VT_UINT64 = 0x0a,
	VT_REAL32 = 0x0b,
	VT_REAL64 = 0x0c,
	VT_BOOL = 0x0d,
	VT_BINARY = 0x0e,
	VT_GUID = 0x0f,
	VT_SIZE = 0x10,
	VT_FILETIME = 0x11,
	VT_SYSTIME = 0x12,
	VT_SID = 0x13,
	VT_HEX32 = 0x14,
	VT_HEX64 = 0x15,
	VT_EVTHANDLE = 0x20,
	VT_BINXML = 0x21,
	VT_EVTXML = 0x23,
	VT_ARRAY = 0x80,
};

/* One substitution value of a template instance: borrowed bytes of the
 * chunk. */
struct hv_evtx_value {
	uint8_t type;
	uint8_t cls; /* enum hv_evtx_class; set where the substitution
			array is read (template.c), 0 elsewhere */
	uint32_t size;
	const unsigned char *data;
};

/* What a value does to the shape of the rendered event (plan.c keys
 * plans on it): nothing is written, an empty value, text, a nested
 * document; arrays repeat elements. */
enum hv_evtx_class {
	CLASS_NULL = 0,
	CLASS_EMPTY = 1, /* set but shows nothing */
	CLASS_TEXT = 2,	 /* shows text */
	CLASS_BINXML_EMPTY = 3,
	CLASS_BINXML = 4, /* a nested document */
	CLASS_ARRAY = 5,
};

enum hv_evtx_node_kind {
	NODE_ELEMENT,
	NODE_ATTRIBUTE,
	NODE_TEXT, /* literal text, already UTF-8 */
	NODE_SUBST,
	NODE_CHARREF,
	NODE_ENTITY,
	NODE_CDATA,
	NODE_PI,
};

#define NODE_NONE UINT32_MAX

/* Element flags worked out once per template. */
enum {
	EL_STATIC_CONTENT = 0x1, /* content always renders something */
	EL_HAS_ELEMENTS = 0x2,	 /* some child is an element (or may be
				    one: a binary XML substitution) */
	EL_ONLY_OPTIONAL = 0x4,	 /* content is optional substitutions only:
				    the element goes when all are NULL */
	EL_HAS_SUBST = 0x8,	 /* content holds a substitution: an array
				    value repeats the element per item */
};

/* A compiled template (or a record's literal binary XML): a tree in one
 * array, names and literal text decoded once into a pool. Rendering a
 * record walks it with the record's values; nothing is parsed again. */
struct hv_evtx_node {
	uint8_t kind;
	uint8_t optional;   /* optional substitution */
	uint8_t flags;	    /* EL_* for elements */
	uint8_t subst_type; /* the type the template declares */
	uint16_t subst_id;
	uint16_t charref;
	uint32_t str, str_len;	 /* pool: name, or text for TEXT/CDATA/PI */
	uint32_t str2, str2_len; /* pool: PI data */
	uint32_t attrs;		 /* elements: first attribute */
	uint32_t child; /* elements and attributes: first content node */
	uint32_t next;	/* next sibling */
};

struct hv_evtx_tpl {
	struct hv_evtx_node *nodes;
	uint32_t n_nodes, cap_nodes;
	char *pool;
	size_t pool_len, pool_cap;
	uint32_t root; /* first top-level node */
	/* where each System field lives: an attribute or element node */
	uint32_t field[HV_EVTX_F_COUNT];
	uint32_t system;    /* Event/System, or NODE_NONE */
	uint16_t max_subst; /* highest substitution id + 1 */
	uint64_t sig; /* hash of the tree and pool, for the shared cache */
};

/* The binary XML of a record or of a BinXml value: a template with its
 * values (values may be none for literal XML). */
struct hv_evtx_doc {
	const struct hv_evtx_tpl *tpl;
	const struct hv_evtx_value *values;
	size_t n_values;
	const uint8_t *classes;	     /* each value's cls, n_values of them */
	unsigned class_mask;	     /* bit 1 << cls of each value */
	struct hv_evtx_tpl *literal; /* compiled for this doc only: the
					reader of the doc frees it */
};

/* What binary XML is read against: the chunk (names and template
 * definitions are chunk-relative offsets), its absolute offset for
 * messages, and where to report. */
struct hv_evtx_ctx {
	const unsigned char *chunk;
	size_t chunk_len;
	uint64_t base;
	struct hv_evtx_reader *reader;
	size_t budget; /* what one record's walk may write (0: the
			  render limit); hv_evtx_record_ctx() sets it */
};

/* Nested documents one record may have rendered through a plan. */
#define HV_EVTX_SCRATCH 4

/* Plans tried before the hash table (a power of two). */
#define HV_EVTX_RECENT_PLANS 16u

/* A chunk's compiled templates, by definition offset. */
struct hv_evtx_tpl_slot {
	bool used;
	uint32_t offset;
	const struct hv_evtx_tpl *tpl; /* in the shared cache; NULL: could
					  not be read (why) */
	const char *why;
};

struct hv_evtx_reader {
	const struct hv_evtx_file *file;
	struct hv_evtx_problems *problems; /* borrowed */
	struct hv_evtx_chunk_info info;
	struct hv_evtx_ctx ctx;
	size_t pos, limit; /* next record, end of records (chunk offsets) */
	bool searching;	   /* after damage: looking for a record */
	uint32_t repaired_size; /* of the record at pos, guessed */
	bool guessed;		/* the current record's size is a guess */
	bool repair_failed;	/* the guess at pos did not read */
	struct hv_evtx_tpl_slot *tpls;
	size_t n_tpls, cap_tpls, nodes_compiled;
	uint32_t last_offset[2]; /* the last templates found, by offset */
	const struct hv_evtx_tpl *last_tpl[2];
	/* compiled templates shared by the chunks read so far, by tree */
	struct hv_evtx_tpl **shared;
	size_t n_shared, cap_shared, shared_nodes;
	/* definitions of earlier chunks and their shared templates
	   (defcache.c) */
	struct hv_evtx_def **defs;
	size_t def_bytes;
	struct hv_evtx_tpl *literal; /* the current record's, if any */
	struct hv_evtx_plan **plans; /* this chunk's, by key hash */
	size_t n_plans, cap_plans;
	/* the plan used last for a few templates (by address) */
	struct hv_evtx_plan *recent_plans[HV_EVTX_RECENT_PLANS];
	/* values of nested documents, kept between records (plan.c) */
	struct hv_evtx_value *scratch[HV_EVTX_SCRATCH];
	size_t scratch_cap[HV_EVTX_SCRATCH];
	struct hv_evtx_value *values;
	size_t cap_values;
};

/* binxml.c: compiles the element (or element sequence) at cur into a
 * new template; NULL (with *why set) when the bytes are not binary XML.
 * Caller frees with hv_evtx_tpl_free(). */
struct hv_evtx_tpl *hv_evtx_tpl_compile(const struct hv_evtx_ctx *ctx,
					struct hv_cursor *cur,
					const char **why);
/* What a compile read of the chunk besides the bytes at [lo, hi) (the
 * definition): the names it points to elsewhere, as (offset, length)
 * ranges. The same bytes at the same offset, with the same bytes in
 * these ranges, compile to the same tree. */
#define HV_EVTX_DEPS_MAX 64
struct hv_evtx_deps {
	uint32_t lo, hi;
	bool reusable; /* false: a name not readable, or too many */
	size_t n;
	uint32_t off[HV_EVTX_DEPS_MAX], len[HV_EVTX_DEPS_MAX];
};
/* hv_evtx_tpl_compile(), noting what it read outside [deps->lo,
 * deps->hi) in deps (set lo, hi and reusable = true first). */
struct hv_evtx_tpl *hv_evtx_tpl_compile_deps(const struct hv_evtx_ctx *ctx,
					     struct hv_cursor *cur,
					     struct hv_evtx_deps *deps,
					     const char **why);
void hv_evtx_tpl_free(struct hv_evtx_tpl *tpl);
/* Reads the name at chunk offset off; false if it is out of bounds. */
bool hv_evtx_name_at(const struct hv_evtx_ctx *ctx, uint32_t off,
		     const unsigned char **chars, uint16_t *n_chars);

/* template.c: reads the binary XML of a record or a BinXml value at cur
 * (fragment header, then a template instance or an element) into doc.
 * Values are stored in *values (grown as needed; the caller owns it).
 * Returns 0, or -1 with *why set. */
int hv_evtx_doc_read(const struct hv_evtx_ctx *ctx, struct hv_cursor *cur,
		     struct hv_evtx_doc *doc, struct hv_evtx_value **values,
		     size_t *cap_values, const char **why);
/* The template whose definition is at chunk offset `off`, compiled once
 * per chunk; NULL with *why when it cannot be read. */
const struct hv_evtx_tpl *hv_evtx_template_at(const struct hv_evtx_ctx *ctx,
					      uint32_t off, const char **why);
/* Forgets the template offsets of the previous chunk (their compiled
 * trees stay shared, up to a bound). */
void hv_evtx_templates_reset(struct hv_evtx_reader *r);
void hv_evtx_templates_release(struct hv_evtx_reader *r);

/* defcache.c: the shared template an earlier chunk compiled from the
 * same definition bytes at off (and the same names outside it), or
 * NULL. Borrowed until hv_evtx_defcache_clear(). */
const struct hv_evtx_tpl *hv_evtx_defcache_find(struct hv_evtx_reader *r,
						const struct hv_evtx_ctx *ctx,
						uint32_t off);
/* Remembers that the definition at off compiled, reading deps, to the
 * shared template tpl (unless deps say it cannot be reused). */
void hv_evtx_defcache_add(struct hv_evtx_reader *r,
			  const struct hv_evtx_ctx *ctx, uint32_t off,
			  const struct hv_evtx_deps *deps,
			  const struct hv_evtx_tpl *tpl);
/* Forgets every definition (before their templates are freed). */
void hv_evtx_defcache_clear(struct hv_evtx_reader *r);
void hv_evtx_defcache_release(struct hv_evtx_reader *r);

/* value.c: value formatting. How text is escaped for its medium. */
enum hv_evtx_escape { ESC_NONE, ESC_XML_TEXT, ESC_XML_ATTR, ESC_JSON };

/* Appends a scalar value as text (a BinXml value appends nothing: the
 * walk descends into it; an array appends its items joined by ", "). */
void hv_evtx_value_text(const struct hv_evtx_value *v, enum hv_evtx_escape esc,
			struct hv_strbuf *out);
/* The next item of an array value as a scalar value; *pos starts at 0.
 * False after the last item. Linear in the value's size overall. */
bool hv_evtx_array_next(const struct hv_evtx_value *array, size_t *pos,
			struct hv_evtx_value *item);
/* True for a value that renders nothing (NULL, or an empty scalar). */
bool hv_evtx_value_empty(const struct hv_evtx_value *v);
/* The value as an unsigned integer when it is one. */
bool hv_evtx_value_uint(const struct hv_evtx_value *v, uint64_t *out);
/* The most one scalar value's text takes: six bytes per byte of the
 * value covers every escaped or hex form, 64 the fixed-size types. */
#define HV_EVTX_VALUE_BOUND(size) (64u + 6u * (size_t)(size))
/* Writes a scalar value's text at w, which has room for
 * HV_EVTX_VALUE_BOUND(v->size) bytes; returns the end. No NUL. */
char *hv_evtx_value_put(char *w, const struct hv_evtx_value *v,
			enum hv_evtx_escape esc);

/* text.c: escaping. The worst case of one UTF-16 unit or one byte after
 * escaping: six bytes ("&quot;", "\u001f"). */
#define HV_EVTX_WORST 6u
/* Writes n_units of UTF-16LE text at w (room for HV_EVTX_WORST bytes a
 * unit), escaped for esc, up to a NUL; returns the end. */
char *hv_evtx_utf16_put(char *w, const unsigned char *p, size_t n_units,
			enum hv_evtx_escape esc);
/* Writes one code point at w (room for HV_EVTX_WORST bytes). */
char *hv_evtx_cp_put(char *w, uint32_t cp, enum hv_evtx_escape esc);
/* Appends UTF-16LE text, escaped for esc. */
void hv_evtx_utf16_escaped(const unsigned char *p, size_t n_units,
			   enum hv_evtx_escape esc, struct hv_strbuf *out);
/* Appends UTF-8 text, escaped for esc. */
void hv_evtx_utf8_escaped(const char *s, size_t len, enum hv_evtx_escape esc,
			  struct hv_strbuf *out);

/* walk.c: a walk over the rendered event, for the XML, JSON and
 * event-data writers. Text arrives in pieces (literal or values). */
struct hv_evtx_piece {
	const struct hv_evtx_node *node; /* TEXT, SUBST, CHARREF, ENTITY,
					    CDATA */
	const struct hv_evtx_tpl *tpl;
	struct hv_evtx_value value; /* SUBST: the value (an array item) */
	/* when recording a plan (plan.c): a value is written as a
	 * placeholder naming it, not as its text */
	bool placeholder;
	uint16_t outer; /* the BinXml value it is nested in, or PLAN_TOP */
};

/* Placeholders: \x01, the escape digit, 4 hex digits of the outer
 * value, 4 of the value, \x02. */
#define PLAN_TOP 0xffffu
#define PLAN_MARK_LEN 11

struct hv_evtx_sink {
	void *ctx;
	/* an element starts; has_content tells whether anything (text or
	 * elements) will come before its end; has_elements whether child
	 * elements may */
	void (*element_begin)(void *ctx, const char *name, size_t len,
			      int depth);
	void (*attribute_begin)(void *ctx, const char *name, size_t len);
	void (*attribute_end)(void *ctx);
	void (*content_begin)(void *ctx, bool has_content, bool has_elements);
	void (*text)(void *ctx, const struct hv_evtx_piece *piece);
	/* may be NULL: sinks that keep no processing instructions */
	void (*pi)(void *ctx, const char *target, size_t tlen, const char *data,
		   size_t dlen, int depth);
	void (*element_end)(void *ctx, const char *name, size_t len,
			    bool had_content, bool had_elements, int depth);
	struct hv_strbuf *out; /* what the walk writes past its length at
				  the start is held to the ctx's budget */
	bool cut;	       /* set when the budget was spent */
	bool placeholders;     /* recording a plan */
	size_t values;	       /* value pieces written */
};

/* Walks doc (the record's, or a nested one at depth). */
void hv_evtx_walk(const struct hv_evtx_ctx *ctx, const struct hv_evtx_doc *doc,
		  struct hv_evtx_sink *sink, int depth);
/* Walks one element node of doc. */
void hv_evtx_walk_element(const struct hv_evtx_ctx *ctx,
			  const struct hv_evtx_doc *doc, uint32_t el,
			  struct hv_evtx_sink *sink, int depth);
/* Walks the content of element el of doc (not el itself), leaving out
 * its child node `skip` (NODE_NONE: none): the event data are the
 * children of Event other than System, wherever they are kept. */
void hv_evtx_walk_children(const struct hv_evtx_ctx *ctx,
			   const struct hv_evtx_doc *doc, uint32_t el,
			   uint32_t skip, struct hv_evtx_sink *sink, int depth);
/* Appends the text of a piece, escaped for esc (a BinXml value renders
 * as nothing here: the walk descends into it). */
void hv_evtx_piece_text(const struct hv_evtx_piece *p, enum hv_evtx_escape esc,
			struct hv_strbuf *out);
/* Walks the content of one node (an attribute or element) of doc as
 * plain text, for the System fields. */
void hv_evtx_node_text(const struct hv_evtx_ctx *ctx,
		       const struct hv_evtx_doc *doc, uint32_t node,
		       struct hv_strbuf *out);

/* plan.c: renders a record through a cached plan when it can (the
 * output of its template for values NULL, empty or set in the same
 * places), else with the walk. xml selects XML or JSON. Returns what
 * the renderers return. */
int hv_evtx_plan_render(const struct hv_evtx_record *rec, bool xml,
			struct hv_strbuf *out);
/* The renderers proper, without plans (xml.c, json.c). */
int hv_evtx_walk_xml(const struct hv_evtx_ctx *ctx,
		     const struct hv_evtx_doc *doc, struct hv_strbuf *out,
		     bool placeholders, size_t *values);
int hv_evtx_walk_json(const struct hv_evtx_ctx *ctx,
		      const struct hv_evtx_doc *doc, struct hv_strbuf *out,
		      bool placeholders, size_t *values);
/* Forgets the plans of the previous chunk (their templates are gone). */
void hv_evtx_plans_reset(struct hv_evtx_reader *r);
void hv_evtx_plans_release(struct hv_evtx_reader *r);

/* chunk.c: the context of the record's chunk. */
void hv_evtx_record_ctx(const struct hv_evtx_record *rec,
			struct hv_evtx_ctx *ctx);
/* The doc of a record. */
void hv_evtx_record_doc(const struct hv_evtx_record *rec,
			struct hv_evtx_doc *doc);

/* budget.c: a record whose rendering passed its budget (what was
 * written from `start` on) is replaced by an empty Event that says so,
 * and the cut is added to the problems of its chunk. */
void hv_evtx_render_cut(const struct hv_evtx_record *rec, bool xml,
			struct hv_strbuf *out, size_t start);
/* Adds a problem at the record's offset to its chunk's problems. */
void hv_evtx_record_problem(const struct hv_evtx_record *rec,
			    enum hv_evtx_problem_kind kind, const char *fmt,
			    ...) __attribute__((format(printf, 3, 4)));

/* Output: rendering appends many small pieces, so it writes straight
 * into the strbuf's memory after making room (hv_strbuf keeps buf
 * NUL-terminated with alloc > len; these keep that true). */
void hv_evtx_grow(struct hv_strbuf *sb, size_t extra);

/* Room for n more bytes; returns where to write them. */
static inline char *hv_evtx_reserve(struct hv_strbuf *sb, size_t n)
{
	if (sb->len + n + 1 > sb->alloc)
		hv_evtx_grow(sb, n);
	return sb->buf + sb->len;
}

/* Ends a write started by hv_evtx_reserve at end. */
static inline void hv_evtx_commit(struct hv_strbuf *sb, char *end)
{
	sb->len = (size_t)(end - sb->buf);
	sb->buf[sb->len] = '\0';
}

static inline void hv_evtx_put(struct hv_strbuf *sb, const void *p, size_t n)
{
	char *w = hv_evtx_reserve(sb, n);

	memcpy(w, p, n);
	hv_evtx_commit(sb, w + n);
}

static inline void hv_evtx_putc(struct hv_strbuf *sb, char c)
{
	char *w = hv_evtx_reserve(sb, 1);

	*w = c;
	hv_evtx_commit(sb, w + 1);
}

/* Little-endian helpers over bytes the cursor already bounded. */
static inline uint16_t hv_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t hv_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t hv_le64(const unsigned char *p)
{
	return (uint64_t)hv_le32(p) | (uint64_t)hv_le32(p + 4) << 32;
}

#endif
