#include "base/strmap.h"

#include "base/alloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a over the lower-cased bytes: keys are short and ASCII. */
static uint64_t hash_ci(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint64_t)tolower((unsigned char)s[i]);
		h *= 1099511628211ull;
	}
	return h;
}

static bool key_equal(const char *stored, const char *key, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (stored[i] != (char)tolower((unsigned char)key[i]))
			return false;
	return stored[len] == '\0';
}

static size_t find_slot(const struct hv_strmap *map, const char *key,
			size_t len)
{
	size_t mask = map->n_slots - 1;
	size_t i = (size_t)hash_ci(key, len) & mask;

	while (map->slots[i].key && !key_equal(map->slots[i].key, key, len))
		i = (i + 1) & mask;
	return i;
}

static void grow(struct hv_strmap *map)
{
	struct hv_strmap old = *map;

	map->n_slots = old.n_slots ? old.n_slots * 2 : 64;
	map->slots = hv_calloc(map->n_slots, sizeof(*map->slots));
	for (size_t i = 0; i < old.n_slots; i++) {
		if (!old.slots[i].key)
			continue;
		size_t at = find_slot(map, old.slots[i].key,
				      strlen(old.slots[i].key));
		map->slots[at] = old.slots[i];
	}
	free(old.slots);
}

bool hv_strmap_put(struct hv_strmap *map, const char *key, size_t len,
		   size_t value, size_t *out_existing)
{
	size_t at;

	/* keys are stored as C strings: a key ends at its first NUL, so a
	 * value with one (base64 in LDIF can carry it) is looked up, and
	 * rehashed in grow(), as the same key every time */
	len = strnlen(key, len);
	/* keep the load under 1/2 so probe chains stay short */
	if ((map->n_used + 1) * 2 > map->n_slots)
		grow(map);
	at = find_slot(map, key, len);
	if (map->slots[at].key) {
		if (out_existing)
			*out_existing = map->slots[at].value;
		return false;
	}
	map->slots[at].key = hv_strndup(key, len);
	for (char *p = map->slots[at].key; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	map->slots[at].value = value;
	map->n_used++;
	return true;
}

bool hv_strmap_get(const struct hv_strmap *map, const char *key, size_t len,
		   size_t *out_value)
{
	size_t at;

	if (!map->n_slots)
		return false;
	at = find_slot(map, key, strnlen(key, len));
	if (!map->slots[at].key)
		return false;
	*out_value = map->slots[at].value;
	return true;
}

void hv_strmap_release(struct hv_strmap *map)
{
	for (size_t i = 0; i < map->n_slots; i++)
		free(map->slots[i].key);
	free(map->slots);
	memset(map, 0, sizeof(*map));
}
