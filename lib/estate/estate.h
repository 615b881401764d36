/* The estate: the Hyper-V hosts and AD accounts as plain data, built once
 * from directory entries (LDIF or LDAP) and never changed by the checks.
 * Delegation entries are resolved here to (target account, which of the
 * four entries) so that the pair checks are a merge of sorted arrays and
 * stay linear in the input even for 10,000 hosts. */
#ifndef HV_ESTATE_H
#define HV_ESTATE_H

#include "sources/directory.h"
#include "base/error.h"
#include "base/strmap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* userAccountControl bits (MS-ADTS 2.2.16) */
#define HV_UAC_ACCOUNTDISABLE 0x2u
#define HV_UAC_NORMAL_ACCOUNT 0x200u
#define HV_UAC_WORKSTATION_TRUST 0x1000u
#define HV_UAC_SERVER_TRUST 0x2000u
#define HV_UAC_TRUSTED_FOR_DELEGATION 0x80000u
#define HV_UAC_NOT_DELEGATED 0x100000u
#define HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION 0x1000000u
#define HV_UAC_PARTIAL_SECRETS 0x4000000u /* read-only DC */

/* The attributes the estate reads, in hv_estate_attributes[] order: what
 * audit fetches, and what apply re-reads to audit after its writes. */
enum hv_attr_id {
	HV_ATTR_SAM,
	HV_ATTR_DNS,
	HV_ATTR_UAC,
	HV_ATTR_SPN,
	HV_ATTR_A2D,
	HV_ATTR_RBCD,
	HV_ATTR_OS,
	HV_ATTR_OS_VERSION,
	HV_ATTR_MEMBER_OF,
	HV_ATTR_SID,
	HV_ATTR_OBJECT_CLASS,
	HV_ATTR_PRIMARY_GROUP,
	HV_ATTR_COUNT
};
#define HV_ATTR_BIT(id) (1u << (id))
/* Attribute names by enum hv_attr_id, NULL-terminated. */
extern const char *const hv_estate_attributes[];
/* What a live search asks for: hv_estate_attributes plus the metadata
 * that dates accounts (whenCreated, whenChanged), which no check needs
 * and an export may lack; NULL-terminated. */
extern const char *const hv_estate_fetch_attributes[];
/* The LDAP filter that finds every account the estate reads: computers
 * are users too in AD's schema, so one search finds hosts, admins and
 * every SPN holder (for the duplicate check). */
extern const char hv_estate_filter[];

/* The service class of live migration's SPN (it contains spaces). */
#define HV_SPN_VSMS "Microsoft Virtual System Migration Service"

/* The four delegation entries one host needs towards another. */
enum hv_deleg_bit {
	HV_DELEG_VSMS_SHORT = 1,
	HV_DELEG_VSMS_FQDN = 2,
	HV_DELEG_CIFS_SHORT = 4,
	HV_DELEG_CIFS_FQDN = 8,
};
#define HV_DELEG_VSMS (HV_DELEG_VSMS_SHORT | HV_DELEG_VSMS_FQDN)
#define HV_DELEG_CIFS (HV_DELEG_CIFS_SHORT | HV_DELEG_CIFS_FQDN)
#define HV_DELEG_ALL (HV_DELEG_VSMS | HV_DELEG_CIFS)

/* Windows Server 2016: remote moves need protocol transition from here */
#define HV_BUILD_WS2016 14393u

struct hv_deleg {
	size_t target; /* account index */
	unsigned bits; /* enum hv_deleg_bit */
};

enum hv_odd_kind {
	HV_ODD_DANGLING,     /* a delegation entry for a host with no account */
	HV_ODD_ESCAPED_TWIN, /* a backslash-escaped copy (Samba test beds) */
	HV_ODD_MALFORMED,    /* a value that could not be read */
};

/* A value of an account that the checks report on as it is. */
struct hv_odd_value {
	enum hv_odd_kind kind; /* decides what checks and plans do */
	const char *attr;      /* static attribute name */
	const char *value;     /* borrowed from the directory */
	const char *why;       /* static reason, for people only */
};

struct hv_account {
	const struct hv_entry *entry; /* borrowed: DN, origin, values */
	const char *sam;	      /* sAMAccountName, may be NULL */
	const char *dns;	      /* dNSHostName, may be NULL */
	char *name;		      /* short name (sam without $), owned */
	uint32_t uac;
	bool uac_known;
	bool is_computer;
	bool is_dc;	     /* a (read-only) domain controller */
	bool named;	     /* named by the admin (--hosts, --domains) */
	bool ambiguous;	     /* another computer answers to a name of it */
	unsigned gaps;	     /* HV_ATTR_BITs its source did not export */
	bool protected_user; /* member of Protected Users, maybe nested */
	/* the memberOf value through which it is (Protected Users itself or
	 * a group in it), borrowed; NULL when it is not */
	const char *protected_via;
	/* a memberOf value whose nesting the input cannot resolve (a group
	 * it lacks), borrowed; NULL when every group was resolved */
	const char *groups_unknown;
	unsigned os_build; /* 0 when unknown */
	const char *os;	   /* operatingSystem, may be NULL */
	/* whenCreated and whenChanged (GeneralizedTime), may be NULL */
	const char *when_created, *when_changed;
	char *sid;		/* "S-1-5-21-…" or NULL; owned */
	bool has_a2d;		/* a constrained list: any value but twins */
	struct hv_deleg *deleg; /* sorted by target */
	size_t n_deleg;
	struct hv_odd_value *odd; /* dangling or odd values */
	size_t n_odd, cap_odd;
	char **rbcd_sids; /* RBCD: who may delegate to it */
	size_t n_rbcd;
	bool has_rbcd;
};

struct hv_spn_clash {
	const char *spn;     /* borrowed from the first holder */
	size_t first, other; /* account indexes */
};

/* An SPN on an account whose host part names another computer (a script
 * that added the peer's SPNs where delegation entries belong). SPNs that
 * also clash are left to the clash list. */
struct hv_misplaced_spn {
	const char *spn; /* borrowed from the directory */
	size_t account;	 /* who holds it */
	size_t owner;	 /* the computer its host part names */
};

/* A name two computer accounts answer to: `kept` holds it as its
 * dNSHostName (or came first), `other` as its short or sAMAccountName.
 * Neither is checked or planned. */
struct hv_name_clash {
	const char *name; /* borrowed from the directory */
	size_t kept, other;
};

struct hv_host {
	size_t account;
	size_t domain;
	const char *name; /* the account's short name, borrowed */
};

enum hv_grouping {
	HV_GROUP_AUTO,	/* connected components of the delegation graph */
	HV_GROUP_ONE,	/* all selected hosts are one domain */
	HV_GROUP_OU,	/* one domain per OU */
	HV_GROUP_LISTS, /* the groups given (--domains FILE) */
};

struct hv_host_group {
	char *name;
	char **hosts;
	size_t n_hosts;
};

/* How to choose the hosts and group them (from the command line). */
struct hv_selection {
	char **hosts; /* --hosts, exact names; NULL: discover */
	size_t n_hosts;
	const char *ou; /* --ou DN */
	/* sAMAccountNames --filter found on the server: candidates, vouched
	 * for as --ou's are; NULL when --filter was not given */
	char **found;
	size_t n_found;
	char **admins; /* --admin */
	size_t n_admins;
	const char *new_node; /* --new-node */
	enum hv_grouping grouping;
	struct hv_host_group *groups; /* for HV_GROUP_LISTS */
	size_t n_groups;
};

struct hv_host_settings;

struct hv_estate {
	const struct hv_directory *dir; /* borrowed; must outlive */
	struct hv_account *accounts;
	size_t n_accounts;
	struct hv_strmap by_name; /* short, FQDN, sAM → account */
	struct hv_strmap by_spn;  /* SPN → first account holding it */
	struct hv_spn_clash *clashes;
	size_t n_clashes, cap_clashes;
	struct hv_misplaced_spn *misplaced;
	size_t n_misplaced, cap_misplaced;
	struct hv_name_clash *ambiguous;
	size_t n_ambiguous, cap_ambiguous;
	unsigned gaps;	       /* HV_ATTR_BITs some source did not export */
	struct hv_host *hosts; /* selected hosts, by domain */
	size_t n_hosts, cap_hosts;
	size_t *host_of; /* account -> host index, or SIZE_MAX */
	size_t *domain_first, *domain_end; /* host index range per domain */
	size_t *unverified; /* candidates nothing vouches for (accounts) */
	size_t n_unverified, cap_unverified;
	size_t *refused; /* named domain controllers (accounts) */
	size_t n_refused, cap_refused;
	char **domain_names;
	size_t n_domains;
	char *grouping_note; /* how domains were formed */
	long new_node;	     /* index into hosts, or -1 */
	size_t *admins;	     /* account indexes */
	size_t n_admins;
	char **missing; /* named hosts/admins not found */
	size_t n_missing, cap_missing;
	bool discovered; /* hosts found by their SPNs */
	/* host snapshots joined to the hosts (estate/host_settings.h);
	 * borrowed, NULL when none were given */
	const struct hv_host_settings *settings;
};

/* Builds the estate from dir (borrowed: keep it alive) and sel. Returns
 * 0, or HV_ERR_USAGE (with the reason in err) when the selection names a
 * domain controller or leaves no Hyper-V host to check; the estate is
 * filled either way and must be released. */
int hv_estate_build(struct hv_estate *est, const struct hv_directory *dir,
		    const struct hv_selection *sel, struct hv_error *err);
/* The account of a name (short, FQDN or sAMAccountName), or -1. */
long hv_estate_find(const struct hv_estate *est, const char *name);
/* The delegation bits account `from` has towards account `to`. */
unsigned hv_estate_deleg_bits(const struct hv_estate *est, size_t from,
			      size_t to);
/* The host index of an account, or SIZE_MAX when it is not a host. */
size_t hv_estate_host_of(const struct hv_estate *est, size_t account);
/* Hosts [*out_first, *out_end) form migration domain `domain`. */
void hv_estate_domain_range(const struct hv_estate *est, size_t domain,
			    size_t *out_first, size_t *out_end);
/* The one rule for which ordered host pairs (host indexes) the checks and
 * the plan look at: two hosts of one domain, and with --new-node only
 * the pairs that include the new node. */
bool hv_estate_pair_in_scope(const struct hv_estate *est, size_t a, size_t b);
/* How many b make (a, b) in scope: counted, never visited. */
size_t hv_estate_peers_in_scope(const struct hv_estate *est, size_t a);
/* True when an account's own problems (SPNs it wrongly holds, ...) are
 * the audit's and the plan's business: a selected host, and with
 * --new-node one in a pair with the new node. */
bool hv_estate_account_selected(const struct hv_estate *est, size_t account);
/* True when host h is in at least one pair in scope. */
bool hv_estate_host_in_scope(const struct hv_estate *est, size_t h);
/* The delegation entries of `bits` that are distinct values for target:
 * without dNSHostName its FQDN is its short name, so the FQDN bits would
 * repeat the short ones. */
unsigned hv_deleg_distinct(const struct hv_account *target, unsigned bits);
/* FQDN of an account: dNSHostName, else the short name. Borrowed. */
const char *hv_account_fqdn(const struct hv_account *acc);
/* True when the account's SPNs include "class/name" for that name. */
bool hv_account_has_spn(const struct hv_estate *est, size_t account,
			const char *service_class, const char *name);
/* Appends (after emptying sb) the delegation entry `bit` (one
 * enum hv_deleg_bit) names towards target, e.g. "cifs/hv02.corp.com". */
struct hv_strbuf;
void hv_deleg_entry(struct hv_strbuf *sb, unsigned bit,
		    const struct hv_account *target);
/* The computer account an SPN's host part names ("HOST/hv01.x" → HV01),
 * or -1: the rightful holder of that SPN. */
long hv_estate_spn_owner(const struct hv_estate *est, const char *spn);
/* True for the DN of Protected Users (CN=Protected Users,...). */
bool hv_is_protected_users_dn(const char *dn);
/* True when the entry is a group (objectClass group). */
bool hv_entry_is_group(const struct hv_entry *e);
/* Frees what est owns (not the directory). */
void hv_estate_release(struct hv_estate *est);
/* Frees the arrays of a selection that hv_selection_* filled. */
void hv_selection_release(struct hv_selection *sel);

#endif
