#include "sources/directory.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct hv_entry *hv_directory_add_entry(struct hv_directory *dir,
					const char *dn, const char *origin)
{
	struct hv_entry *entry;

	if (!dir->arena)
		dir->arena = hv_calloc(1, sizeof(*dir->arena));
	HV_GROW(dir->entries, dir->n_entries, dir->cap_entries);
	entry = &dir->entries[dir->n_entries++];
	memset(entry, 0, sizeof(*entry));
	entry->arena = dir->arena;
	entry->dn = hv_arena_strndup(dir->arena, dn, strlen(dn));
	origin = origin ? origin : "";
	entry->origin = hv_arena_strndup(dir->arena, origin, strlen(origin));
	return entry;
}

void hv_entry_set_dn(struct hv_entry *entry, const char *dn)
{
	entry->dn = hv_arena_strndup(entry->arena, dn, strlen(dn));
}

static struct hv_attr *find_or_add(struct hv_entry *entry, const char *name)
{
	struct hv_attr *attr;

	if (entry->last < entry->n_attrs &&
	    strcasecmp(entry->attrs[entry->last].name, name) == 0)
		return &entry->attrs[entry->last];
	for (size_t i = 0; i < entry->n_attrs; i++)
		if (strcasecmp(entry->attrs[i].name, name) == 0) {
			entry->last = i;
			return &entry->attrs[i];
		}
	if (entry->n_attrs == entry->cap_attrs) {
		entry->cap_attrs = entry->cap_attrs ? entry->cap_attrs * 2 : 4;
		entry->attrs = hv_reallocarray(entry->attrs, entry->cap_attrs,
					       sizeof(*entry->attrs));
	}
	entry->last = entry->n_attrs;
	attr = &entry->attrs[entry->n_attrs++];
	memset(attr, 0, sizeof(*attr));
	attr->name = hv_arena_strndup(entry->arena, name, strlen(name));
	return attr;
}

void hv_entry_add_value(struct hv_entry *entry, const char *name,
			const void *data, size_t len)
{
	struct hv_attr *attr = find_or_add(entry, name);

	/* most attributes hold one value: grow from 1, not 8 */
	if (attr->n_values == attr->cap_values) {
		attr->cap_values = attr->cap_values ? attr->cap_values * 2 : 1;
		attr->values = hv_reallocarray(attr->values, attr->cap_values,
					       sizeof(*attr->values));
	}
	attr->values[attr->n_values].data =
		hv_arena_strndup(entry->arena, data, len);
	attr->values[attr->n_values].len = len;
	attr->n_values++;
}

const struct hv_attr *hv_entry_attr(const struct hv_entry *entry,
				    const char *name)
{
	for (size_t i = 0; i < entry->n_attrs; i++)
		if (strcasecmp(entry->attrs[i].name, name) == 0)
			return &entry->attrs[i];
	return NULL;
}

const char *hv_entry_first(const struct hv_entry *entry, const char *name)
{
	const struct hv_attr *attr = hv_entry_attr(entry, name);

	return attr && attr->n_values ? attr->values[0].data : NULL;
}

/* The strings are the arena's: only the arrays are freed here. */
static void entry_clear(struct hv_entry *entry)
{
	for (size_t i = 0; i < entry->n_attrs; i++)
		free(entry->attrs[i].values);
	free(entry->attrs);
}

void hv_directory_pop_entry(struct hv_directory *dir)
{
	if (!dir->n_entries)
		return;
	entry_clear(&dir->entries[--dir->n_entries]);
}

void hv_directory_clear(struct hv_directory *dir)
{
	for (size_t i = 0; i < dir->n_entries; i++)
		entry_clear(&dir->entries[i]);
	free(dir->entries);
	free(dir->base_dn);
	if (dir->arena) {
		hv_arena_free(dir->arena);
		free(dir->arena);
	}
	memset(dir, 0, sizeof(*dir));
}
