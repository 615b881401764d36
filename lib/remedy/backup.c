/* Backups: building, the change id, writing (the format is in backup.h;
 * the reader is backup_read.c). */
#include "remedy/backup.h"

#include "base/alloc.h"
#include "base/quote.h"
#include "sources/ldif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const managed[] = {
	"msDS-AllowedToDelegateTo",
	"servicePrincipalName",
	"userAccountControl",
};

const char *hv_backup_managed_attr(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(managed) / sizeof(managed[0]); i++)
		if (strlen(managed[i]) == len &&
		    strncasecmp(managed[i], name, len) == 0)
			return managed[i];
	return NULL;
}

/* ------------------------------------------------------------------ *
 * Building                                                            *
 * ------------------------------------------------------------------ */

struct hv_backup_record *
hv_backup_add_record(struct hv_backup *bk, const char *dn, const char *origin)
{
	struct hv_backup_record *rec;

	HV_GROW(bk->records, bk->n_records, bk->cap_records);
	rec = &bk->records[bk->n_records++];
	memset(rec, 0, sizeof(*rec));
	rec->dn = hv_strdup(dn);
	rec->origin = hv_strdup(origin ? origin : "");
	return rec;
}

struct hv_backup_mod *hv_backup_add_mod(struct hv_backup_record *rec,
					enum hv_backup_op op, const char *attr)
{
	struct hv_backup_mod *mod;

	HV_GROW(rec->mods, rec->n_mods, rec->cap_mods);
	mod = &rec->mods[rec->n_mods++];
	memset(mod, 0, sizeof(*mod));
	mod->op = op;
	mod->attr = attr;
	return mod;
}

void hv_backup_add_value(struct hv_value **values, size_t *n, size_t *cap,
			 const void *data, size_t len)
{
	HV_GROW(*values, *n, *cap);
	(*values)[*n].data = hv_strndup(data, len);
	(*values)[*n].len = len;
	(*n)++;
}

void hv_backup_add_had(struct hv_backup_record *rec, const char *attr,
		       const struct hv_attr *now)
{
	struct hv_backup_had *had;

	HV_GROW(rec->had, rec->n_had, rec->cap_had);
	had = &rec->had[rec->n_had++];
	memset(had, 0, sizeof(*had));
	had->attr = attr;
	for (size_t v = 0; now && v < now->n_values; v++)
		hv_backup_add_value(&had->values, &had->n_values,
				    &had->cap_values, now->values[v].data,
				    now->values[v].len);
}

static void add_uac(struct hv_backup_record *rec, enum hv_backup_op op,
		    uint32_t uac)
{
	struct hv_backup_mod *mod =
		hv_backup_add_mod(rec, op, "userAccountControl");
	char num[16];

	snprintf(num, sizeof(num), "%u", uac);
	hv_backup_add_value(&mod->values, &mod->n_values, &mod->cap_values, num,
			    strlen(num));
}

/* The record that undoes one action. */
static void undo_action(struct hv_backup *bk, const struct hv_action *act)
{
	struct hv_backup_record *rec = hv_backup_add_record(bk, act->dn, NULL);
	bool added = act->kind == HV_ACT_ADD_DELEGATION ||
		     act->kind == HV_ACT_ADD_SPN;
	struct hv_backup_mod *mod;

	if (act->kind == HV_ACT_SET_UAC) {
		add_uac(rec, HV_BACKUP_DELETE, act->new_uac);
		add_uac(rec, HV_BACKUP_ADD, act->old_uac);
		return;
	}
	mod = hv_backup_add_mod(
		rec, added ? HV_BACKUP_DELETE : HV_BACKUP_ADD,
		hv_backup_managed_attr(act->attr, strlen(act->attr)));
	for (size_t v = 0; v < act->n_values; v++)
		hv_backup_add_value(&mod->values, &mod->n_values,
				    &mod->cap_values, act->values[v],
				    strlen(act->values[v]));
}

/* "# had:" for every attribute the plan changes on each object, in the
 * object's first record: once per (object, attribute), keyed "dn\1attr". */
static void add_before(struct hv_backup *bk, const struct hv_directory *before)
{
	struct hv_strmap first = {0}, seen = {0}, entries = {0};
	struct hv_strbuf key = HV_STRBUF_INIT;

	for (size_t i = 0; i < before->n_entries; i++)
		hv_strmap_put(&entries, before->entries[i].dn,
			      strlen(before->entries[i].dn), i, NULL);
	for (size_t r = 0; r < bk->n_records; r++) {
		struct hv_backup_record *rec = &bk->records[r];
		size_t at = r, e;

		hv_strmap_put(&first, rec->dn, strlen(rec->dn), r, &at);
		if (!hv_strmap_get(&entries, rec->dn, strlen(rec->dn), &e))
			continue;
		for (size_t m = 0; m < rec->n_mods; m++) {
			const char *attr = rec->mods[m].attr;

			if (attr == managed[2]) /* the UAC is in the record */
				continue;
			hv_strbuf_reset(&key);
			hv_strbuf_addf(&key, "%s\1%s", rec->dn, attr);
			if (!hv_strmap_put(&seen, key.buf, key.len, 0, NULL))
				continue;
			hv_backup_add_had(
				&bk->records[at], attr,
				hv_entry_attr(&before->entries[e], attr));
		}
	}
	hv_strbuf_release(&key);
	hv_strmap_release(&first);
	hv_strmap_release(&seen);
	hv_strmap_release(&entries);
}

void hv_backup_from_plan(struct hv_backup *bk, const struct hv_plan *plan,
			 const struct hv_directory *before)
{
	hv_backup_from_applied(bk, plan, NULL, before);
}

void hv_backup_from_applied(struct hv_backup *bk, const struct hv_plan *plan,
			    const bool *applied,
			    const struct hv_directory *before)
{
	for (size_t i = plan->n; i-- > 0;)
		if (!applied || applied[i])
			undo_action(bk, &plan->actions[i]);
	if (before)
		add_before(bk, before);
	hv_backup_seal(bk);
}

/* ------------------------------------------------------------------ *
 * The change id                                                       *
 * ------------------------------------------------------------------ */

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t fnv_field(uint64_t h, const void *data, size_t len)
{
	unsigned char n[8];

	for (int i = 0; i < 8; i++)
		n[i] = (unsigned char)((uint64_t)len >> (8 * i));
	return fnv(fnv(h, n, 8), data, len);
}

void hv_backup_id(const struct hv_backup *bk, char out[HV_BACKUP_ID_LEN + 1])
{
	uint64_t h = 1469598103934665603ull;

	for (size_t r = 0; r < bk->n_records; r++) {
		const struct hv_backup_record *rec = &bk->records[r];

		h = fnv_field(h, rec->dn, strlen(rec->dn));
		for (size_t m = 0; m < rec->n_mods; m++) {
			const struct hv_backup_mod *mod = &rec->mods[m];

			h = fnv_field(h, mod->op == HV_BACKUP_ADD ? "+" : "-",
				      1);
			h = fnv_field(h, mod->attr, strlen(mod->attr));
			for (size_t v = 0; v < mod->n_values; v++)
				h = fnv_field(h, mod->values[v].data,
					      mod->values[v].len);
		}
	}
	snprintf(out, HV_BACKUP_ID_LEN + 1, "%016llx", (unsigned long long)h);
}

void hv_backup_plan_id(const struct hv_plan *plan,
		       char out[HV_BACKUP_ID_LEN + 1])
{
	struct hv_backup bk = {0};

	hv_backup_from_plan(&bk, plan, NULL);
	memcpy(out, bk.id, HV_BACKUP_ID_LEN + 1);
	hv_backup_release(&bk);
}

void hv_backup_seal(struct hv_backup *bk)
{
	for (size_t r = 0; r < bk->n_records; r++) {
		const char *dn = bk->records[r].dn;

		if (!hv_strmap_put(&bk->by_dn, dn, strlen(dn), bk->n_objects,
				   NULL))
			continue;
		HV_GROW(bk->objects, bk->n_objects, bk->cap_objects);
		bk->objects[bk->n_objects++] = hv_strdup(dn);
	}
	hv_backup_id(bk, bk->id);
}

static void free_values(struct hv_value *values, size_t n)
{
	for (size_t v = 0; v < n; v++)
		free(values[v].data);
	free(values);
}

void hv_backup_release(struct hv_backup *bk)
{
	for (size_t r = 0; r < bk->n_records; r++) {
		struct hv_backup_record *rec = &bk->records[r];

		for (size_t m = 0; m < rec->n_mods; m++)
			free_values(rec->mods[m].values, rec->mods[m].n_values);
		for (size_t h = 0; h < rec->n_had; h++)
			free_values(rec->had[h].values, rec->had[h].n_values);
		free(rec->mods);
		free(rec->had);
		free(rec->dn);
		free(rec->origin);
	}
	free(bk->records);
	for (size_t i = 0; i < bk->n_objects; i++)
		free(bk->objects[i]);
	free(bk->objects);
	hv_strmap_release(&bk->by_dn);
	memset(bk, 0, sizeof(*bk));
}

/* ------------------------------------------------------------------ *
 * Writing                                                             *
 * ------------------------------------------------------------------ */

static void comment_line(struct hv_strbuf *out, const char *label,
			 const char *text)
{
	if (!text)
		return;
	hv_strbuf_adds(out, "# ");
	hv_strbuf_adds(out, label);
	hv_quote_comment(out, text);
	hv_strbuf_addch(out, '\n');
}

static void header(struct hv_strbuf *out, const struct hv_backup *bk,
		   const struct hv_backup_info *info)
{
	hv_strbuf_adds(out, "# hvdoctor backup: how to undo a change, and the "
			    "values before it.\n");
	comment_line(out, "", info ? info->what : NULL);
	comment_line(out, "read from: ", info ? info->source : NULL);
	comment_line(out, "taken: ", info ? info->taken : NULL);
	hv_strbuf_adds(
		out, "# Each record undoes one step, value by value, last step "
		     "first: it deletes\n# what the change added and adds back "
		     "what it removed; a value changed\n# since is left alone. "
		     "The \"# had:\" lines keep what the objects had.\n"
		     "# Restore with (checks first that nobody changed them "
		     "since):\n"
		     "#   hvdoctor apply --ldap URI --rollback FILE --yes\n"
		     "# or by hand, without those checks:\n"
		     "#   ldapmodify -H ldap://DC -Y GSSAPI -c -f FILE\n");
	hv_strbuf_addf(out,
		       "# hvdoctor-backup: %d\n# change: %s\n# records: "
		       "%zu\n",
		       HV_BACKUP_FORMAT, bk->id, bk->n_records);
	for (size_t i = 0; i < bk->n_objects; i++) {
		hv_strbuf_adds(out, "# ");
		hv_ldif_put_value(out, "object", bk->objects[i],
				  strlen(bk->objects[i]));
	}
	hv_strbuf_adds(out, "version: 1\n\n");
}

static void had_lines(struct hv_strbuf *out, const struct hv_backup_had *had)
{
	if (!had->n_values)
		hv_strbuf_addf(out, "# had none: %s\n", had->attr);
	for (size_t v = 0; v < had->n_values; v++) {
		hv_strbuf_adds(out, "# had: ");
		hv_ldif_put_value(out, had->attr, had->values[v].data,
				  had->values[v].len);
	}
}

void hv_backup_write(struct hv_strbuf *out, const struct hv_backup *bk,
		     const struct hv_backup_info *info)
{
	header(out, bk, info);
	for (size_t r = 0; r < bk->n_records; r++) {
		const struct hv_backup_record *rec = &bk->records[r];

		hv_ldif_put_dn(out, rec->dn);
		for (size_t h = 0; h < rec->n_had; h++)
			had_lines(out, &rec->had[h]);
		hv_strbuf_adds(out, "changetype: modify\n");
		for (size_t m = 0; m < rec->n_mods; m++) {
			const struct hv_backup_mod *mod = &rec->mods[m];

			hv_strbuf_addf(out, "%s: %s\n",
				       mod->op == HV_BACKUP_ADD ? "add"
								: "delete",
				       mod->attr);
			for (size_t v = 0; v < mod->n_values; v++)
				hv_ldif_put_value(out, mod->attr,
						  mod->values[v].data,
						  mod->values[v].len);
			hv_strbuf_adds(out, "-\n");
		}
		hv_strbuf_addch(out, '\n');
	}
}

/* ------------------------------------------------------------------ *
 * Fresh reads                                                         *
 * ------------------------------------------------------------------ */

const struct hv_entry *hv_backup_find(const struct hv_directory *dir,
				      const char *dn)
{
	for (size_t i = 0; i < dir->n_entries; i++)
		if (strcasecmp(dir->entries[i].dn, dn) == 0)
			return &dir->entries[i];
	return NULL;
}

bool hv_backup_has_value(const struct hv_attr *attr, const void *data,
			 size_t len)
{
	for (size_t v = 0; attr && v < attr->n_values; v++)
		if (attr->values[v].len == len &&
		    memcmp(attr->values[v].data, data, len) == 0)
			return true;
	return false;
}
