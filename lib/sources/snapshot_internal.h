/* Shared by the snapshot reader's files only: the reading context and
 * the typed getters that record each value's origin and report a value
 * of the wrong type as a problem (never as a default). */
#ifndef HV_SNAPSHOT_INTERNAL_H
#define HV_SNAPSHOT_INTERNAL_H

#include "base/strbuf.h"
#include "sources/snapshot.h"

#include <jansson.h>

enum snap_jtype {
	SNAP_JNULL,
	SNAP_JFALSE,
	SNAP_JTRUE,
	SNAP_JNUMBER,
	SNAP_JSTRING,
	SNAP_JARRAY,
	SNAP_JOBJECT,
};

/* A value the reader looked at, and where it sits (for its path). */
struct snap_node {
	json_t *v;			/* borrowed from the document */
	const struct snap_node *parent; /* NULL for the root */
	const char *key;		/* member name, or NULL in a list */
	size_t index;			/* position in a list */
	size_t count;			/* members or items of a container */
	uint8_t type;			/* enum snap_jtype */
};

struct snap_node_block;

struct snap_reader {
	struct hv_snapshot *snap;
	const char *file;
	struct hv_strbuf tmp;
	bool bad;     /* a problem was found in the current section */
	json_t *json; /* the document; owned */
	struct snap_node_block *blocks; /* every snap_node made; owned */
};

/* snapshot_json.c: the document under jansson. */
/* Parses len bytes (a UTF-8 or UTF-16 BOM is read as such) and returns
 * the root, or NULL after recording the parse error as a problem at
 * file:line:column. */
const struct snap_node *snap_json_load(struct snap_reader *rd, const char *data,
				       size_t len);
/* Frees the document and every node. */
void snap_json_release(struct snap_reader *rd);
/* The member `key` of obj (ASCII case-insensitive, as ConvertFrom-Json
 * matches names), or NULL when absent or obj is no object; *out_dup (may
 * be NULL) is set when two names match. */
const struct snap_node *snap_find(struct snap_reader *rd,
				  const struct snap_node *obj, const char *key,
				  bool *out_dup);
/* ASCII case-insensitive equality of two names. */
bool snap_same_name(const char *a, const char *b);
/* The first item of a list, the next one: NULL at the end. */
const struct snap_node *snap_first(struct snap_reader *rd,
				   const struct snap_node *arr);
const struct snap_node *snap_next(struct snap_reader *rd,
				  const struct snap_node *item);
/* A string's text, or NULL for another type or a string holding NUL.
 * Borrowed until the reader is released. */
const char *snap_text(const struct snap_node *n);
size_t snap_text_len(const struct snap_node *n);
/* A whole number in int64 range (an integral double up to 2^53 too). */
bool snap_int_of(const struct snap_node *n, int64_t *out);
/* A finite number (whole or not). */
bool snap_real_of(const struct snap_node *n, double *out);
/* A number as text, for messages. */
void snap_number_text(const struct snap_node *n, char *buf, size_t size);
/* "null", "a boolean", "a number", …; "absent" for NULL. */
const char *snap_type_name(const struct snap_node *n);
/* Appends n's JSON path, e.g. $.vms[2].NetworkAdapters[0].SwitchName. */
void snap_path(const struct snap_node *n, struct hv_strbuf *out);

/* A copy of len bytes in the snapshot's pool (NUL added). */
const char *snap_strndup(struct hv_snapshot *snap, const char *s, size_t len);
/* Where a node was read, as pool strings. */
struct hv_snap_at snap_at(struct snap_reader *rd, const struct snap_node *n);
/* Records a problem at node n (or the file when n is NULL). */
void snap_problem(struct snap_reader *rd, const struct snap_node *n,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The member `key` of obj, or NULL; a name given twice is a problem. */
const struct snap_node *snap_get(struct snap_reader *rd,
				 const struct snap_node *obj, const char *key);

/* Typed getters: an absent member or null leaves the value unknown; a
 * value of another type is a problem and leaves it unknown. */
void snap_str(struct snap_reader *rd, const struct snap_node *obj,
	      const char *key, struct hv_snap_str *out);
const char *snap_plain_str(struct snap_reader *rd, const struct snap_node *obj,
			   const char *key);
void snap_bool(struct snap_reader *rd, const struct snap_node *obj,
	       const char *key, struct hv_snap_bool *out);
void snap_int(struct snap_reader *rd, const struct snap_node *obj,
	      const char *key, struct hv_snap_int *out);
/* An enum: Hyper-V's number, or one of names[] (index = number). */
void snap_enum(struct snap_reader *rd, const struct snap_node *obj,
	       const char *key, const char *const *names, int n_names,
	       struct hv_snap_enum *out);

/* The items of what should be a list: an array's elements, an object
 * alone (ConvertTo-Json writes a one-item pipeline that way), nothing for
 * null. A string there means ConvertTo-Json cut the list at its -Depth: a
 * problem, like any other type. Returns the count and fills *out_items
 * (caller frees with free()); *out_ok is false after a problem. */
size_t snap_list(struct snap_reader *rd, const struct snap_node *n,
		 const struct snap_node ***out_items, bool *out_ok);

/* Section readers (snapshot_sections.c); n is the section's node. */
void snap_read_vmhost(struct snap_reader *rd, const struct snap_node *n);
void snap_read_networks(struct snap_reader *rd, const struct snap_node *n);
void snap_read_versions(struct snap_reader *rd, const struct snap_node *n);
void snap_read_switches(struct snap_reader *rd, const struct snap_node *n);
void snap_read_os(struct snap_reader *rd, const struct snap_node *n);
void snap_read_processors(struct snap_reader *rd, const struct snap_node *n);
void snap_read_device_guard(struct snap_reader *rd, const struct snap_node *n);
void snap_read_vmms(struct snap_reader *rd, const struct snap_node *n);
void snap_read_lbfo(struct snap_reader *rd, const struct snap_node *n);
void snap_read_firewall(struct snap_reader *rd, const struct snap_node *n);
void snap_read_time(struct snap_reader *rd, const struct snap_node *n);
void snap_read_cluster(struct snap_reader *rd, const struct snap_node *n);
/* What the host measured itself (snapshot_vantage.c). */
void snap_read_dc(struct snap_reader *rd, const struct snap_node *n);
void snap_read_clock(struct snap_reader *rd, const struct snap_node *n);
void snap_read_tickets(struct snap_reader *rd, const struct snap_node *n);
void snap_read_reach(struct snap_reader *rd, const struct snap_node *n);
/* A date as ISO 8601 text, "/Date(ms)/" or Get-Date's {value, ...}, in
 * Unix seconds; false when n is none of these. */
bool snap_date(struct snap_reader *rd, const struct snap_node *n, int64_t *out);
/* VMs and Compare-VM reports (snapshot_vms.c). */
void snap_read_vms(struct snap_reader *rd, const struct snap_node *n);
void snap_read_compare(struct snap_reader *rd, const struct snap_node *n);

/* Parses "10.0.0.0/24", "fd00::/64" or a single address into sub. */
void snap_parse_subnet(struct hv_snap_subnet *sub);
/* A configuration version from "9.0" or {"Major":9,"Minor":0}. */
bool snap_version(struct snap_reader *rd, const struct snap_node *n,
		  int *out_major, int *out_minor);

#endif
