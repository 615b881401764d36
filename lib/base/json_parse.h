/* A JSON reader (RFC 8259) for files from outside: host snapshots written
 * by PowerShell's ConvertTo-Json, or by hand. The document becomes an
 * array of nodes that remember where each value starts (line and column)
 * and where it sits (its parent and index), so every value read from it
 * can be named as "file:line:column" and as a path ("$.vms[2].Name").
 *
 * Hostile input is expected: the size and the nesting depth are bounded,
 * the work is linear in the input, strings are validated UTF-8 (RFC 8259
 * section 8.1), and a damaged document keeps every value that was complete
 * before the damage (see hv_jnode.complete), so a truncated snapshot still
 * yields its first sections. */
#ifndef HV_JSON_PARSE_H
#define HV_JSON_PARSE_H

#include "base/error.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "No node": the parent of the root, the end of a sibling list. */
#define HV_JNONE UINT32_MAX
/* Defaults for struct hv_jlimits (0 in a field means the default). */
#define HV_JSON_DEFAULT_MAX_BYTES (64u << 20)
#define HV_JSON_DEFAULT_MAX_DEPTH 64u

enum hv_jtype {
	HV_JNULL,
	HV_JFALSE,
	HV_JTRUE,
	HV_JNUMBER,
	HV_JSTRING,
	HV_JARRAY,
	HV_JOBJECT,
};

struct hv_jnode {
	uint8_t type;	  /* enum hv_jtype */
	bool complete;	  /* false: cut short by an error (containers) */
	uint32_t line;	  /* where the value starts, from 1 */
	uint32_t column;  /* in characters, from 1 */
	uint32_t parent;  /* the containing array or object, or HV_JNONE */
	uint32_t index;	  /* position within the parent, from 0 */
	uint32_t next;	  /* the next sibling, or HV_JNONE */
	uint32_t first;	  /* first child of an array or object */
	uint32_t count;	  /* children of an array or object */
	uint32_t key;	  /* member name (offset into text), objects only */
	uint32_t key_len; /* its length in bytes */
	uint32_t str;	  /* string: decoded text; number: its literal */
	uint32_t str_len; /* its length in bytes (strings may hold NUL) */
};

struct hv_jdoc {
	struct hv_jnode *nodes; /* nodes[0] is the root when n_nodes > 0 */
	size_t n_nodes, cap_nodes;
	char *text; /* decoded strings, keys, number literals: NUL-ended */
	size_t text_len, cap_text;
	bool damaged; /* parsing stopped at an error; see the error */
};

struct hv_jlimits {
	size_t max_bytes;   /* input size (0: HV_JSON_DEFAULT_MAX_BYTES) */
	unsigned max_depth; /* nesting (0: HV_JSON_DEFAULT_MAX_DEPTH) */
};

/* Parses len bytes of data named `name` (for errors) into doc (empty it
 * first, or pass a zeroed one). A UTF-8 byte-order mark is skipped, and a
 * UTF-16 one (what Windows PowerShell 5.1's Out-File and `>` write) makes
 * the input be read as UTF-16, since RFC 8259 section 8.1 lets a parser
 * ignore a BOM. Returns 0, or HV_ERR_INPUT with err->where set to
 * "name:line:column"; then doc->damaged is set and doc keeps what was
 * complete before the error. limits may be NULL. Release doc with
 * hv_jdoc_release() in both cases. */
int hv_jdoc_parse(struct hv_jdoc *doc, const char *name, const char *data,
		  size_t len, const struct hv_jlimits *limits,
		  struct hv_error *err);
/* Frees what doc owns and leaves it empty. */
void hv_jdoc_release(struct hv_jdoc *doc);

/* The root, or NULL for an empty document. Borrowed until release. */
const struct hv_jnode *hv_jdoc_root(const struct hv_jdoc *doc);
/* The member `key` of an object (ASCII case-insensitive, as PowerShell's
 * ConvertFrom-Json matches names), or NULL when absent or obj is not an
 * object. *out_dup (may be NULL) is set when the name occurs twice. */
const struct hv_jnode *hv_jdoc_get(const struct hv_jdoc *doc,
				   const struct hv_jnode *obj, const char *key,
				   bool *out_dup);
/* The first child of a container, the next sibling: NULL at the end. */
const struct hv_jnode *hv_jdoc_first(const struct hv_jdoc *doc,
				     const struct hv_jnode *node);
const struct hv_jnode *hv_jdoc_next(const struct hv_jdoc *doc,
				    const struct hv_jnode *node);
/* The decoded string (or a number's literal), NUL-terminated; *out_len
 * (may be NULL) gets its length in bytes. Borrowed until release. */
const char *hv_jdoc_str(const struct hv_jdoc *doc, const struct hv_jnode *node,
			size_t *out_len);
/* The member name of a node inside an object, or NULL. */
const char *hv_jdoc_key(const struct hv_jdoc *doc, const struct hv_jnode *node);
/* A number that is an integer in int64 range (no fraction, no exponent
 * that leaves one): true and *out set; false otherwise. */
bool hv_jdoc_int(const struct hv_jdoc *doc, const struct hv_jnode *node,
		 int64_t *out);
/* Appends the node's path, e.g. $.vms[2].NetworkAdapters[0].SwitchName;
 * member names that are not plain identifiers are written as ["..."]. */
void hv_jdoc_path(const struct hv_jdoc *doc, const struct hv_jnode *node,
		  struct hv_strbuf *out);
/* A type's name for messages: "null", "a boolean", "a number", … */
const char *hv_jdoc_type_name(enum hv_jtype type);

#endif
