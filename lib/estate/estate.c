#include "estate/estate.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "sources/secdesc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add_odd(struct hv_account *acc, const char *attr, const char *value,
		    const char *why)
{
	HV_GROW(acc->odd, acc->n_odd, acc->cap_odd);
	acc->odd[acc->n_odd++] = (struct hv_odd_value){attr, value, why};
}

static bool has_value_ci(const struct hv_entry *e, const char *attr,
			 const char *value)
{
	const struct hv_attr *a = hv_entry_attr(e, attr);

	for (size_t i = 0; a && i < a->n_values; i++)
		if (strcasecmp(a->values[i].data, value) == 0)
			return true;
	return false;
}

/* "10.0 (20348)" → 20348; else the release named in operatingSystem. */
static unsigned os_build_of(const char *version, const char *os)
{
	static const struct {
		const char *name;
		unsigned build;
	} releases[] = {
		{"2025", 26100},   {"2022", 20348},   {"2019", 17763},
		{"2016", 14393},   {"2012 R2", 9600}, {"2012", 9200},
		{"2008 R2", 7601}, {"2008", 6002},
	};
	const char *paren = version ? strchr(version, '(') : NULL;

	if (paren) {
		char *end = NULL;
		unsigned long b = strtoul(paren + 1, &end, 10);

		if (end && *end == ')' && b > 0 && b < 1000000)
			return (unsigned)b;
	}
	for (size_t i = 0; os && i < sizeof(releases) / sizeof(*releases); i++)
		if (strstr(os, releases[i].name))
			return releases[i].build;
	return 0;
}

static void read_uac(struct hv_account *acc)
{
	const char *v = hv_entry_first(acc->entry, "userAccountControl");
	char *end = NULL;
	long long n;

	if (!v)
		return;
	errno = 0;
	n = strtoll(v, &end, 10);
	/* AD writes it as a signed 32-bit decimal */
	if (errno || end == v || *end || n < INT32_MIN || n > UINT32_MAX) {
		add_odd(acc, "userAccountControl", v, "not a number");
		return;
	}
	acc->uac = (uint32_t)n;
	acc->uac_known = true;
}

static void read_sid_and_rbcd(struct hv_account *acc)
{
	const struct hv_attr *sid = hv_entry_attr(acc->entry, "objectSid");
	const struct hv_attr *sd = hv_entry_attr(
		acc->entry, "msDS-AllowedToActOnBehalfOfOtherIdentity");

	if (sid && sid->n_values) {
		struct hv_strbuf sb = HV_STRBUF_INIT;

		if (hv_sid_format((const unsigned char *)sid->values[0].data,
				  sid->values[0].len, &sb))
			acc->sid = hv_strbuf_detach(&sb);
		else if (sid->values[0].len >= 2 &&
			 strncmp(sid->values[0].data, "S-", 2) == 0)
			acc->sid = hv_strdup(sid->values[0].data);
		hv_strbuf_release(&sb);
	}
	if (sd && sd->n_values && sd->values[0].len) {
		acc->has_rbcd = true;
		if (hv_secdesc_allowed_sids(
			    (const unsigned char *)sd->values[0].data,
			    sd->values[0].len, &acc->rbcd_sids, &acc->n_rbcd,
			    NULL) < 0)
			add_odd(acc, "msDS-AllowedToActOnBehalfOfOtherIdentity",
				"(binary)", "not a valid security descriptor");
	}
}

static bool is_protected_user(const struct hv_entry *e)
{
	const struct hv_attr *a = hv_entry_attr(e, "memberOf");

	for (size_t i = 0; a && i < a->n_values; i++)
		if (strncasecmp(a->values[i].data, "CN=Protected Users,", 19) ==
		    0)
			return true;
	return false;
}

static void read_account(struct hv_account *acc, const struct hv_entry *e)
{
	size_t len;

	acc->entry = e;
	acc->sam = hv_entry_first(e, "sAMAccountName");
	acc->dns = hv_entry_first(e, "dNSHostName");
	acc->os = hv_entry_first(e, "operatingSystem");
	acc->is_computer = has_value_ci(e, "objectClass", "computer") ||
			   (acc->sam && acc->sam[0] &&
			    acc->sam[strlen(acc->sam) - 1] == '$');
	if (acc->sam) {
		len = strlen(acc->sam);
		if (len && acc->sam[len - 1] == '$')
			len--;
		acc->name = hv_strndup(acc->sam, len);
	} else {
		/* no sAMAccountName: fall back to the RDN value */
		const char *dn = e->dn ? e->dn : "";
		const char *eq = strchr(dn, '=');

		dn = eq ? eq + 1 : dn;
		acc->name = hv_strndup(dn, strcspn(dn, ","));
	}
	acc->os_build = os_build_of(hv_entry_first(e, "operatingSystemVersion"),
				    acc->os);
	acc->protected_user = is_protected_user(e);
	read_uac(acc);
	read_sid_and_rbcd(acc);
}

static bool is_account_entry(const struct hv_entry *e)
{
	return hv_entry_attr(e, "sAMAccountName") ||
	       has_value_ci(e, "objectClass", "computer") ||
	       has_value_ci(e, "objectClass", "user");
}

static void index_account_names(struct hv_estate *est, size_t i)
{
	const struct hv_account *acc = &est->accounts[i];

	hv_strmap_put(&est->by_name, acc->name, strlen(acc->name), i, NULL);
	if (acc->sam)
		hv_strmap_put(&est->by_name, acc->sam, strlen(acc->sam), i,
			      NULL);
	if (acc->dns)
		hv_strmap_put(&est->by_name, acc->dns, strlen(acc->dns), i,
			      NULL);
}

static void index_names(struct hv_estate *est)
{
	/* computers first, so a host name never resolves to a user */
	for (size_t i = 0; i < est->n_accounts; i++)
		if (est->accounts[i].is_computer)
			index_account_names(est, i);
	for (size_t i = 0; i < est->n_accounts; i++)
		if (!est->accounts[i].is_computer)
			index_account_names(est, i);
}

/* AD keeps an SPN on one account (MS-ADTS 3.1.1.5.3.1.1.2 uniqueness);
 * every extra holder is a clash that breaks Kerberos to that name. */
static void index_spns(struct hv_estate *est)
{
	for (size_t i = 0; i < est->n_accounts; i++) {
		struct hv_account *acc = &est->accounts[i];
		const struct hv_attr *spns =
			hv_entry_attr(acc->entry, "servicePrincipalName");

		for (size_t v = 0; spns && v < spns->n_values; v++) {
			const struct hv_value *val = &spns->values[v];
			size_t first;

			if (memchr(val->data, '\\', val->len)) {
				add_odd(acc, "servicePrincipalName", val->data,
					"escaped copy of an SPN (a Samba test-"
					"bed workaround; real AD never has "
					"it)");
				continue;
			}
			if (!memchr(val->data, '/', val->len)) {
				add_odd(acc, "servicePrincipalName", val->data,
					"not of the form service/host");
				continue;
			}
			if (!hv_strmap_put(&est->by_spn, val->data, val->len, i,
					   &first) &&
			    first != i) {
				HV_GROW(est->clashes, est->n_clashes,
					est->cap_clashes);
				est->clashes[est->n_clashes++] =
					(struct hv_spn_clash){val->data, first,
							      i};
			}
		}
	}
}

/* "class/host[:port][/service]" → class and host spans (RFC 4120 names
 * of this shape, as MS-ADTS SPNs are). */
static bool split_spn(const char *spn, const char **cls, size_t *cls_len,
		      const char **host, size_t *host_len)
{
	const char *slash = strchr(spn, '/');

	if (!slash || slash == spn)
		return false;
	*cls = spn;
	*cls_len = (size_t)(slash - spn);
	*host = slash + 1;
	*host_len = strcspn(*host, ":/");
	return *host_len > 0;
}

static int cmp_deleg(const void *a, const void *b)
{
	const struct hv_deleg *x = a, *y = b;

	return x->target < y->target ? -1 : x->target > y->target;
}

/* Which of the four entries a value is, if its host is a known account. */
static unsigned deleg_bit(const struct hv_estate *est, const char *value,
			  size_t *out_target, const char **out_why)
{
	const char *cls, *host;
	const struct hv_account *dst;
	size_t cls_len, host_len, target;
	bool vsms, fqdn;

	*out_why = NULL;
	if (!split_spn(value, &cls, &cls_len, &host, &host_len)) {
		*out_why = "not of the form service/host";
		return 0;
	}
	vsms = cls_len == strlen(HV_SPN_VSMS) &&
	       strncasecmp(cls, HV_SPN_VSMS, cls_len) == 0;
	if (!vsms && !(cls_len == 4 && strncasecmp(cls, "cifs", 4) == 0))
		return 0; /* other services are not live migration's */
	if (!hv_strmap_get(&est->by_name, host, host_len, &target)) {
		*out_why = "names a host that has no account in the "
			   "directory (dangling entry)";
		return 0;
	}
	/* the KDC looks the whole requested SPN up in this list (MS-SFU
	 * 3.2.5.2.1), and a move asks for class/NAME or class/FQDN: so
	 * "cifs/HV02:445" or "cifs/HV02$" never match */
	dst = &est->accounts[target];
	*out_target = target;
	if (strcasecmp(host, dst->name) == 0)
		fqdn = false;
	else if (dst->dns && strcasecmp(host, dst->dns) == 0)
		fqdn = true;
	else
		return 0;
	/* without dNSHostName the short name is the only name to ask for */
	if (!dst->dns)
		return vsms ? HV_DELEG_VSMS : HV_DELEG_CIFS;
	return vsms ? (fqdn ? HV_DELEG_VSMS_FQDN : HV_DELEG_VSMS_SHORT)
		    : (fqdn ? HV_DELEG_CIFS_FQDN : HV_DELEG_CIFS_SHORT);
}

static void resolve_delegation(struct hv_estate *est, size_t i)
{
	struct hv_account *acc = &est->accounts[i];
	const struct hv_attr *a2d =
		hv_entry_attr(acc->entry, "msDS-AllowedToDelegateTo");
	size_t n = 0;

	if (!a2d || !a2d->n_values)
		return;
	acc->deleg = hv_calloc(a2d->n_values, sizeof(*acc->deleg));
	for (size_t v = 0; v < a2d->n_values; v++) {
		const char *value = a2d->values[v].data;
		const char *why;
		size_t target;
		unsigned bit;

		if (memchr(value, '\\', a2d->values[v].len)) {
			add_odd(acc, "msDS-AllowedToDelegateTo", value,
				"escaped copy of an entry (a Samba test-bed "
				"workaround; not counted as delegation)");
			continue;
		}
		bit = deleg_bit(est, value, &target, &why);
		if (why)
			add_odd(acc, "msDS-AllowedToDelegateTo", value, why);
		if (bit)
			acc->deleg[n++] = (struct hv_deleg){target, bit};
	}
	qsort(acc->deleg, n, sizeof(*acc->deleg), cmp_deleg);
	/* merge the bits of one target into one element */
	acc->n_deleg = 0;
	for (size_t k = 0; k < n; k++) {
		if (acc->n_deleg &&
		    acc->deleg[acc->n_deleg - 1].target == acc->deleg[k].target)
			acc->deleg[acc->n_deleg - 1].bits |= acc->deleg[k].bits;
		else
			acc->deleg[acc->n_deleg++] = acc->deleg[k];
	}
}

long hv_estate_find(const struct hv_estate *est, const char *name)
{
	size_t idx;

	return hv_strmap_get(&est->by_name, name, strlen(name), &idx)
		       ? (long)idx
		       : -1;
}

unsigned hv_estate_deleg_bits(const struct hv_estate *est, size_t from,
			      size_t to)
{
	const struct hv_account *acc = &est->accounts[from];
	size_t lo = 0, hi = acc->n_deleg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (acc->deleg[mid].target == to)
			return acc->deleg[mid].bits;
		if (acc->deleg[mid].target < to)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

const char *hv_account_fqdn(const struct hv_account *acc)
{
	return acc->dns ? acc->dns : acc->name;
}

bool hv_account_has_spn(const struct hv_estate *est, size_t account,
			const char *service_class, const char *name)
{
	struct hv_strbuf spn = HV_STRBUF_INIT;
	size_t holder;
	bool found;

	hv_strbuf_addf(&spn, "%s/%s", service_class, name);
	found = hv_strmap_get(&est->by_spn, spn.buf, spn.len, &holder);
	hv_strbuf_release(&spn);
	/* the first holder is indexed; clashes name the others */
	if (found && holder == account)
		return true;
	for (size_t i = 0; found && i < est->n_clashes; i++) {
		size_t len = strlen(service_class);

		if (est->clashes[i].other == account &&
		    strncasecmp(est->clashes[i].spn, service_class, len) == 0 &&
		    est->clashes[i].spn[len] == '/' &&
		    strcasecmp(est->clashes[i].spn + len + 1, name) == 0)
			return true;
	}
	return false;
}

static void add_missing(struct hv_estate *est, const char *what,
			const char *name)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	hv_strbuf_addf(&sb, "%s %s", what, name);
	HV_GROW(est->missing, est->n_missing, est->cap_missing);
	est->missing[est->n_missing++] = hv_strbuf_detach(&sb);
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

static void add_host(struct hv_estate *est, size_t account)
{
	for (size_t i = 0; i < est->n_hosts; i++)
		if (est->hosts[i].account == account)
			return;
	est->hosts = hv_reallocarray(est->hosts, est->n_hosts + 1,
				     sizeof(*est->hosts));
	est->hosts[est->n_hosts++] =
		(struct hv_host){account, 0, est->accounts[account].name};
}

/* Named hosts are matched exactly (short name, FQDN or sAMAccountName),
 * never by pattern: an audit must not silently include a host. */
static void select_hosts(struct hv_estate *est, const struct hv_selection *sel)
{
	if (sel->hosts) {
		for (size_t i = 0; i < sel->n_hosts; i++) {
			long acc = hv_estate_find(est, sel->hosts[i]);

			if (acc < 0 || !est->accounts[acc].is_computer)
				add_missing(est, "host", sel->hosts[i]);
			else
				add_host(est, (size_t)acc);
		}
	} else {
		est->discovered = !sel->ou;
		for (size_t i = 0; i < est->n_accounts; i++) {
			const struct hv_account *acc = &est->accounts[i];

			if (!acc->is_computer)
				continue;
			if (sel->ou ? dn_under(acc->entry->dn, sel->ou)
				    : registers_vsms(acc))
				add_host(est, i);
		}
	}
	est->new_node = -1;
	if (sel->new_node) {
		long acc = hv_estate_find(est, sel->new_node);

		if (acc < 0 || !est->accounts[acc].is_computer) {
			add_missing(est, "host", sel->new_node);
			return;
		}
		add_host(est, (size_t)acc);
	}
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
	size_t *pos = hv_calloc(est->n_accounts, sizeof(*pos));
	size_t *parent = hv_calloc(est->n_hosts, sizeof(*parent));

	for (size_t a = 0; a < est->n_accounts; a++)
		pos[a] = SIZE_MAX;
	for (size_t h = 0; h < est->n_hosts; h++) {
		pos[est->hosts[h].account] = h;
		parent[h] = h;
	}
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[h].account];

		for (size_t d = 0; d < acc->n_deleg; d++) {
			size_t other = pos[acc->deleg[d].target];

			if (other != SIZE_MAX)
				parent[uf_find(parent, h)] =
					uf_find(parent, other);
		}
	}
	for (size_t h = 0; h < est->n_hosts; h++)
		est->hosts[h].domain = uf_find(parent, h);
	free(parent);
	free(pos);
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
	for (size_t g = 0; g < sel->n_groups; g++) {
		for (size_t i = 0; i < sel->groups[g].n_hosts; i++) {
			const char *name = sel->groups[g].hosts[i];
			long acc = hv_estate_find(est, name);

			if (acc < 0 || !est->accounts[acc].is_computer)
				add_missing(est, "host", name);
			else
				add_host(est, (size_t)acc);
		}
	}
}

static void group_hosts(struct hv_estate *est, const struct hv_selection *sel)
{
	enum hv_grouping how = sel->grouping;

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
	renumber_domains(est);
	name_domains(est, sel, how);
	est->grouping_note = hv_strdup(grouping_text(how));
}

int hv_estate_build(struct hv_estate *est, const struct hv_directory *dir,
		    const struct hv_selection *sel, struct hv_error *err)
{
	memset(est, 0, sizeof(*est));
	est->dir = dir;
	est->new_node = -1; /* --domains skips select_hosts() */
	est->accounts = hv_calloc(dir->n_entries + 1, sizeof(*est->accounts));
	for (size_t i = 0; i < dir->n_entries; i++)
		if (is_account_entry(&dir->entries[i]))
			read_account(&est->accounts[est->n_accounts++],
				     &dir->entries[i]);
	index_names(est);
	index_spns(est);
	for (size_t i = 0; i < est->n_accounts; i++)
		resolve_delegation(est, i);
	if (sel->grouping == HV_GROUP_LISTS && !sel->hosts)
		hosts_from_groups(est, sel);
	else
		select_hosts(est, sel);
	select_admins(est, sel);
	group_hosts(est, sel);
	if (sel->new_node && est->new_node < 0) {
		long acc = hv_estate_find(est, sel->new_node);

		for (size_t h = 0; acc >= 0 && h < est->n_hosts; h++)
			if (est->hosts[h].account == (size_t)acc)
				est->new_node = (long)h;
	}
	(void)err;
	return 0;
}

static void account_release(struct hv_account *acc)
{
	free(acc->name);
	free(acc->sid);
	free(acc->deleg);
	free(acc->odd);
	for (size_t i = 0; i < acc->n_rbcd; i++)
		free(acc->rbcd_sids[i]);
	free(acc->rbcd_sids);
}

void hv_estate_release(struct hv_estate *est)
{
	for (size_t i = 0; i < est->n_accounts; i++)
		account_release(&est->accounts[i]);
	free(est->accounts);
	hv_strmap_release(&est->by_name);
	hv_strmap_release(&est->by_spn);
	free(est->clashes);
	free(est->hosts);
	for (size_t d = 0; d < est->n_domains; d++)
		free(est->domain_names[d]);
	free(est->domain_names);
	free(est->grouping_note);
	free(est->admins);
	for (size_t i = 0; i < est->n_missing; i++)
		free(est->missing[i]);
	free(est->missing);
	memset(est, 0, sizeof(*est));
}

static void free_strings(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void hv_selection_release(struct hv_selection *sel)
{
	free_strings(sel->hosts, sel->n_hosts);
	free_strings(sel->admins, sel->n_admins);
	for (size_t g = 0; g < sel->n_groups; g++) {
		free(sel->groups[g].name);
		free_strings(sel->groups[g].hosts, sel->groups[g].n_hosts);
	}
	free(sel->groups);
	memset(sel, 0, sizeof(*sel));
}

long hv_estate_spn_owner(const struct hv_estate *est, const char *spn)
{
	const char *slash = strchr(spn, '/');
	char *host;
	long acc;

	if (!slash)
		return -1;
	host = hv_strndup(slash + 1, strcspn(slash + 1, ":/"));
	acc = hv_estate_find(est, host);
	free(host);
	return acc >= 0 && est->accounts[acc].is_computer ? acc : -1;
}

void hv_deleg_entry(struct hv_strbuf *sb, unsigned bit,
		    const struct hv_account *target)
{
	hv_strbuf_reset(sb);
	hv_strbuf_addf(sb, "%s/%s", bit & HV_DELEG_VSMS ? HV_SPN_VSMS : "cifs",
		       bit & (HV_DELEG_VSMS_FQDN | HV_DELEG_CIFS_FQDN)
			       ? hv_account_fqdn(target)
			       : target->name);
}
