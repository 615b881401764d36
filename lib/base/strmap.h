/* A string → index hash map (open addressing, case-insensitive ASCII keys:
 * host names, SPNs and sAMAccountNames compare that way in AD). Keys are
 * copied; values are size_t indexes into some array the caller owns. */
#ifndef HV_STRMAP_H
#define HV_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct hv_strmap_slot {
	char *key; /* lower-cased copy, NULL when empty */
	size_t value;
};

struct hv_strmap {
	struct hv_strmap_slot *slots;
	size_t n_slots, n_used;
};

/* Inserts key → value unless key is present; returns true if inserted,
 * false if it was there (then *out_existing, if given, gets its value). */
bool hv_strmap_put(struct hv_strmap *map, const char *key, size_t len,
		   size_t value, size_t *out_existing);
/* Looks a key up; returns true and sets *out_value when found. */
bool hv_strmap_get(const struct hv_strmap *map, const char *key, size_t len,
		   size_t *out_value);
/* Frees the map's memory. */
void hv_strmap_release(struct hv_strmap *map);

#endif
