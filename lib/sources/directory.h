/* Directory entries as read from AD, before any judgement: the common
 * ground of the LDIF reader and the live LDAP source. Each entry remembers
 * where it came from (file:line or the LDAP URI) so findings can cite it.
 * Attribute names are kept as read; lookups are case-insensitive, as LDAP
 * attribute descriptions are (RFC 4512 section 2.5). Values are byte
 * strings (security descriptors are binary) and always NUL-terminated so
 * text attributes can be used as C strings. */
#ifndef HV_DIRECTORY_H
#define HV_DIRECTORY_H

#include "base/arena.h"

#include <stddef.h>

struct hv_value {
	char *data; /* len bytes plus a NUL */
	size_t len;
};

struct hv_attr {
	char *name;
	struct hv_value *values;
	size_t n_values, cap_values;
};

/* The strings of an entry (DN, origin, attribute names, values) live in
 * its directory's arena: a 200 MB export costs a small multiple of its
 * size, not a malloc per value. Change them only through these calls. */
struct hv_entry {
	char *dn;
	char *origin; /* "estate.ldif:12" or "ldap://dc1:389" */
	struct hv_attr *attrs;
	size_t n_attrs, cap_attrs;
	struct hv_arena *arena; /* the directory's, borrowed */
	size_t last;		/* the attribute added to last */
};

struct hv_directory {
	struct hv_entry *entries;
	size_t n_entries, cap_entries;
	char *base_dn; /* naming context the entries came from, or NULL */
	struct hv_arena *arena; /* owns the strings of every entry */
	/* The attributes a live search asked for (borrowed, NULL-terminated),
	 * so an absent one is empty; NULL for LDIF, which cannot say empty
	 * and is judged per file by what its entries carry. */
	const char *const *requested;
};

/* Appends an empty entry and returns it; borrowed until the next append. */
struct hv_entry *hv_directory_add_entry(struct hv_directory *dir,
					const char *dn, const char *origin);
/* Drops the last entry (a record found bad after it was started). */
void hv_directory_pop_entry(struct hv_directory *dir);
/* Sets the DN of entry to a copy of dn. */
void hv_entry_set_dn(struct hv_entry *entry, const char *dn);
/* Adds one value to attribute `name` of entry (creating the attribute):
 * a lookup of the last attribute first, as exports list an attribute's
 * values together. */
void hv_entry_add_value(struct hv_entry *entry, const char *name,
			const void *data, size_t len);
/* Finds an attribute by name, case-insensitively; NULL if absent. */
const struct hv_attr *hv_entry_attr(const struct hv_entry *entry,
				    const char *name);
/* First value of an attribute as a C string, or NULL. Borrowed. */
const char *hv_entry_first(const struct hv_entry *entry, const char *name);
/* Frees everything the directory owns and empties it. */
void hv_directory_clear(struct hv_directory *dir);

#endif
