#include "sources/directory.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct hv_entry *hv_directory_add_entry(struct hv_directory *dir,
					const char *dn, const char *origin)
{
	struct hv_entry *entry;

	HV_GROW(dir->entries, dir->n_entries, dir->cap_entries);
	entry = &dir->entries[dir->n_entries++];
	memset(entry, 0, sizeof(*entry));
	entry->dn = hv_strdup(dn);
	entry->origin = hv_strdup(origin ? origin : "");
	return entry;
}

static struct hv_attr *find_or_add(struct hv_entry *entry, const char *name)
{
	for (size_t i = 0; i < entry->n_attrs; i++)
		if (strcasecmp(entry->attrs[i].name, name) == 0)
			return &entry->attrs[i];
	HV_GROW(entry->attrs, entry->n_attrs, entry->cap_attrs);
	struct hv_attr *attr = &entry->attrs[entry->n_attrs++];
	memset(attr, 0, sizeof(*attr));
	attr->name = hv_strdup(name);
	return attr;
}

void hv_entry_add_value(struct hv_entry *entry, const char *name,
			const void *data, size_t len)
{
	struct hv_attr *attr = find_or_add(entry, name);

	HV_GROW(attr->values, attr->n_values, attr->cap_values);
	attr->values[attr->n_values].data = hv_strndup(data, len);
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

static void entry_clear(struct hv_entry *entry)
{
	for (size_t i = 0; i < entry->n_attrs; i++) {
		struct hv_attr *attr = &entry->attrs[i];

		for (size_t v = 0; v < attr->n_values; v++)
			free(attr->values[v].data);
		free(attr->values);
		free(attr->name);
	}
	free(entry->attrs);
	free(entry->dn);
	free(entry->origin);
}

void hv_directory_clear(struct hv_directory *dir)
{
	for (size_t i = 0; i < dir->n_entries; i++)
		entry_clear(&dir->entries[i]);
	free(dir->entries);
	free(dir->base_dn);
	memset(dir, 0, sizeof(*dir));
}
