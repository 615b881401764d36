/* The rollback decided before it writes (rollback.h). Each object's
 * attributes are simulated record by record from what the server holds
 * now, through hash sets (values compared without regard to case, as AD
 * compares SPNs and delegation entries), so the work is linear in the
 * backup and the objects. */
#include "remedy/rollback.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/term.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UAC "userAccountControl"
#define DC_BITS 0x4002000u /* SERVER_TRUST_ACCOUNT, PARTIAL_SECRETS (RODC) */

enum { A2D, SPN, N_MULTI };
static const char *const multi_name[N_MULTI] = {"msDS-AllowedToDelegateTo",
						"servicePrincipalName"};

struct rb_item {
	const struct hv_value *v;
	bool gone;
};

/* A set of values: a map to items, removal by marking. */
struct rb_set {
	struct hv_strmap map;
	struct rb_item *items;
	size_t n, cap;
};

struct rb_object {
	const struct hv_entry *now;
	struct rb_set have[N_MULTI]; /* simulated, from now */
	struct rb_set del[N_MULTI];  /* every value the backup deletes */
	struct rb_set add[N_MULTI];  /* every value the backup adds */
	bool touched[N_MULTI], uac_touched;
	uint32_t uac;
	bool uac_ok;
};

static int multi_of(const char *attr)
{
	for (int k = 0; k < N_MULTI; k++)
		if (strcasecmp(attr, multi_name[k]) == 0)
			return k;
	return -1;
}

static bool set_find(const struct rb_set *s, const struct hv_value *v,
		     size_t *at)
{
	return hv_strmap_get(&s->map, v->data, v->len, at);
}

static bool set_has(const struct rb_set *s, const struct hv_value *v)
{
	size_t at;

	return set_find(s, v, &at) && at < s->n && !s->items[at].gone;
}

static void set_add(struct rb_set *s, const struct hv_value *v)
{
	size_t at;

	if (set_find(s, v, &at) && at < s->n) {
		s->items[at].gone = false;
		return;
	}
	HV_GROW(s->items, s->n, s->cap);
	hv_strmap_put(&s->map, v->data, v->len, s->n, NULL);
	s->items[s->n++] = (struct rb_item){v, false};
}

static void set_del(struct rb_set *s, const struct hv_value *v)
{
	size_t at;

	if (set_find(s, v, &at) && at < s->n)
		s->items[at].gone = true;
}

static void set_fill(struct rb_set *s, const struct hv_attr *attr)
{
	for (size_t v = 0; attr && v < attr->n_values; v++)
		set_add(s, &attr->values[v]);
}

static void set_release(struct rb_set *s)
{
	hv_strmap_release(&s->map);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

__attribute__((format(printf, 2, 3))) static void refuse(struct hv_rollback *rb,
							 const char *fmt, ...)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hv_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	HV_GROW(rb->refusals, rb->n_refusals, rb->cap_refusals);
	rb->refusals[rb->n_refusals++] = hv_strbuf_detach(&sb);
}

/* "DN: attr holds/lacks 'value' ..." with DN and value escaped. */
static void refuse_value(struct hv_rollback *rb, const char *dn,
			 const char *attr, const struct hv_value *v,
			 const char *why)
{
	struct hv_strbuf a = HV_STRBUF_INIT, b = HV_STRBUF_INIT;

	hv_term_escapes(&a, dn);
	hv_term_escape(&b, v->data, v->len);
	refuse(rb, "%s: %s '%s' %s", a.buf, attr, b.buf, why);
	hv_strbuf_release(&a);
	hv_strbuf_release(&b);
}

static bool uac_parse(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long n;

	if (!s || !*s || *s == '-')
		return false;
	n = strtoull(s, &end, 10);
	*out = (uint32_t)n;
	return !*end && n <= UINT32_MAX;
}

static bool is_computer(const struct hv_entry *e)
{
	const struct hv_attr *oc = hv_entry_attr(e, "objectClass");

	for (size_t v = 0; oc && v < oc->n_values; v++)
		if (strcasecmp(oc->values[v].data, "computer") == 0)
			return true;
	return false;
}

/* Only computer objects, never a domain controller. */
static void check_object(struct hv_rollback *rb, struct rb_object *obj,
			 const char *dn)
{
	struct hv_strbuf shown = HV_STRBUF_INIT;

	hv_term_escapes(&shown, dn);
	if (!obj->now)
		refuse(rb, "%s: the object was not read", shown.buf);
	else if (!is_computer(obj->now))
		refuse(rb,
		       "%s: not a computer object; a rollback changes "
		       "only computers",
		       shown.buf);
	else if (!(obj->uac_ok =
			   uac_parse(hv_entry_first(obj->now, UAC), &obj->uac)))
		refuse(rb, "%s: its userAccountControl could not be read",
		       shown.buf);
	else if (obj->uac & DC_BITS)
		refuse(rb,
		       "%s: a domain controller; a rollback never changes "
		       "one",
		       shown.buf);
	hv_strbuf_release(&shown);
}

static struct rb_object *object_of(const struct hv_rollback *rb, const char *dn)
{
	size_t at = 0;

	hv_strmap_get(&rb->bk->by_dn, dn, strlen(dn), &at);
	return &rb->objects[at];
}

/* Every value each record deletes or adds, per object and attribute. */
static void collect_changes(struct hv_rollback *rb)
{
	for (size_t r = 0; r < rb->bk->n_records; r++) {
		const struct hv_backup_record *rec = &rb->bk->records[r];
		struct rb_object *obj = object_of(rb, rec->dn);

		for (size_t m = 0; m < rec->n_mods; m++) {
			const struct hv_backup_mod *mod = &rec->mods[m];
			int k = multi_of(mod->attr);

			if (k < 0) {
				obj->uac_touched = true;
				continue;
			}
			obj->touched[k] = true;
			for (size_t v = 0; v < mod->n_values; v++)
				set_add(mod->op == HV_BACKUP_ADD ? &obj->add[k]
								 : &obj->del[k],
					&mod->values[v]);
		}
	}
}

/* Changed since the backup: present values neither had before nor added
 * by the change, and values had before, gone, that the change did not
 * remove. */
static void check_had(struct hv_rollback *rb,
		      const struct hv_backup_record *rec,
		      const struct hv_backup_had *had)
{
	struct rb_object *obj = object_of(rb, rec->dn);
	int k = multi_of(had->attr);
	struct rb_set before = {0};
	const struct hv_attr *now =
		obj->now ? hv_entry_attr(obj->now, had->attr) : NULL;

	for (size_t v = 0; v < had->n_values; v++)
		set_add(&before, &had->values[v]);
	for (size_t v = 0; now && v < now->n_values; v++)
		if (!set_has(&before, &now->values[v]) &&
		    !set_has(&obj->del[k], &now->values[v]))
			refuse_value(rb, rec->dn, had->attr, &now->values[v],
				     "is there now, but neither in the backup "
				     "nor added by the change: changed since");
	for (size_t v = 0; v < had->n_values; v++)
		if (!set_has(&obj->have[k], &had->values[v]) &&
		    !set_has(&obj->add[k], &had->values[v]))
			refuse_value(rb, rec->dn, had->attr, &had->values[v],
				     "was there before the change, which did "
				     "not remove it, and is gone: changed "
				     "since");
	set_release(&before);
}

/* Appends v to out's mod (op, attr), made on first use. */
static void put(struct hv_backup_record *out, enum hv_backup_op op,
		const char *attr, const struct hv_value *v)
{
	struct hv_backup_mod *mod = NULL;

	for (size_t m = 0; m < out->n_mods && !mod; m++)
		if (out->mods[m].op == op && out->mods[m].attr == attr)
			mod = &out->mods[m];
	if (!mod)
		mod = hv_backup_add_mod(out, op, attr);
	hv_backup_add_value(&mod->values, &mod->n_values, &mod->cap_values,
			    v->data, v->len);
}

/* userAccountControl: the record deletes the value the change set (n) and
 * adds the one it replaced (o). */
static void simulate_uac(struct hv_rollback *rb, struct rb_object *obj,
			 const struct hv_backup_record *rec,
			 const struct hv_backup_mod *del,
			 const struct hv_backup_mod *add,
			 struct hv_backup_record *out)
{
	uint32_t n = 0, o = 0;

	uac_parse(del->values[0].data, &n);
	uac_parse(add->values[0].data, &o);
	if (!obj->uac_ok || obj->uac == o)
		return;
	if (obj->uac != n) {
		struct hv_strbuf shown = HV_STRBUF_INIT;

		hv_term_escapes(&shown, rec->dn);
		refuse(rb,
		       "%s: userAccountControl is %u now, neither %u (what the "
		       "change set) nor %u (what it replaced): changed since",
		       shown.buf, obj->uac, n, o);
		hv_strbuf_release(&shown);
		return;
	}
	put(out, HV_BACKUP_DELETE, del->attr, &del->values[0]);
	put(out, HV_BACKUP_ADD, add->attr, &add->values[0]);
	obj->uac = o;
}

/* An SPN to add back that another object holds now is left out. */
static bool held_elsewhere(struct hv_rollback *rb, size_t r,
			   const struct hv_value *v,
			   hv_rollback_holder_fn holder, void *ctx,
			   bool *failed)
{
	char *who =
		holder ? holder(ctx, rb->bk->records[r].dn, v, failed) : NULL;

	if (!who)
		return false;
	HV_GROW(rb->skips, rb->n_skips, rb->cap_skips);
	rb->skips[rb->n_skips++] = (struct hv_rollback_skip){r, v, who};
	return true;
}

/* One record against the simulated state: what it still has to do. */
static int simulate(struct hv_rollback *rb, size_t r,
		    hv_rollback_holder_fn holder, void *ctx)
{
	const struct hv_backup_record *rec = &rb->bk->records[r];
	struct rb_object *obj = object_of(rb, rec->dn);
	struct hv_backup_record *out = &rb->writes[r];
	bool failed = false;

	for (size_t m = 0; m < rec->n_mods && !failed; m++) {
		const struct hv_backup_mod *mod = &rec->mods[m];
		int k = multi_of(mod->attr);

		if (k < 0) { /* the reader made it delete, then add */
			if (mod->op == HV_BACKUP_DELETE && m + 1 < rec->n_mods)
				simulate_uac(rb, obj, rec, mod,
					     &rec->mods[m + 1], out);
			continue;
		}
		for (size_t v = 0; v < mod->n_values && !failed; v++) {
			const struct hv_value *val = &mod->values[v];

			if (mod->op == HV_BACKUP_DELETE &&
			    set_has(&obj->have[k], val)) {
				put(out, HV_BACKUP_DELETE, mod->attr, val);
				set_del(&obj->have[k], val);
			} else if (mod->op == HV_BACKUP_ADD &&
				   !set_has(&obj->have[k], val) &&
				   !(k == SPN &&
				     held_elsewhere(rb, r, val, holder, ctx,
						    &failed))) {
				put(out, HV_BACKUP_ADD, mod->attr, val);
				set_add(&obj->have[k], val);
			}
		}
	}
	rb->n_writes += out->n_mods > 0;
	return failed ? HV_ERR_DIRECTORY : 0;
}

int hv_rollback_prepare(struct hv_rollback *rb, const struct hv_backup *bk,
			const struct hv_directory *now,
			hv_rollback_holder_fn holder, void *ctx)
{
	int rc = 0;

	memset(rb, 0, sizeof(*rb));
	rb->bk = bk;
	rb->objects = hv_calloc(bk->n_objects + 1, sizeof(*rb->objects));
	rb->writes = hv_calloc(bk->n_records + 1, sizeof(*rb->writes));
	for (size_t i = 0; i < bk->n_objects; i++) {
		struct rb_object *obj = &rb->objects[i];

		obj->now = i < now->n_entries ? &now->entries[i] : NULL;
		check_object(rb, obj, bk->objects[i]);
		for (int k = 0; k < N_MULTI && obj->now; k++)
			set_fill(&obj->have[k],
				 hv_entry_attr(obj->now, multi_name[k]));
	}
	collect_changes(rb);
	for (size_t r = 0; r < bk->n_records; r++)
		for (size_t h = 0; h < bk->records[r].n_had; h++)
			check_had(rb, &bk->records[r], &bk->records[r].had[h]);
	for (size_t r = 0; r < bk->n_records && !rc; r++) {
		rb->writes[r].dn = hv_strdup(bk->records[r].dn);
		rb->writes[r].origin = hv_strdup(bk->records[r].origin);
		rc = simulate(rb, r, holder, ctx);
	}
	return rc;
}

/* DNs compare without regard to ASCII case, as AD compares them: the
 * map is keyed by the lowercased DN. */
static void lower_key(struct hv_strbuf *out, const char *dn)
{
	for (const char *p = dn; *p; p++)
		hv_strbuf_addch(
			out,
			(char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
}

/* The account whose entry has DN dn, or -1. */
static long account_by_dn(const struct hv_strmap *dns, const char *dn)
{
	struct hv_strbuf low = HV_STRBUF_INIT;
	size_t at;
	bool found;

	lower_key(&low, dn);
	found = hv_strmap_get(dns, hv_strbuf_str(&low), low.len, &at);
	hv_strbuf_release(&low);
	return found ? (long)at : -1;
}

static void index_dns(const struct hv_estate *est, struct hv_strmap *out)
{
	struct hv_strbuf low = HV_STRBUF_INIT;

	for (size_t i = 0; i < est->n_accounts; i++) {
		hv_strbuf_reset(&low);
		lower_key(&low, est->accounts[i].entry->dn);
		hv_strmap_put(out, hv_strbuf_str(&low), low.len, i, NULL);
	}
	hv_strbuf_release(&low);
}

static bool is_hyperv_host(const struct hv_estate *est, long account)
{
	return account >= 0 &&
	       hv_estate_host_of(est, (size_t)account) != SIZE_MAX;
}

/* A delegation entry to add back: towards a Hyper-V host, or towards a
 * name nobody answers to (what --prune removed); never towards another
 * account, a domain controller above all. */
static void bound_target(struct hv_rollback *rb, const struct hv_estate *est,
			 const char *dn, const struct hv_value *v)
{
	const char *slash = memchr(v->data, '/', v->len);
	char *host;
	long target;

	if (!slash)
		return; /* the reader let only class/host through */
	host = hv_strndup(slash + 1, strcspn(slash + 1, ":/"));
	target = hv_estate_find(est, host);
	if (target >= 0 && !is_hyperv_host(est, target)) {
		struct hv_strbuf why = HV_STRBUF_INIT;

		hv_strbuf_adds(&why, "would delegate to ");
		hv_term_escapes(&why, est->accounts[target].name);
		hv_strbuf_adds(&why, ", which is not a Hyper-V host of the "
				     "estate: refused");
		refuse_value(rb, dn, multi_name[A2D], v, why.buf);
		hv_strbuf_release(&why);
	}
	free(host);
}

void hv_rollback_bound(struct hv_rollback *rb, const struct hv_estate *est)
{
	const struct hv_backup *bk = rb->bk;
	struct hv_strmap dns = {0};

	index_dns(est, &dns);
	for (size_t i = 0; i < bk->n_objects; i++) {
		struct hv_strbuf shown = HV_STRBUF_INIT;

		if (is_hyperv_host(est, account_by_dn(&dns, bk->objects[i])))
			continue;
		hv_term_escapes(&shown, bk->objects[i]);
		refuse(rb,
		       "%s: not a Hyper-V host of the estate read from the "
		       "directory: refused",
		       shown.buf);
		hv_strbuf_release(&shown);
	}
	for (size_t r = 0; r < bk->n_records; r++)
		for (size_t m = 0; m < bk->records[r].n_mods; m++) {
			const struct hv_backup_mod *mod =
				&bk->records[r].mods[m];

			if (mod->op != HV_BACKUP_ADD ||
			    multi_of(mod->attr) != A2D)
				continue;
			for (size_t v = 0; v < mod->n_values; v++)
				bound_target(rb, est, bk->records[r].dn,
					     &mod->values[v]);
		}
	hv_strmap_release(&dns);
}

/* The inverse of one write: what it deleted comes back, what it added
 * goes. A userAccountControl change is not inverted: a rollback only
 * ever clears protocol transition (backup.h), so setting it again is
 * apply's work, and a record of it could not be read back. */
static void invert(struct hv_backup *out, const struct hv_backup_record *w)
{
	struct hv_backup_record *rec = NULL;

	for (size_t m = 0; m < w->n_mods; m++) {
		const struct hv_backup_mod *mod = &w->mods[m];

		if (multi_of(mod->attr) < 0)
			continue;
		if (!rec)
			rec = hv_backup_add_record(out, w->dn, NULL);
		for (size_t v = 0; v < mod->n_values; v++)
			put(rec,
			    mod->op == HV_BACKUP_ADD ? HV_BACKUP_DELETE
						     : HV_BACKUP_ADD,
			    mod->attr, &mod->values[v]);
	}
}

void hv_rollback_undo(const struct hv_rollback *rb,
		      const struct hv_directory *now, struct hv_backup *out)
{
	struct hv_strmap first = {0}, seen = {0};
	struct hv_strbuf key = HV_STRBUF_INIT;

	(void)now;
	for (size_t r = rb->bk->n_records; r-- > 0;)
		if (rb->writes[r].n_mods)
			invert(out, &rb->writes[r]);
	for (size_t r = 0; r < out->n_records; r++) {
		struct hv_backup_record *rec = &out->records[r];
		const struct rb_object *obj = object_of(rb, rec->dn);
		size_t at = r;

		hv_strmap_put(&first, rec->dn, strlen(rec->dn), r, &at);
		for (size_t m = 0; m < rec->n_mods; m++) {
			int k = multi_of(rec->mods[m].attr);

			if (k < 0)
				continue;
			hv_strbuf_reset(&key);
			hv_strbuf_addf(&key, "%s\1%s", rec->dn, multi_name[k]);
			if (hv_strmap_put(&seen, key.buf, key.len, 0, NULL))
				hv_backup_add_had(
					&out->records[at], rec->mods[m].attr,
					obj->now ? hv_entry_attr(obj->now,
								 multi_name[k])
						 : NULL);
		}
	}
	hv_strbuf_release(&key);
	hv_strmap_release(&first);
	hv_strmap_release(&seen);
	hv_backup_seal(out);
}

/* True when attr holds exactly the live values of s (as sets). */
static bool same_as(const struct rb_set *s, const struct hv_attr *attr)
{
	struct rb_set got = {0};
	size_t live = 0;
	bool same = true;

	set_fill(&got, attr);
	for (size_t i = 0; i < s->n; i++) {
		if (s->items[i].gone)
			continue;
		live++;
		same = same && set_has(&got, s->items[i].v);
	}
	same = same && live == got.n;
	set_release(&got);
	return same;
}

size_t hv_rollback_verify(const struct hv_rollback *rb,
			  const struct hv_directory *after,
			  struct hv_strbuf *out)
{
	size_t bad = 0;

	for (size_t i = 0; i < rb->bk->n_objects; i++) {
		const struct rb_object *obj = &rb->objects[i];
		const struct hv_entry *e =
			i < after->n_entries ? &after->entries[i] : NULL;
		uint32_t uac = 0;

		for (int k = 0; k <= N_MULTI; k++) {
			bool ok;

			if (k < N_MULTI && !obj->touched[k])
				continue;
			if (k == N_MULTI && !obj->uac_touched)
				continue;
			ok = e &&
			     (k < N_MULTI
				      ? same_as(&obj->have[k],
						hv_entry_attr(e, multi_name[k]))
				      : uac_parse(hv_entry_first(e, UAC),
						  &uac) &&
						uac == obj->uac);
			if (ok)
				continue;
			bad++;
			hv_strbuf_adds(out, "NOT VERIFIED   ");
			hv_term_escapes(out, rb->bk->objects[i]);
			hv_strbuf_addf(out,
				       " %s differs from what was written\n",
				       k < N_MULTI ? multi_name[k] : UAC);
		}
	}
	return bad;
}

void hv_rollback_release(struct hv_rollback *rb)
{
	struct hv_backup writes = {0};

	for (size_t i = 0; rb->objects && i < rb->bk->n_objects; i++)
		for (int k = 0; k < N_MULTI; k++) {
			set_release(&rb->objects[i].have[k]);
			set_release(&rb->objects[i].del[k]);
			set_release(&rb->objects[i].add[k]);
		}
	free(rb->objects);
	/* the writes are records like a backup's: one release */
	writes.records = rb->writes;
	writes.n_records = rb->writes ? rb->bk->n_records : 0;
	hv_backup_release(&writes);
	for (size_t i = 0; i < rb->n_refusals; i++)
		free(rb->refusals[i]);
	free(rb->refusals);
	for (size_t i = 0; i < rb->n_skips; i++)
		free(rb->skips[i].holder);
	free(rb->skips);
	memset(rb, 0, sizeof(*rb));
}
