#include "remedy/plan.h"

#include "checks/checks.h"

#include "base/alloc.h"
#include "base/quote.h"
#include "base/strbuf.h"
#include "base/strmap.h"
#include "base/term.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct hv_plan_options hv_plan_defaults(void)
{
	return (struct hv_plan_options){.services = HV_PLAN_VSMS | HV_PLAN_CIFS,
					.names = HV_PLAN_NAMES_BOTH,
					.protocol = HV_PLAN_PROTOCOL_ANY};
}

static struct hv_action *
add_action(struct hv_plan *plan, enum hv_action_kind kind,
	   const struct hv_account *acc, const char *attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct hv_action *add_action(struct hv_plan *plan,
				    enum hv_action_kind kind,
				    const struct hv_account *acc,
				    const char *attr, const char *fmt, ...)
{
	struct hv_strbuf why = HV_STRBUF_INIT;
	struct hv_action *act;
	va_list ap;

	va_start(ap, fmt);
	hv_strbuf_vaddf(&why, fmt, ap);
	va_end(ap);
	HV_GROW(plan->actions, plan->n, plan->cap);
	act = &plan->actions[plan->n++];
	memset(act, 0, sizeof(*act));
	act->kind = kind;
	act->dn = acc->entry->dn;
	act->account = acc->name;
	act->attr = attr;
	act->depends_on = -1;
	act->why = hv_strbuf_detach(&why);
	return act;
}

static void add_value(struct hv_action *act, const char *value)
{
	HV_GROW(act->values, act->n_values, act->cap_values);
	act->values[act->n_values++] = hv_strdup(value);
}

static void warn(struct hv_plan *plan, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void warn(struct hv_plan *plan, const char *fmt, ...)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hv_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	HV_GROW(plan->warnings, plan->n_warnings, plan->cap_warnings);
	plan->warnings[plan->n_warnings++] = hv_strbuf_detach(&sb);
}

/* The entries wanted per target under the options, as hv_deleg bits. */
static unsigned wanted_bits(const struct hv_plan_options *opts)
{
	unsigned names = opts->names == HV_PLAN_NAMES_FQDN    ? 2u
			 : opts->names == HV_PLAN_NAMES_SHORT ? 1u
							      : 3u;
	unsigned bits = 0;

	if (opts->services & HV_PLAN_VSMS)
		bits |= names; /* VSMS_SHORT=1, VSMS_FQDN=2 */
	if (opts->services & HV_PLAN_CIFS)
		bits |= names << 2; /* CIFS_SHORT=4, CIFS_FQDN=8 */
	return bits;
}

/* A host name with control characters (C0, C1, bidi) or bytes that are
 * not UTF-8 cannot be a real one (RFC 1123); no value is ever built from
 * it, so no script can carry it. */
static bool name_is_safe(const struct hv_account *acc)
{
	const char *names[2] = {acc->name, hv_account_fqdn(acc)};

	for (int i = 0; i < 2; i++)
		if (!hv_term_is_clean(names[i], strlen(names[i])))
			return false;
	return true;
}

/* One action per source host with every missing entry towards its
 * peers (hosts first..last of its domain), so PowerShell and LDIF both
 * change each object once. */
static void plan_delegation(const struct hv_estate *est,
			    const struct hv_plan_options *opts, size_t a,
			    struct hv_plan *plan)
{
	const struct hv_account *src = &est->accounts[est->hosts[a].account];
	unsigned want = wanted_bits(opts);
	struct hv_action *act = NULL;
	struct hv_strbuf value = HV_STRBUF_INIT;
	size_t n_targets = 0, first, end;

	hv_estate_domain_range(est, est->hosts[a].domain, &first, &end);
	for (size_t b = first; b < end; b++) {
		const struct hv_account *dst;
		unsigned missing;

		if (!hv_estate_pair_in_scope(est, a, b))
			continue;
		dst = &est->accounts[est->hosts[b].account];
		if (!name_is_safe(dst))
			continue;
		/* without dNSHostName the FQDN entry would repeat the
		 * short one, and AD refuses a value twice in one add */
		missing = hv_deleg_distinct(
			dst,
			want & ~hv_estate_deleg_bits(est, est->hosts[a].account,
						     est->hosts[b].account));
		if (!missing)
			continue;
		if (!act)
			act = add_action(plan, HV_ACT_ADD_DELEGATION, src,
					 "msDS-AllowedToDelegateTo", "%s",
					 src->name);
		n_targets++;
		for (unsigned bit = 1; bit <= HV_DELEG_CIFS_FQDN; bit <<= 1) {
			if (!(missing & bit))
				continue;
			hv_deleg_entry(&value, bit, dst);
			add_value(act, value.buf);
		}
	}
	if (act) {
		struct hv_strbuf why = HV_STRBUF_INIT;

		hv_strbuf_addf(&why,
			       "%s: allow delegation to %zu peer%s "
			       "(%zu entr%s)",
			       src->name, n_targets, n_targets == 1 ? "" : "s",
			       act->n_values, act->n_values == 1 ? "y" : "ies");
		free(act->why);
		act->why = hv_strbuf_detach(&why);
	}
	hv_strbuf_release(&value);
}

/* Windows Server 2016+ needs protocol transition for remote moves; with
 * --protocol kerberos the flag is left alone and the admin is warned. */
static void plan_protocol(const struct hv_estate *est,
			  const struct hv_plan_options *opts, size_t a,
			  struct hv_plan *plan)
{
	const struct hv_account *acc = &est->accounts[est->hosts[a].account];
	struct hv_action *act;

	/* the audit's rule: "Kerberos only" is right before 2016 */
	if (!hv_account_lacks_protocol_transition(acc))
		return;
	if (opts->protocol == HV_PLAN_PROTOCOL_KERBEROS) {
		warn(plan,
		     "%s runs Windows Server 2016 or later (or an "
		     "unknown OS): with \"Kerberos only\" its "
		     "remote moves fail; use --protocol any",
		     acc->name);
		return;
	}
	act = add_action(plan, HV_ACT_SET_UAC, acc, "userAccountControl",
			 "%s: use any authentication protocol (protocol "
			 "transition)",
			 acc->name);
	act->old_uac = acc->uac;
	act->new_uac = acc->uac | HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION;
	if (acc->uac & HV_UAC_TRUSTED_FOR_DELEGATION) {
		struct hv_strbuf sam = HV_STRBUF_INIT, id = HV_STRBUF_INIT;

		hv_strbuf_addf(&sam, "%s$", acc->name);
		hv_quote_ps(&id, sam.buf);
		warn(plan,
		     "%s also has unconstrained delegation; hvdoctor "
		     "leaves it (only adds what is missing): remove it "
		     "with Set-ADAccountControl -Identity %s "
		     "-TrustedForDelegation $false",
		     acc->name, id.buf);
		hv_strbuf_release(&sam);
		hv_strbuf_release(&id);
	}
}

static bool spn_held_elsewhere(const struct hv_estate *est, size_t account,
			       const char *spn)
{
	size_t holder;

	return hv_strmap_get(&est->by_spn, spn, strlen(spn), &holder) &&
	       holder != account;
}

/* The REMOVE_SPN action that takes spn off dn (any account when dn is
 * NULL), or -1. */
static long removal_of(const struct hv_plan *plan, const char *dn,
		       const char *spn)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct hv_action *act = &plan->actions[i];

		if (act->kind != HV_ACT_REMOVE_SPN ||
		    (dn && strcmp(act->dn, dn) != 0))
			continue;
		for (size_t v = 0; v < act->n_values; v++)
			if (strcasecmp(act->values[v], spn) == 0)
				return (long)i;
	}
	return -1;
}

/* The destination registers the names its peers ask tickets for. */
static void plan_target_spns(const struct hv_estate *est, size_t h,
			     struct hv_plan *plan)
{
	static const char *const classes[] = {"HOST", HV_SPN_VSMS};
	size_t a = est->hosts[h].account;
	const struct hv_account *acc = &est->accounts[a];
	const char *names[2] = {acc->name, hv_account_fqdn(acc)};
	struct hv_action *act = NULL;
	struct hv_strbuf spn = HV_STRBUF_INIT;

	for (size_t c = 0; c < 2; c++) {
		for (size_t n = 0; n < 2; n++) {
			long removal;

			if ((n == 1 && names[1] == names[0]) ||
			    hv_account_has_spn(est, a, classes[c], names[n]))
				continue;
			hv_strbuf_reset(&spn);
			hv_strbuf_addf(&spn, "%s/%s", classes[c], names[n]);
			/* held elsewhere: fine only if its removal there is
			 * planned (removals run first), and then this add
			 * depends on it */
			removal = spn_held_elsewhere(est, a, spn.buf)
					  ? removal_of(plan, NULL, spn.buf)
					  : -1;
			if (spn_held_elsewhere(est, a, spn.buf) && removal < 0)
				continue;
			if (!act)
				act = add_action(plan, HV_ACT_ADD_SPN, acc,
						 "servicePrincipalName",
						 "%s: register its own SPNs",
						 acc->name);
			if (removal >= 0)
				act->depends_on = removal;
			add_value(act, spn.buf);
		}
	}
	hv_strbuf_release(&spn);
}

static void remove_spn(struct hv_plan *plan, const struct hv_account *acc,
		       const char *spn, const char *owner)
{
	struct hv_action *act = NULL;

	if (removal_of(plan, acc->entry->dn, spn) >= 0)
		return;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->actions[i].kind == HV_ACT_REMOVE_SPN &&
		    strcmp(plan->actions[i].dn, acc->entry->dn) == 0)
			act = &plan->actions[i];
	if (!act)
		act = add_action(
			plan, HV_ACT_REMOVE_SPN, acc, "servicePrincipalName",
			"%s: remove SPNs that belong to %s", acc->name, owner);
	add_value(act, spn);
}

static bool selected(const struct hv_estate *est, size_t account)
{
	return hv_estate_account_selected(est, account);
}

/* "setspn -D 'SPN' 'ACCOUNT'" for PowerShell: both values are AD's, and
 * $ ( ) ' & ` and spaces are legal in them, so both are quoted. */
static void setspn_delete(struct hv_strbuf *out, const char *spn,
			  const struct hv_account *holder)
{
	hv_strbuf_adds(out, "setspn -D ");
	hv_quote_ps(out, spn);
	hv_strbuf_addch(out, ' ');
	hv_quote_ps(out, holder->name);
}

/* A plan changes only the hosts it was asked about: the SPN's other
 * holder is outside the selection, so its removal is the admin's step. */
static void outside_selection(struct hv_plan *plan, const char *spn,
			      const struct hv_account *holder)
{
	struct hv_strbuf cmd = HV_STRBUF_INIT, name = HV_STRBUF_INIT;

	setspn_delete(&cmd, spn, holder);
	hv_quote_sh(&name, holder->name);
	warn(plan,
	     "the SPN '%s' must come off %s, which is outside the "
	     "selection; nothing is planned for it: add %s to --hosts, or "
	     "run in PowerShell:\n\t%s",
	     spn, holder->name, name.buf, cmd.buf);
	hv_strbuf_release(&cmd);
	hv_strbuf_release(&name);
}

/* A rollback adds back only HOST/ and migration-service SPNs (backup.h),
 * so those are the only ones a plan removes. */
static bool removable_spn(const char *spn)
{
	return strncasecmp(spn, "HOST/", 5) == 0 ||
	       (strncasecmp(spn, HV_SPN_VSMS, strlen(HV_SPN_VSMS)) == 0 &&
		spn[strlen(HV_SPN_VSMS)] == '/');
}

static void by_hand(struct hv_plan *plan, const char *spn,
		    const struct hv_account *holder, const char *owner)
{
	struct hv_strbuf cmd = HV_STRBUF_INIT;

	setspn_delete(&cmd, spn, holder);
	warn(plan,
	     "the SPN '%s' belongs to %s, not %s; hvdoctor removes only "
	     "HOST/ and migration-service SPNs: run in PowerShell:\n\t%s",
	     spn, owner, holder->name, cmd.buf);
	hv_strbuf_release(&cmd);
}

/* An SPN on two accounts, or another host's SPN on a host's own account:
 * it comes off the account its host part does not name. */
static void plan_spn_removals(const struct hv_estate *est, struct hv_plan *plan)
{
	for (size_t i = 0; i < est->n_clashes; i++) {
		const struct hv_spn_clash *c = &est->clashes[i];
		long owner = hv_estate_spn_owner(est, c->spn);
		size_t wrong;

		if (!selected(est, c->first) && !selected(est, c->other))
			continue;
		if (owner != (long)c->first && owner != (long)c->other) {
			warn(plan,
			     "the SPN '%s' is on both %s and %s and "
			     "names neither: decide by hand which "
			     "keeps it",
			     c->spn, est->accounts[c->first].name,
			     est->accounts[c->other].name);
			continue;
		}
		wrong = owner == (long)c->first ? c->other : c->first;
		if (!selected(est, wrong)) {
			outside_selection(plan, c->spn, &est->accounts[wrong]);
			continue;
		}
		if (!removable_spn(c->spn)) {
			by_hand(plan, c->spn, &est->accounts[wrong],
				est->accounts[owner].name);
			continue;
		}
		remove_spn(plan, &est->accounts[wrong], c->spn,
			   est->accounts[owner].name);
	}
	for (size_t i = 0; i < est->n_misplaced; i++) {
		const struct hv_misplaced_spn *m = &est->misplaced[i];

		if (!selected(est, m->account))
			continue;
		if (removable_spn(m->spn))
			remove_spn(plan, &est->accounts[m->account], m->spn,
				   est->accounts[m->owner].name);
		else
			by_hand(plan, m->spn, &est->accounts[m->account],
				est->accounts[m->owner].name);
	}
}

/* The DNS suffix of an account's domain, from the DC= RDNs of its DN
 * (MS-ADTS 3.1.1.1.5: a domain NC's DN spells its DNS name), e.g.
 * "lab.example.com"; empty when the DN has none. */
static void dn_suffix(struct hv_strbuf *out, const char *dn)
{
	for (const char *p = dn; *p; p++) {
		size_t len;

		if ((p != dn && p[-1] != ',') || strncasecmp(p, "DC=", 3) != 0)
			continue;
		len = strcspn(p + 3, ",");
		if (out->len)
			hv_strbuf_addch(out, '.');
		hv_strbuf_add(out, p + 3, len);
		p += 2 + len;
	}
}

static bool asked_by_name(const struct hv_plan_options *opts, const char *host)
{
	for (size_t i = 0; i < opts->n_prune_names; i++)
		if (strcasecmp(opts->prune_names[i], host) == 0)
			return true;
	return false;
}

/* True when host is a short name, or NAME.SUFFIX with NAME one label: in
 * the domain itself, where the domain's search is the whole answer. A
 * child domain's name ends in the suffix too, but is another domain. */
static bool in_domain(const char *host, const char *suffix)
{
	const char *dot = strchr(host, '.');

	return !dot || (suffix[0] && strcasecmp(dot + 1, suffix) == 0);
}

/* A cifs/ entry goes only with the host's migration-service entry on the
 * same account: without one, the name may be a file server or a
 * Scale-Out File Server whose shares Hyper-V over SMB needs. */
static bool named_for_migration(const struct hv_account *acc, const char *host)
{
	size_t label = strcspn(host, ".");
	size_t cls = strlen(HV_SPN_VSMS);

	for (size_t i = 0; i < acc->n_odd; i++) {
		const char *v = acc->odd[i].value;

		if (acc->odd[i].kind == HV_ODD_DANGLING &&
		    strncasecmp(v, HV_SPN_VSMS "/", cls + 1) == 0 &&
		    strncasecmp(v + cls + 1, host, label) == 0 &&
		    strchr(".:/", v[cls + 1 + label]) != NULL)
			return true;
	}
	return false;
}

/* One dangling value: removed with its proof, or kept and said why. */
static void prune_value(const struct hv_account *acc, const char *value,
			const struct hv_plan_options *opts,
			struct hv_plan *plan)
{
	const char *slash = strchr(value, '/');
	struct hv_strbuf suffix = HV_STRBUF_INIT, proof = HV_STRBUF_INIT;
	char *host = hv_strndup(slash + 1, strcspn(slash + 1, ":/"));
	bool cifs = strncasecmp(value, "cifs/", 5) == 0;
	enum hv_absence found = HV_NAME_UNKNOWN;

	dn_suffix(&suffix, acc->entry->dn);
	if (!in_domain(host, hv_strbuf_str(&suffix)) &&
	    !asked_by_name(opts, host))
		warn(plan,
		     "--prune: %s's '%s' kept: %s is outside the domain's DNS "
		     "suffix (%s); to remove it, name it with --prune-name",
		     acc->name, value, host, hv_strbuf_str(&suffix));
	else if (cifs && !named_for_migration(acc, host))
		warn(plan,
		     "--prune: %s's '%s' kept: no migration-service entry "
		     "names %s, so it may be a file server or Scale-Out File "
		     "Server that Hyper-V over SMB needs",
		     acc->name, value, host);
	else if (!opts->absent)
		warn(plan,
		     "--prune: %s's '%s' kept: nothing can show that %s is "
		     "gone",
		     acc->name, value, host);
	else if ((found = opts->absent(opts->absent_ctx, host, &proof)) ==
		 HV_NAME_PRESENT)
		warn(plan,
		     "--prune: %s's '%s' kept: an account answers to %s (a "
		     "DNS alias, or a computer's other name)",
		     acc->name, value, host);
	else if (found == HV_NAME_UNKNOWN)
		warn(plan,
		     "--prune: %s's '%s' kept: could not tell whether %s is "
		     "gone: %s",
		     acc->name, value, host, hv_strbuf_str(&proof));
	else
		add_value(add_action(plan, HV_ACT_REMOVE_DELEGATION, acc,
				     "msDS-AllowedToDelegateTo",
				     "%s: remove '%s': %s", acc->name, value,
				     hv_strbuf_str(&proof)),
			  value);
	free(host);
	hv_strbuf_release(&suffix);
	hv_strbuf_release(&proof);
}

/* --prune: delegation entries naming hosts proven gone. */
static void plan_prune(const struct hv_estate *est,
		       const struct hv_plan_options *opts, struct hv_plan *plan)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		if (!name_is_safe(acc))
			continue;
		for (size_t i = 0; i < acc->n_odd; i++)
			if (acc->odd[i].kind == HV_ODD_DANGLING &&
			    hv_term_is_clean(acc->odd[i].value,
					     strlen(acc->odd[i].value)))
				prune_value(acc, acc->odd[i].value, opts, plan);
	}
}

static void note_host(struct hv_plan *plan, const char *name)
{
	for (size_t i = 0; i < plan->n_hosts; i++)
		if (strcmp(plan->hosts[i], name) == 0)
			return;
	plan->hosts = hv_reallocarray(plan->hosts, plan->n_hosts + 1,
				      sizeof(*plan->hosts));
	plan->hosts[plan->n_hosts++] = hv_strdup(name);
}

void hv_plan_build(const struct hv_estate *est,
		   const struct hv_plan_options *opts, struct hv_plan *out)
{
	memset(out, 0, sizeof(*out));
	/* removals first: an SPN must leave the wrong account before its
	 * owner can register it (AD keeps SPNs unique) */
	if (opts->prune)
		plan_prune(est, opts, out);
	plan_spn_removals(est, out);
	for (size_t h = 0; h < est->n_hosts; h++) {
		if (!hv_estate_host_in_scope(est, h))
			continue;
		if (!name_is_safe(&est->accounts[est->hosts[h].account])) {
			warn(out,
			     "a host at %s has control characters or bytes "
			     "that are not UTF-8 in its name: nothing is "
			     "planned for or towards it",
			     est->accounts[est->hosts[h].account].entry->dn);
			continue;
		}
		plan_delegation(est, opts, h, out);
		plan_protocol(est, opts, h, out);
		plan_target_spns(est, h, out);
	}
	/* tickets change on the hosts whose own delegation changed */
	for (size_t i = 0; i < out->n; i++)
		if (out->actions[i].kind == HV_ACT_ADD_DELEGATION ||
		    out->actions[i].kind == HV_ACT_REMOVE_DELEGATION ||
		    out->actions[i].kind == HV_ACT_SET_UAC)
			note_host(out, out->actions[i].account);
}

size_t hv_plan_changes(const struct hv_plan *plan)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n; i++)
		n += plan->actions[i].kind == HV_ACT_SET_UAC
			     ? 1
			     : plan->actions[i].n_values;
	return n;
}

size_t hv_plan_objects(const struct hv_plan *plan)
{
	struct hv_strmap seen = {0};
	size_t n = 0;

	for (size_t i = 0; i < plan->n; i++) {
		const char *dn = plan->actions[i].dn;

		n += hv_strmap_put(&seen, dn, strlen(dn), i, NULL);
	}
	hv_strmap_release(&seen);
	return n;
}

void hv_plan_release(struct hv_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct hv_action *act = &plan->actions[i];

		for (size_t v = 0; v < act->n_values; v++)
			free(act->values[v]);
		free(act->values);
		free(act->why);
	}
	free(plan->actions);
	for (size_t i = 0; i < plan->n_warnings; i++)
		free(plan->warnings[i]);
	free(plan->warnings);
	for (size_t i = 0; i < plan->n_hosts; i++)
		free(plan->hosts[i]);
	free(plan->hosts);
	memset(plan, 0, sizeof(*plan));
}

const char *hv_plan_warning_command(const char *warning)
{
	return strstr(warning, "\n\t");
}
