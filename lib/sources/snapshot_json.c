/* The snapshot reader's view of a JSON document: jansson parses it, and a
 * snap_node adds what jansson does not keep, where a value sits (its
 * parent, member name or index), so every value read can be named by its
 * JSON path ("$.vms[2].Name") in a message. Nodes are made only for the
 * values the reader asks for, in an arena freed with the reader.
 *
 * Why jansson (Debian's libjansson, 2.14 in Debian 12): strict by default
 * (RFC 8259 only, invalid UTF-8 refused, duplicate names refused on
 * request), an error gives line, column and byte offset, a buffer with
 * its length can be parsed, object hashing is seeded at random (a file
 * cannot make lookups quadratic), and numbers too large for an integer
 * are reported with their own error code. json-c accepts more than RFC
 * 8259 by default (comments, trailing commas) and reports errors as an
 * offset only. */
#include "sources/snapshot_internal.h"

#include "base/alloc.h"
#include "base/utf16.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nodes come from blocks that never move: pointers stay valid until the
 * reader is released. */
#define NODES_PER_BLOCK 256

struct snap_node_block {
	struct snap_node_block *next;
	size_t used;
	struct snap_node nodes[NODES_PER_BLOCK];
};

static struct snap_node *new_node(struct snap_reader *rd, json_t *v,
				  const struct snap_node *parent,
				  const char *key, size_t index)
{
	struct snap_node_block *b = rd->blocks;
	struct snap_node *n;

	if (!b || b->used == NODES_PER_BLOCK) {
		b = hv_calloc(1, sizeof(*b));
		b->next = rd->blocks;
		rd->blocks = b;
	}
	n = &b->nodes[b->used++];
	n->v = v;
	n->parent = parent;
	n->key = key;
	n->index = index;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		n->type = SNAP_JOBJECT;
		n->count = json_object_size(v);
		break;
	case JSON_ARRAY:
		n->type = SNAP_JARRAY;
		n->count = json_array_size(v);
		break;
	case JSON_STRING:
		n->type = SNAP_JSTRING;
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		n->type = SNAP_JNUMBER;
		break;
	case JSON_TRUE:
		n->type = SNAP_JTRUE;
		break;
	case JSON_FALSE:
		n->type = SNAP_JFALSE;
		break;
	default:
		n->type = SNAP_JNULL;
		break;
	}
	return n;
}

/* UTF-16 (with its BOM, what Windows PowerShell 5.1's Out-File and `>`
 * write) to UTF-8; RFC 8259 section 8.1 lets a parser ignore a BOM. An
 * unpaired surrogate becomes U+FFFD. Caller frees. */
static char *from_utf16(const unsigned char *s, size_t len, bool big,
			size_t *out_len)
{
	char *out = hv_calloc(len / 2 * 3 + 4, 1);
	size_t n = 0;

	for (size_t i = 2; i + 1 < len; i += 2) {
		uint32_t u = big ? (uint32_t)(s[i] << 8 | s[i + 1])
				 : (uint32_t)(s[i + 1] << 8 | s[i]);

		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < len) {
			uint32_t lo =
				big ? (uint32_t)(s[i + 2] << 8 | s[i + 3])
				    : (uint32_t)(s[i + 3] << 8 | s[i + 2]);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (lo - 0xDC00);
				i += 2;
			}
		}
		n += hv_utf8_encode(u, out + n);
	}
	*out_len = n;
	return out;
}

/* jansson's allocations for one document are held to a budget: a hostile
 * file of "[]," makes ~60 bytes of tree per byte of input. The budget is
 * per thread (jansson's allocator hooks are global), set around each
 * parse; each block carries its size in front so free can give it back. */
#define JSON_MEMORY_BUDGET ((size_t)128 << 20)

static _Thread_local size_t json_budget_left;
static _Thread_local bool json_budget_hit;

union block_head {
	size_t size;
	max_align_t align;
};

static void *budget_malloc(size_t size)
{
	union block_head *h;

	if (size > SIZE_MAX - sizeof(*h) ||
	    size + sizeof(*h) > json_budget_left) {
		json_budget_hit = true;
		return NULL;
	}
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size + sizeof(*h);
	json_budget_left -= h->size;
	return h + 1;
}

static void budget_free(void *p)
{
	union block_head *h;

	if (!p)
		return;
	h = (union block_head *)p - 1;
	json_budget_left += h->size;
	free(h);
}

static pthread_once_t budget_once = PTHREAD_ONCE_INIT;

static void install_budget(void)
{
	json_set_alloc_funcs(budget_malloc, budget_free);
}

static void parse_failed(struct snap_reader *rd, const json_error_t *e)
{
	struct hv_snapshot *snap = rd->snap;
	struct hv_snap_problem *p = &snap->problems[snap->n_problems++];
	struct hv_strbuf msg = HV_STRBUF_INIT;

	snap->n_problems_total++;
	if (json_budget_hit || json_error_code(e) == json_error_out_of_memory)
		hv_strbuf_addf(&msg,
			       "the document needs more than %zu MiB "
			       "in memory; a host's snapshot is far smaller",
			       JSON_MEMORY_BUDGET >> 20);
	else
		hv_strbuf_adds(&msg, e->text);
	if (json_error_code(e) == json_error_premature_end_of_input)
		hv_strbuf_adds(&msg, ": the file is cut short (copy it from "
				     "the host again, or collect it again)");
	else if (json_error_code(e) == json_error_invalid_utf8)
		/* Set-Content and Out-File -Encoding Default in Windows
		 * PowerShell 5.1 write the ANSI code page */
		hv_strbuf_adds(&msg, ": the file is not UTF-8 (write it with "
				     "-Encoding UTF8, or use the collector)");
	p->message = hv_strbuf_detach(&msg);
	hv_strbuf_reset(&rd->tmp);
	if (e->line < 1) { /* no place: the whole document */
		p->where = hv_strdup(rd->file);
		return;
	}
	/* jansson counts a column of 0 at the start of a line */
	hv_strbuf_addf(&rd->tmp, "%s:%d:%d", rd->file, e->line,
		       e->column > 0 ? e->column : 1);
	p->where = hv_strdup(hv_strbuf_str(&rd->tmp));
}

const struct snap_node *snap_json_load(struct snap_reader *rd, const char *data,
				       size_t len)
{
	const unsigned char *u = (const unsigned char *)data;
	/* Exact names only, so "Name" given twice is an error here; PowerShell
	 * never writes that. NUL in strings is allowed so that a string
	 * holding one is a problem of that value, not of the file. */
	size_t flags =
		JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL;
	char *utf8 = NULL;
	json_error_t e;

	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
			 (u[0] == 0xFE && u[1] == 0xFF))) {
		utf8 = from_utf16(u, len, u[0] == 0xFE, &len);
		data = utf8;
	} else if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		data += 3;
		len -= 3;
	}
	pthread_once(&budget_once, install_budget);
	json_budget_left = JSON_MEMORY_BUDGET;
	json_budget_hit = false;
	rd->json = json_loadb(data, len, flags, &e);
	/* A count past int64 (an unsigned 64-bit property) is not an error
	 * of the file: read every number as a double then. */
	if (!rd->json && json_error_code(&e) == json_error_numeric_overflow) {
		json_budget_left = JSON_MEMORY_BUDGET;
		rd->json = json_loadb(data, len,
				      flags | JSON_DECODE_INT_AS_REAL, &e);
	}
	free(utf8);
	if (!rd->json) {
		parse_failed(rd, &e);
		return NULL;
	}
	return new_node(rd, rd->json, NULL, NULL, 0);
}

void snap_json_release(struct snap_reader *rd)
{
	while (rd->blocks) {
		struct snap_node_block *next = rd->blocks->next;

		free(rd->blocks);
		rd->blocks = next;
	}
	json_decref(rd->json);
	rd->json = NULL;
}

bool snap_same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
			return false;
	}
	return !*a && !*b;
}

const struct snap_node *snap_find(struct snap_reader *rd,
				  const struct snap_node *obj, const char *key,
				  bool *out_dup)
{
	const char *name, *found_name = NULL;
	json_t *v, *found = NULL;

	if (out_dup)
		*out_dup = false;
	if (!obj || obj->type != SNAP_JOBJECT)
		return NULL;
	/* ASCII case-insensitive, as ConvertFrom-Json matches names; the
	 * callers ask for a fixed set of names, so this stays linear in the
	 * object's size. */
	json_object_foreach(obj->v, name, v)
	{
		if (!snap_same_name(name, key))
			continue;
		if (found) {
			if (out_dup)
				*out_dup = true;
			break;
		}
		found = v;
		found_name = name;
	}
	return found ? new_node(rd, found, obj, found_name, 0) : NULL;
}

const struct snap_node *snap_first(struct snap_reader *rd,
				   const struct snap_node *arr)
{
	if (!arr || arr->type != SNAP_JARRAY || arr->count == 0)
		return NULL;
	return new_node(rd, json_array_get(arr->v, 0), arr, NULL, 0);
}

const struct snap_node *snap_next(struct snap_reader *rd,
				  const struct snap_node *item)
{
	const struct snap_node *arr = item ? item->parent : NULL;

	if (!arr || arr->type != SNAP_JARRAY || item->index + 1 >= arr->count)
		return NULL;
	return new_node(rd, json_array_get(arr->v, item->index + 1), arr, NULL,
			item->index + 1);
}

const char *snap_text(const struct snap_node *n)
{
	const char *s;

	if (!n || n->type != SNAP_JSTRING)
		return NULL;
	s = json_string_value(n->v);
	/* a string holding NUL is not the text it would seem to be */
	return strlen(s) == json_string_length(n->v) ? s : NULL;
}

size_t snap_text_len(const struct snap_node *n)
{
	return n && n->type == SNAP_JSTRING ? json_string_length(n->v) : 0;
}

bool snap_int_of(const struct snap_node *n, int64_t *out)
{
	double d;

	if (!n || n->type != SNAP_JNUMBER)
		return false;
	if (json_is_integer(n->v)) {
		*out = json_integer_value(n->v);
		return true;
	}
	/* 2.0 or 1e3 is whole; past 2^53 a double is no exact count */
	d = json_real_value(n->v);
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) ||
	    (double)(int64_t)d != d)
		return false;
	*out = (int64_t)d;
	return true;
}

bool snap_real_of(const struct snap_node *n, double *out)
{
	if (!n || n->type != SNAP_JNUMBER)
		return false;
	*out = json_number_value(n->v);
	return isfinite(*out);
}

void snap_number_text(const struct snap_node *n, char *buf, size_t size)
{
	if (n && json_is_integer(n->v))
		snprintf(buf, size, "%" PRId64,
			 (int64_t)json_integer_value(n->v));
	else if (n && json_is_real(n->v))
		snprintf(buf, size, "%.17g", json_real_value(n->v));
	else
		snprintf(buf, size, "?");
}

const char *snap_type_name(const struct snap_node *n)
{
	static const char *const names[] = {
		[SNAP_JNULL] = "null",	      [SNAP_JFALSE] = "a boolean",
		[SNAP_JTRUE] = "a boolean",   [SNAP_JNUMBER] = "a number",
		[SNAP_JSTRING] = "a string",  [SNAP_JARRAY] = "a list",
		[SNAP_JOBJECT] = "an object",
	};

	return n ? names[n->type] : "absent";
}

/* Appends one step of a path: .Name or [3]. A name is the file's
 * spelling of one the reader asked for (ASCII, case aside), so it needs
 * no quoting. */
static void add_step(const struct snap_node *n, struct hv_strbuf *out)
{
	if (n->key) {
		hv_strbuf_addch(out, '.');
		hv_strbuf_adds(out, n->key);
	} else {
		hv_strbuf_addf(out, "[%zu]", n->index);
	}
}

void snap_path(const struct snap_node *n, struct hv_strbuf *out)
{
	const struct snap_node *chain[64];
	size_t depth = 0;

	/* the reader never goes deeper than its sections' fixed shape */
	for (; n && n->parent && depth < sizeof(chain) / sizeof(chain[0]);
	     n = n->parent)
		chain[depth++] = n;
	hv_strbuf_addch(out, '$');
	while (depth)
		add_step(chain[--depth], out);
}
