/* Which hosts the checks and the plan look at, and how they are grouped
 * into migration domains: named hosts, hosts found by their migration SPN
 * or their OU (and vouched for), never a domain controller. Also the one
 * home of "which ordered pairs are in scope". */
#include "estate/estate.h"
#include "estate/estate_internal.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add_missing(struct hv_estate *est, const char *what,
			const char *name)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	hv_strbuf_addf(&sb, "%s %s", what, name);
	HV_GROW(est->missing, est->n_missing, est->cap_missing);
	est->missing[est->n_missing++] = hv_strbuf_detach(&sb);
}

static void add_refused(struct hv_estate *est, size_t account)
{
	for (size_t i = 0; i < est->n_refused; i++)
		if (est->refused[i] == account)
			return;
	HV_GROW(est->refused, est->n_refused, est->cap_refused);
	est->refused[est->n_refused++] = account;
}

static bool dn_under(const char *dn, const char *base)
{
	size_t dl = strlen(dn), bl = strlen(base);

	return dl > bl && strcasecmp(dn + dl - bl, base) == 0 &&
	       dn[dl - bl - 1] == ',';
}

static bool registers_vsms(const struct hv_account *acc)
{
	const struct hv_attr *spns =
		hv_entry_attr(acc->entry, "servicePrincipalName");
	size_t len = strlen(HV_SPN_VSMS);

	for (size_t v = 0; spns && v < spns->n_values; v++)
		if (strncasecmp(spns->values[v].data, HV_SPN_VSMS, len) == 0 &&
		    spns->values[v].data[len] == '/')
			return true;
	return false;
}

/* host_of[] makes the duplicate check O(1): a selection of 160,000
 * hosts must not cost N^2 comparisons. */
static void add_host(struct hv_estate *est, size_t account)
{
	/* a name two computers answer to: neither is checked or planned
	 * (the ambiguous-names check reports both) */
	if (est->host_of[account] != SIZE_MAX ||
	    est->accounts[account].ambiguous)
		return;
	HV_GROW(est->hosts, est->n_hosts, est->cap_hosts);
	est->host_of[account] = est->n_hosts;
	est->hosts[est->n_hosts++] =
		(struct hv_host){account, 0, est->accounts[account].name};
}

/* A host named on the command line (or in --domains) is the admin's word;
 * a domain controller is never a Hyper-V host for hvdoctor, whatever is
 * named: changing a DC's delegation or SPNs can break the domain. */
static void add_named_host(struct hv_estate *est, const char *name)
{
	long acc = hv_estate_find(est, name);

	if (acc < 0 || !est->accounts[acc].is_computer) {
		add_missing(est, "host", name);
	} else if (est->accounts[acc].is_dc) {
		add_refused(est, (size_t)acc);
	} else {
		add_host(est, (size_t)acc);
		est->accounts[acc].named = !est->accounts[acc].ambiguous;
	}
}

static void add_candidate(struct hv_estate *est, size_t account)
{
	if (est->accounts[account].is_computer && !est->accounts[account].is_dc)
		add_host(est, account);
}

/* Named hosts are matched exactly (short name, FQDN or sAMAccountName),
 * never by pattern: an audit must not silently include a host. Found
 * hosts (by SPN, OU or --filter) are candidates until keep_vouched_hosts()
 * accepts them: --ou and --filter select alike. */
static void select_hosts(struct hv_estate *est, const struct hv_selection *sel)
{
	est->discovered = !sel->hosts && !sel->ou && !sel->found;
	for (size_t i = 0; sel->hosts && i < sel->n_hosts; i++)
		add_named_host(est, sel->hosts[i]);
	for (size_t i = 0; sel->ou && i < est->n_accounts; i++)
		if (dn_under(est->accounts[i].entry->dn, sel->ou))
			add_candidate(est, i);
	for (size_t i = 0; sel->found && i < sel->n_found; i++) {
		long acc = hv_estate_find(est, sel->found[i]);

		if (acc >= 0)
			add_candidate(est, (size_t)acc);
	}
	for (size_t i = 0; est->discovered && i < est->n_accounts; i++)
		if (registers_vsms(&est->accounts[i]))
			add_candidate(est, i);
	if (sel->new_node)
		add_named_host(est, sel->new_node);
}

/* qsort gives its comparison no context, so each index travels with
 * the name it is sorted by. */
struct named_index {
	const char *name;
	size_t index;
};

static int by_name(const void *a, const void *b)
{
	return strcasecmp(((const struct named_index *)a)->name,
			  ((const struct named_index *)b)->name);
}

static void sort_accounts_by_name(const struct hv_estate *est, size_t *list,
				  size_t n)
{
	struct named_index *pairs;

	if (n < 2)
		return;
	pairs = hv_calloc(n, sizeof(*pairs));
	for (size_t i = 0; i < n; i++)
		pairs[i] = (struct named_index){est->accounts[list[i]].name,
						list[i]};
	qsort(pairs, n, sizeof(*pairs), by_name);
	for (size_t i = 0; i < n; i++)
		list[i] = pairs[i].index;
	free(pairs);
}

/* Any domain user may create a computer (MachineAccountQuota) with a name
 * and a migration SPN of its choosing, so neither the SPN nor the OU makes
 * a Hyper-V host. Its own msDS-AllowedToDelegateTo does: only a domain
 * admin may write it (SeEnableDelegationPrivilege, MS-ADTS 3.1.1.5.3.1.1.4)
 * and its creator cannot. An entry *towards* it does not: that is an
 * admin's word about whichever computer had the name when the entry was
 * written, and a name freed by a deleted host may be taken by anyone. A
 * candidate with neither its own entry to another candidate nor a name on
 * the command line stays out of every check and plan, and is reported as
 * unverified. */
static void keep_vouched_hosts(struct hv_estate *est)
{
	bool *vouched = hv_calloc(est->n_hosts + 1, sizeof(*vouched));
	size_t kept = 0;

	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		if (acc->named)
			vouched[h] = true;
		for (size_t d = 0; d < acc->n_deleg; d++) {
			size_t other = est->host_of[acc->deleg[d].target];

			if (other != SIZE_MAX && other != h)
				vouched[h] = true;
		}
	}
	for (size_t h = 0; h < est->n_hosts; h++) {
		size_t account = est->hosts[h].account;

		if (!vouched[h]) {
			HV_GROW(est->unverified, est->n_unverified,
				est->cap_unverified);
			est->unverified[est->n_unverified++] = account;
			est->host_of[account] = SIZE_MAX;
			continue;
		}
		est->host_of[account] = kept;
		est->hosts[kept++] = est->hosts[h];
	}
	est->n_hosts = kept;
	free(vouched);
	/* reported by name, whatever order the directory answered in */
	sort_accounts_by_name(est, est->unverified, est->n_unverified);
}

static void select_admins(struct hv_estate *est, const struct hv_selection *sel)
{
	est->admins =
		sel->n_admins ? hv_calloc(sel->n_admins, sizeof(size_t)) : NULL;
	for (size_t i = 0; i < sel->n_admins; i++) {
		const char *name = sel->admins[i];
		const char *bs = strchr(name, '\\');
		long acc;

		/* DOMAIN\user and user@domain name the same account */
		if (bs)
			name = bs + 1;
		acc = hv_estate_find(est, name);
		if (acc < 0 && strchr(name, '@')) {
			char *user = hv_strndup(name, strcspn(name, "@"));

			acc = hv_estate_find(est, user);
			free(user);
		}
		if (acc < 0)
			add_missing(est, "admin", sel->admins[i]);
		else
			est->admins[est->n_admins++] = (size_t)acc;
	}
}

static size_t uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* Hosts that already delegate to each other are meant to migrate among
 * each other: the connected components of the delegation graph. */
static void group_components(struct hv_estate *est)
{
	size_t *parent = hv_calloc(est->n_hosts + 1, sizeof(*parent));

	for (size_t h = 0; h < est->n_hosts; h++)
		parent[h] = h;
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		for (size_t d = 0; d < acc->n_deleg; d++) {
			size_t other = est->host_of[acc->deleg[d].target];

			if (other != SIZE_MAX)
				parent[uf_find(parent, h)] =
					uf_find(parent, other);
		}
	}
	for (size_t h = 0; h < est->n_hosts; h++)
		est->hosts[h].domain = uf_find(parent, h);
	free(parent);
}

static const char *parent_dn(const char *dn)
{
	const char *p = dn;

	/* skip the first RDN, honouring "\," escapes (RFC 4514) */
	while (*p && *p != ',') {
		if (*p == '\\' && p[1])
			p++;
		p++;
	}
	return *p ? p + 1 : p;
}

/* One domain per parent DN; a map keeps it linear for 10,000 hosts. */
static void group_by_ou(struct hv_estate *est)
{
	struct hv_strmap ous = {0};

	for (size_t h = 0; h < est->n_hosts; h++) {
		const char *ou = parent_dn(
			est->accounts[est->hosts[h].account].entry->dn);
		size_t first = h;

		hv_strmap_put(&ous, ou, strlen(ou), h, &first);
		est->hosts[h].domain = first;
	}
	hv_strmap_release(&ous);
}

static bool in_group(const struct hv_account *acc,
		     const struct hv_host_group *g)
{
	for (size_t i = 0; i < g->n_hosts; i++)
		if (strcasecmp(g->hosts[i], acc->name) == 0 ||
		    (acc->dns && strcasecmp(g->hosts[i], acc->dns) == 0))
			return true;
	return false;
}

static void group_by_lists(struct hv_estate *est,
			   const struct hv_selection *sel)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		/* a host no group names is not in the first group */
		est->hosts[h].domain = sel->n_groups;
		for (size_t g = 0; g < sel->n_groups; g++) {
			if (in_group(acc, &sel->groups[g])) {
				est->hosts[h].domain = g;
				break;
			}
		}
	}
}

static int by_name_only(const void *a, const void *b)
{
	return strcasecmp(((const struct hv_host *)a)->name,
			  ((const struct hv_host *)b)->name);
}

static int by_domain_name(const void *a, const void *b)
{
	const struct hv_host *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	return strcasecmp(x->name, y->name);
}

/* Domains are numbered in the order of their first host's name, so the
 * report reads the same on every run. */
static void renumber_domains(struct hv_estate *est)
{
	size_t next = 0, max = 0;
	size_t *map;

	for (size_t h = 0; h < est->n_hosts; h++)
		if (est->hosts[h].domain > max)
			max = est->hosts[h].domain;
	map = hv_calloc(max + 1, sizeof(*map));
	for (size_t d = 0; d <= max; d++)
		map[d] = SIZE_MAX;
	if (est->n_hosts > 1)
		qsort(est->hosts, est->n_hosts, sizeof(*est->hosts),
		      by_name_only);
	for (size_t h = 0; h < est->n_hosts; h++) {
		size_t *d = &map[est->hosts[h].domain];

		if (*d == SIZE_MAX)
			*d = next++;
		est->hosts[h].domain = *d;
	}
	if (est->n_hosts > 1)
		qsort(est->hosts, est->n_hosts, sizeof(*est->hosts),
		      by_domain_name);
	est->n_domains = next;
	free(map);
}

static const char *list_name(const struct hv_estate *est,
			     const struct hv_selection *sel, size_t h)
{
	const struct hv_account *acc = &est->accounts[est->hosts[h].account];

	for (size_t g = 0; g < sel->n_groups; g++)
		if (in_group(acc, &sel->groups[g]))
			return sel->groups[g].name;
	return "ungrouped";
}

static void name_domains(struct hv_estate *est, const struct hv_selection *sel,
			 enum hv_grouping how)
{
	est->domain_names = hv_calloc(est->n_domains + 1, sizeof(char *));
	for (size_t h = 0; h < est->n_hosts; h++) {
		size_t d = est->hosts[h].domain;
		struct hv_strbuf sb = HV_STRBUF_INIT;

		if (est->domain_names[d])
			continue;
		if (how == HV_GROUP_OU)
			hv_strbuf_adds(
				&sb,
				parent_dn(est->accounts[est->hosts[h].account]
						  .entry->dn));
		else if (how == HV_GROUP_LISTS)
			hv_strbuf_adds(&sb, list_name(est, sel, h));
		else if (how == HV_GROUP_ONE)
			hv_strbuf_adds(&sb, "selected hosts");
		else
			hv_strbuf_addf(&sb, "group of %s", est->hosts[h].name);
		est->domain_names[d] = hv_strbuf_detach(&sb);
	}
}

static const char *grouping_text(enum hv_grouping how)
{
	switch (how) {
	case HV_GROUP_AUTO:
		return "hosts that already delegate to each other (the "
		       "connected parts of the delegation graph) form one "
		       "migration domain; correct this with --hosts, "
		       "--domains FILE or --group-by ou";
	case HV_GROUP_ONE:
		return "the named hosts form one migration domain";
	case HV_GROUP_OU:
		return "each OU is one migration domain (--group-by ou)";
	case HV_GROUP_LISTS:
		return "migration domains as listed in --domains";
	}
	return "";
}

/* --domains names the hosts when --hosts does not. */
static void hosts_from_groups(struct hv_estate *est,
			      const struct hv_selection *sel)
{
	for (size_t g = 0; g < sel->n_groups; g++)
		for (size_t i = 0; i < sel->groups[g].n_hosts; i++)
			add_named_host(est, sel->groups[g].hosts[i]);
	if (sel->new_node)
		add_named_host(est, sel->new_node);
}

/* A new node has no delegation yet, so the delegation graph leaves it
 * alone: it joins the domain of the hosts that share its OU, when they
 * are one domain. Returns false when its peers cannot be told (then
 * every pair with it would be missing and the audit would read clean). */
static bool join_new_node(struct hv_estate *est, const struct hv_selection *sel,
			  enum hv_grouping how)
{
	long acc = sel->new_node ? hv_estate_find(est, sel->new_node) : -1;
	size_t nn = acc >= 0 ? est->host_of[acc] : SIZE_MAX;
	size_t peers = 0, joined = SIZE_MAX;
	const char *ou;

	if (nn == SIZE_MAX)
		return true; /* missing or refused: said elsewhere */
	for (size_t h = 0; h < est->n_hosts; h++)
		peers += h != nn &&
			 est->hosts[h].domain == est->hosts[nn].domain;
	if (peers)
		return true;
	if (how != HV_GROUP_AUTO)
		return false;
	ou = parent_dn(est->accounts[est->hosts[nn].account].entry->dn);
	for (size_t h = 0; h < est->n_hosts; h++) {
		const char *dn = est->accounts[est->hosts[h].account].entry->dn;

		if (h == nn || strcasecmp(parent_dn(dn), ou) != 0)
			continue;
		if (joined != SIZE_MAX && joined != est->hosts[h].domain)
			return false; /* hosts of two domains share its OU */
		joined = est->hosts[h].domain;
	}
	if (joined == SIZE_MAX)
		return false;
	est->hosts[nn].domain = joined;
	return true;
}

static bool group_hosts(struct hv_estate *est, const struct hv_selection *sel)
{
	enum hv_grouping how = sel->grouping;
	bool joined;

	if (how == HV_GROUP_AUTO && !est->discovered)
		how = HV_GROUP_ONE;
	if (how == HV_GROUP_AUTO)
		group_components(est);
	else if (how == HV_GROUP_OU)
		group_by_ou(est);
	else if (how == HV_GROUP_LISTS)
		group_by_lists(est, sel);
	else
		for (size_t h = 0; h < est->n_hosts; h++)
			est->hosts[h].domain = 0;
	joined = join_new_node(est, sel, how);
	renumber_domains(est);
	name_domains(est, sel, how);
	est->grouping_note = hv_strdup(grouping_text(how));
	return joined;
}

/* After sorting, host positions, domain ranges and the new node are
 * indexed once, so every later question is O(1). */
static void index_hosts(struct hv_estate *est, const struct hv_selection *sel)
{
	est->domain_first = hv_calloc(est->n_domains + 1, sizeof(size_t));
	est->domain_end = hv_calloc(est->n_domains + 1, sizeof(size_t));
	for (size_t h = est->n_hosts; h-- > 0;) {
		est->host_of[est->hosts[h].account] = h;
		est->domain_first[est->hosts[h].domain] = h;
	}
	for (size_t h = 0; h < est->n_hosts; h++)
		est->domain_end[est->hosts[h].domain] = h + 1;
	est->new_node = -1;
	if (sel->new_node) {
		long acc = hv_estate_find(est, sel->new_node);

		if (acc >= 0 && est->host_of[acc] != SIZE_MAX)
			est->new_node = (long)est->host_of[acc];
	}
}

static void list_names(struct hv_strbuf *sb, const struct hv_estate *est,
		       const size_t *accounts, size_t n)
{
	for (size_t i = 0; i < n && i < 8; i++)
		hv_strbuf_addf(sb, "%s%s", i ? ", " : "",
			       est->accounts[accounts[i]].name);
	if (n > 8)
		hv_strbuf_addf(sb, " and %zu more", n - 8);
}

/* A selection that names no host must never read as "no problems". */
static int no_hosts(const struct hv_estate *est, const struct hv_selection *sel,
		    struct hv_error *err)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	int rc;

	if (est->n_ambiguous && !est->n_unverified) {
		hv_strbuf_addf(&sb,
			       "no Hyper-V host to check: %zu name%s "
			       "answer%s to two computer accounts (",
			       est->n_ambiguous,
			       est->n_ambiguous == 1 ? "" : "s",
			       est->n_ambiguous == 1 ? "s" : "");
		for (size_t i = 0; i < est->n_ambiguous && i < 4; i++)
			hv_strbuf_addf(
				&sb, "%s%s: %s and %s", i ? "; " : "",
				est->ambiguous[i].name,
				est->accounts[est->ambiguous[i].kept].entry->dn,
				est->accounts[est->ambiguous[i].other]
					.entry->dn);
		hv_strbuf_adds(&sb, "), and nothing is checked or planned for "
				    "either; find out who created the other "
				    "account and delete or rename it");
	} else if (est->n_unverified) {
		hv_strbuf_addf(&sb,
			       "no Hyper-V host to check: nothing vouches "
			       "for the %zu computer%s that look%s like "
			       "hosts (",
			       est->n_unverified,
			       est->n_unverified == 1 ? "" : "s",
			       est->n_unverified == 1 ? "s" : "");
		list_names(&sb, est, est->unverified, est->n_unverified);
		hv_strbuf_adds(&sb,
			       "): none has a delegation entry of its own to "
			       "another host, and anyone may create a "
			       "computer with a migration SPN; name the real "
			       "hosts with --hosts");
	} else if (sel->hosts || sel->n_groups || est->n_refused) {
		hv_strbuf_adds(&sb, "the selection names no Hyper-V host");
		if (est->n_missing)
			hv_strbuf_addf(&sb,
				       " (%zu name%s without a computer "
				       "account)",
				       est->n_missing,
				       est->n_missing == 1 ? "" : "s");
	} else if (sel->ou) {
		hv_strbuf_addf(&sb, "no computer account under the OU '%s'",
			       sel->ou);
	} else if (sel->found) {
		hv_strbuf_adds(&sb, "--filter found no computer account that "
				    "could be a Hyper-V host");
	} else {
		hv_strbuf_adds(&sb, "no computer in the input registers the "
				    "migration-service SPN ('" HV_SPN_VSMS
				    "/NAME'); name the hosts with --hosts");
	}
	rc = hv_error_set(err, HV_ERR_USAGE, NULL, "%s", sb.buf);
	hv_strbuf_release(&sb);
	return rc;
}

static int refuse_dcs(const struct hv_estate *est, struct hv_error *err)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	int rc;

	list_names(&sb, est, est->refused, est->n_refused);
	rc = hv_error_set(err, HV_ERR_USAGE, NULL,
			  "%s %s a domain controller: DCs are trusted for "
			  "delegation by design and are never changed or "
			  "checked as Hyper-V hosts; leave %s out of the "
			  "selection",
			  sb.buf, est->n_refused == 1 ? "is" : "are",
			  est->n_refused == 1 ? "it" : "them");
	hv_strbuf_release(&sb);
	return rc;
}

/* Never "0 of 0 pairs": a new node whose peers cannot be told is an
 * error that names the options that tell them. */
static int lonely_new_node(const struct hv_estate *est, struct hv_error *err)
{
	const struct hv_account *acc =
		&est->accounts[est->hosts[est->new_node].account];

	return hv_error_set(err, HV_ERR_USAGE, NULL,
			    "the new node %s has no peers to check it with: "
			    "no Hyper-V host of one migration domain shares "
			    "its OU (%s); name the hosts it will work with: "
			    "--hosts %s,PEER1,PEER2 or --domains FILE",
			    acc->name, parent_dn(acc->entry->dn), acc->name);
}

int hv_estate_select(struct hv_estate *est, const struct hv_selection *sel,
		     struct hv_error *err)
{
	bool joined;

	est->host_of = hv_calloc(est->n_accounts + 1, sizeof(size_t));
	for (size_t i = 0; i <= est->n_accounts; i++)
		est->host_of[i] = SIZE_MAX;
	if (sel->grouping == HV_GROUP_LISTS && !sel->hosts)
		hosts_from_groups(est, sel);
	else
		select_hosts(est, sel);
	keep_vouched_hosts(est);
	select_admins(est, sel);
	joined = group_hosts(est, sel);
	index_hosts(est, sel);
	if (est->n_refused)
		return refuse_dcs(est, err);
	if (!joined)
		return lonely_new_node(est, err);
	if (!est->n_hosts)
		return no_hosts(est, sel, err);
	return 0;
}

size_t hv_estate_host_of(const struct hv_estate *est, size_t account)
{
	return account < est->n_accounts ? est->host_of[account] : SIZE_MAX;
}

void hv_estate_domain_range(const struct hv_estate *est, size_t domain,
			    size_t *out_first, size_t *out_end)
{
	*out_first = domain < est->n_domains ? est->domain_first[domain] : 0;
	*out_end = domain < est->n_domains ? est->domain_end[domain] : 0;
}

bool hv_estate_pair_in_scope(const struct hv_estate *est, size_t a, size_t b)
{
	if (a == b || est->hosts[a].domain != est->hosts[b].domain)
		return false;
	return est->new_node < 0 || (long)a == est->new_node ||
	       (long)b == est->new_node;
}

size_t hv_estate_peers_in_scope(const struct hv_estate *est, size_t a)
{
	size_t d = est->hosts[a].domain;
	size_t size = est->domain_end[d] - est->domain_first[d];

	if (est->new_node < 0 || (long)a == est->new_node)
		return size - 1;
	return est->hosts[est->new_node].domain == d ? 1 : 0;
}

bool hv_estate_host_in_scope(const struct hv_estate *est, size_t h)
{
	return hv_estate_peers_in_scope(est, h) > 0;
}

bool hv_estate_account_selected(const struct hv_estate *est, size_t account)
{
	size_t h = hv_estate_host_of(est, account);

	return h != SIZE_MAX &&
	       (est->new_node < 0 || hv_estate_host_in_scope(est, h));
}
