/* Shared by the snapshot reader's files only: the reading context and
 * the typed getters that record each value's origin and report a value
 * of the wrong type as a problem (never as a default). */
#ifndef HV_SNAPSHOT_INTERNAL_H
#define HV_SNAPSHOT_INTERNAL_H

#include "base/json_parse.h"
#include "base/strbuf.h"
#include "sources/snapshot.h"

struct snap_reader {
	struct hv_snapshot *snap;
	const struct hv_jdoc *doc;
	const char *file;
	struct hv_strbuf tmp;
	bool bad; /* a problem was found in the current section */
};

/* A copy of len bytes in the snapshot's pool (NUL added). */
const char *snap_strndup(struct hv_snapshot *snap, const char *s, size_t len);
/* Where a node was read, as pool strings. */
struct hv_snap_at snap_at(struct snap_reader *rd, const struct hv_jnode *n);
/* Records a problem at node n (or the file when n is NULL). */
void snap_problem(struct snap_reader *rd, const struct hv_jnode *n,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The member `key` of obj, or NULL; a name given twice is a problem. */
const struct hv_jnode *snap_get(struct snap_reader *rd,
				const struct hv_jnode *obj, const char *key);

/* Typed getters: an absent member or null leaves the value unknown; a
 * value of another type is a problem and leaves it unknown. */
void snap_str(struct snap_reader *rd, const struct hv_jnode *obj,
	      const char *key, struct hv_snap_str *out);
const char *snap_plain_str(struct snap_reader *rd, const struct hv_jnode *obj,
			   const char *key);
void snap_bool(struct snap_reader *rd, const struct hv_jnode *obj,
	       const char *key, struct hv_snap_bool *out);
void snap_int(struct snap_reader *rd, const struct hv_jnode *obj,
	      const char *key, struct hv_snap_int *out);
/* An enum: Hyper-V's number, or one of names[] (index = number). */
void snap_enum(struct snap_reader *rd, const struct hv_jnode *obj,
	       const char *key, const char *const *names, int n_names,
	       struct hv_snap_enum *out);

/* The items of what should be a list: an array's elements, an object
 * alone (ConvertTo-Json writes a one-item pipeline that way), nothing for
 * null. A string there means ConvertTo-Json cut the list at its -Depth: a
 * problem, like any other type. Returns the count and fills *out_items
 * (caller frees with free()); *out_ok is false after a problem. */
size_t snap_list(struct snap_reader *rd, const struct hv_jnode *n,
		 const struct hv_jnode ***out_items, bool *out_ok);

/* Section readers (snapshot_sections.c); n is the section's node. */
void snap_read_vmhost(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_networks(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_versions(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_switches(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_os(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_processors(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_device_guard(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_vmms(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_lbfo(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_firewall(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_time(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_cluster(struct snap_reader *rd, const struct hv_jnode *n);
/* VMs and Compare-VM reports (snapshot_vms.c). */
void snap_read_vms(struct snap_reader *rd, const struct hv_jnode *n);
void snap_read_compare(struct snap_reader *rd, const struct hv_jnode *n);

/* Parses "10.0.0.0/24", "fd00::/64" or a single address into sub. */
void snap_parse_subnet(struct hv_snap_subnet *sub);
/* A configuration version from "9.0" or {"Major":9,"Minor":0}. */
bool snap_version(struct snap_reader *rd, const struct hv_jnode *n,
		  int *out_major, int *out_minor);

#endif
