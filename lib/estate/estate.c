#include "estate/estate.h"
#include "estate/estate_internal.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "sources/secdesc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const hv_estate_attributes[] = {
	[HV_ATTR_SAM] = "sAMAccountName",
	[HV_ATTR_DNS] = "dNSHostName",
	[HV_ATTR_UAC] = "userAccountControl",
	[HV_ATTR_SPN] = "servicePrincipalName",
	[HV_ATTR_A2D] = "msDS-AllowedToDelegateTo",
	[HV_ATTR_RBCD] = "msDS-AllowedToActOnBehalfOfOtherIdentity",
	[HV_ATTR_OS] = "operatingSystem",
	[HV_ATTR_OS_VERSION] = "operatingSystemVersion",
	[HV_ATTR_MEMBER_OF] = "memberOf",
	[HV_ATTR_SID] = "objectSid",
	[HV_ATTR_OBJECT_CLASS] = "objectClass",
	[HV_ATTR_PRIMARY_GROUP] = "primaryGroupID",
	[HV_ATTR_COUNT] = NULL,
};

const char *const hv_estate_fetch_attributes[] = {
	"sAMAccountName",
	"dNSHostName",
	"userAccountControl",
	"servicePrincipalName",
	"msDS-AllowedToDelegateTo",
	"msDS-AllowedToActOnBehalfOfOtherIdentity",
	"operatingSystem",
	"operatingSystemVersion",
	"memberOf",
	"objectSid",
	"objectClass",
	"primaryGroupID",
	"whenCreated",
	"whenChanged",
	NULL,
};
_Static_assert(sizeof(hv_estate_fetch_attributes) /
			       sizeof(*hv_estate_fetch_attributes) ==
		       HV_ATTR_COUNT + 3,
	       "the fetch list is the estate's attributes plus two");

/* groups too: their memberOf resolves Protected Users through nesting */
const char hv_estate_filter[] = "(|(objectClass=user)(objectClass=group))";

static void add_odd(struct hv_account *acc, enum hv_odd_kind kind,
		    const char *attr, const char *value, const char *why)
{
	HV_GROW(acc->odd, acc->n_odd, acc->cap_odd);
	acc->odd[acc->n_odd++] = (struct hv_odd_value){kind, attr, value, why};
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
		add_odd(acc, HV_ODD_MALFORMED, "userAccountControl", v,
			"not a number");
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
			add_odd(acc, HV_ODD_MALFORMED,
				"msDS-AllowedToActOnBehalfOfOtherIdentity",
				"(binary)", "not a valid security descriptor");
	}
}

/* MS-ADTS 6.1.1.2.x: a DC's account has SERVER_TRUST_ACCOUNT (a read-only
 * DC PARTIAL_SECRETS_ACCOUNT) and the primary group Domain Controllers
 * (516) or Read-only Domain Controllers (521). Either is enough. */
static bool is_domain_controller(const struct hv_account *acc)
{
	const char *group = hv_entry_first(acc->entry, "primaryGroupID");

	if (acc->uac_known &&
	    (acc->uac & (HV_UAC_SERVER_TRUST | HV_UAC_PARTIAL_SECRETS)))
		return true;
	return group &&
	       (strcmp(group, "516") == 0 || strcmp(group, "521") == 0);
}

static void read_account(struct hv_account *acc, const struct hv_entry *e)
{
	size_t len;

	acc->entry = e;
	acc->sam = hv_entry_first(e, "sAMAccountName");
	acc->dns = hv_entry_first(e, "dNSHostName");
	acc->os = hv_entry_first(e, "operatingSystem");
	acc->when_created = hv_entry_first(e, "whenCreated");
	acc->when_changed = hv_entry_first(e, "whenChanged");
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
	read_uac(acc);
	read_sid_and_rbcd(acc);
	acc->is_dc = is_domain_controller(acc);
}

/* An entry without a DN cannot be changed, named or cited: never an
 * account of the estate. */
static bool is_account_entry(const struct hv_entry *e)
{
	if (!e->dn || !e->dn[0] || hv_entry_is_group(e))
		return false;
	return hv_entry_attr(e, "sAMAccountName") ||
	       has_value_ci(e, "objectClass", "computer") ||
	       has_value_ci(e, "objectClass", "user");
}

static void note_ambiguous(struct hv_estate *est, const char *name, size_t kept,
			   size_t other)
{
	for (size_t i = 0; i < est->n_ambiguous; i++)
		if ((est->ambiguous[i].kept == kept &&
		     est->ambiguous[i].other == other) ||
		    (est->ambiguous[i].kept == other &&
		     est->ambiguous[i].other == kept))
			return;
	HV_GROW(est->ambiguous, est->n_ambiguous, est->cap_ambiguous);
	est->ambiguous[est->n_ambiguous++] =
		(struct hv_name_clash){name, kept, other};
	est->accounts[kept].ambiguous = true;
	est->accounts[other].ambiguous = true;
}

/* A name is kept by the first account that claims it; two computers
 * claiming one name is an ambiguity (a user sharing a computer's name
 * is not: a host name never resolves to a user). */
static void index_name(struct hv_estate *est, const char *name, size_t i)
{
	size_t first;

	if (!name ||
	    hv_strmap_put(&est->by_name, name, strlen(name), i, &first) ||
	    first == i)
		return;
	if (est->accounts[first].is_computer && est->accounts[i].is_computer)
		note_ambiguous(est, name, first, i);
}

/* dNSHostName first: a computer whose sAMAccountName is another host's
 * FQDN must not take that FQDN (delegation entries name hosts by it).
 * Then computers' short names, then users. */
static void index_names(struct hv_estate *est)
{
	for (size_t i = 0; i < est->n_accounts; i++)
		if (est->accounts[i].is_computer)
			index_name(est, est->accounts[i].dns, i);
	for (size_t i = 0; i < est->n_accounts; i++) {
		if (!est->accounts[i].is_computer)
			continue;
		index_name(est, est->accounts[i].name, i);
		index_name(est, est->accounts[i].sam, i);
	}
	for (size_t i = 0; i < est->n_accounts; i++) {
		if (est->accounts[i].is_computer)
			continue;
		index_name(est, est->accounts[i].name, i);
		index_name(est, est->accounts[i].sam, i);
		index_name(est, est->accounts[i].dns, i);
	}
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
				add_odd(acc, HV_ODD_ESCAPED_TWIN,
					"servicePrincipalName", val->data,
					"escaped copy of an SPN (a Samba test-"
					"bed workaround; real AD never has "
					"it)");
				continue;
			}
			if (!memchr(val->data, '/', val->len)) {
				add_odd(acc, HV_ODD_MALFORMED,
					"servicePrincipalName", val->data,
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

/* deleg_bit()'s answer for an entry whose host has no account */
#define DELEG_DANGLING 0x100u

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
		return DELEG_DANGLING;
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
			add_odd(acc, HV_ODD_ESCAPED_TWIN,
				"msDS-AllowedToDelegateTo", value,
				"escaped copy of an entry (a Samba test-bed "
				"workaround; not counted as delegation)");
			continue;
		}
		acc->has_a2d = true;
		bit = deleg_bit(est, value, &target, &why);
		if (why)
			add_odd(acc,
				bit == DELEG_DANGLING ? HV_ODD_DANGLING
						      : HV_ODD_MALFORMED,
				"msDS-AllowedToDelegateTo", value, why);
		if (bit == DELEG_DANGLING)
			bit = 0;
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

/* An SPN names another computer when its host part is that computer's
 * name; computed once here for the SPN check and the plan alike. */
static void find_misplaced_spns(struct hv_estate *est)
{
	struct hv_strmap clashed = {0};

	for (size_t c = 0; c < est->n_clashes; c++)
		hv_strmap_put(&clashed, est->clashes[c].spn,
			      strlen(est->clashes[c].spn), c, NULL);
	for (size_t i = 0; i < est->n_accounts; i++) {
		const struct hv_attr *spns = hv_entry_attr(
			est->accounts[i].entry, "servicePrincipalName");

		for (size_t v = 0; spns && v < spns->n_values; v++) {
			const char *spn = spns->values[v].data;
			long owner = hv_estate_spn_owner(est, spn);
			size_t holder;

			if (owner < 0 || owner == (long)i ||
			    memchr(spn, '\\', spns->values[v].len))
				continue;
			/* held first by another account: a clash */
			if (hv_strmap_get(&est->by_spn, spn,
					  spns->values[v].len, &holder) &&
			    holder != i)
				continue;
			if (hv_strmap_get(&clashed, spn, spns->values[v].len,
					  &holder))
				continue;
			HV_GROW(est->misplaced, est->n_misplaced,
				est->cap_misplaced);
			est->misplaced[est->n_misplaced++] =
				(struct hv_misplaced_spn){spn, i,
							  (size_t)owner};
		}
	}
	hv_strmap_release(&clashed);
}

/* LDIF cannot say "empty": an attribute that no entry of a file carries
 * was not exported by that file, and whatever needs it cannot be judged
 * for that file's accounts. A live search asked for every attribute, so
 * there an absent one is empty. */
static void find_gaps(struct hv_estate *est)
{
	struct hv_strmap files = {0};
	unsigned *seen = hv_calloc(est->n_accounts + 1, sizeof(*seen));
	size_t *file_of = hv_calloc(est->n_accounts + 1, sizeof(*file_of));
	size_t n_files = 0;

	if (est->dir->requested || !est->n_accounts)
		goto done;
	for (size_t i = 0; i < est->n_accounts; i++) {
		const struct hv_entry *e = est->accounts[i].entry;
		const char *colon = e->origin ? strrchr(e->origin, ':') : NULL;
		size_t len = colon ? (size_t)(colon - e->origin) : 0;
		size_t f;

		if (hv_strmap_put(&files, e->origin ? e->origin : "", len,
				  n_files, &f))
			f = n_files++;
		file_of[i] = f;
		for (size_t a = 0; a < e->n_attrs; a++)
			for (size_t k = 0; k < HV_ATTR_COUNT; k++)
				if (strcasecmp(e->attrs[a].name,
					       hv_estate_attributes[k]) == 0)
					seen[f] |= HV_ATTR_BIT(k);
	}
	for (size_t i = 0; i < est->n_accounts; i++) {
		unsigned all = HV_ATTR_BIT(HV_ATTR_COUNT) - 1;

		est->accounts[i].gaps = all & ~seen[file_of[i]];
		est->gaps |= est->accounts[i].gaps;
	}
done:
	hv_strmap_release(&files);
	free(file_of);
	free(seen);
}

int hv_estate_build(struct hv_estate *est, const struct hv_directory *dir,
		    const struct hv_selection *sel, struct hv_error *err)
{
	memset(est, 0, sizeof(*est));
	est->dir = dir;
	est->new_node = -1;
	est->accounts = hv_calloc(dir->n_entries + 1, sizeof(*est->accounts));
	for (size_t i = 0; i < dir->n_entries; i++)
		if (is_account_entry(&dir->entries[i]))
			read_account(&est->accounts[est->n_accounts++],
				     &dir->entries[i]);
	find_gaps(est);
	index_names(est);
	index_spns(est);
	find_misplaced_spns(est);
	hv_estate_resolve_groups(est);
	for (size_t i = 0; i < est->n_accounts; i++)
		resolve_delegation(est, i);
	return hv_estate_select(est, sel, err);
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
	free(est->misplaced);
	free(est->ambiguous);
	free(est->hosts);
	free(est->host_of);
	free(est->domain_first);
	free(est->domain_end);
	free(est->unverified);
	free(est->refused);
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
	free_strings(sel->found, sel->n_found);
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

unsigned hv_deleg_distinct(const struct hv_account *target, unsigned bits)
{
	return target->dns ? bits
			   : bits & ~(unsigned)(HV_DELEG_VSMS_FQDN |
						HV_DELEG_CIFS_FQDN);
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
