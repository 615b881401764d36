/* The remediation plan: the exact changes that make every pair of a
 * migration domain able to authenticate, computed from the estate (not
 * from findings, so nothing is lost to their evidence caps). Only what is
 * missing is added; removals happen for duplicate or misplaced SPNs, and
 * for dangling delegation entries only with prune. Renderers turn a plan
 * into PowerShell, LDIF for ldapmodify, and the rollback LDIF. */
#ifndef HV_PLAN_H
#define HV_PLAN_H

#include "estate/estate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hv_action_kind {
	HV_ACT_REMOVE_DELEGATION, /* entries for hosts proven gone (--prune
				     only); one value per action, its proof in
				     why */
	HV_ACT_ADD_DELEGATION,	  /* msDS-AllowedToDelegateTo += values */
	HV_ACT_SET_UAC,		  /* userAccountControl old → new */
	HV_ACT_ADD_SPN,		  /* servicePrincipalName += values */
	HV_ACT_REMOVE_SPN,	  /* servicePrincipalName -= values */
};

struct hv_action {
	enum hv_action_kind kind;
	const char *dn;	     /* borrowed from the directory */
	const char *account; /* short name, borrowed */
	const char *attr;    /* static attribute name */
	char **values;	     /* owned; for the value actions */
	size_t n_values, cap_values;
	uint32_t old_uac, new_uac; /* for HV_ACT_SET_UAC */
	char *why;		   /* one line, owned; may hold AD text */
	long depends_on; /* index of an action that must succeed first, or
			    -1: an SPN is added only after its removal from
			    the account that wrongly holds it */
};

enum hv_plan_services { HV_PLAN_VSMS = 1, HV_PLAN_CIFS = 2 };
enum hv_plan_names {
	HV_PLAN_NAMES_BOTH,
	HV_PLAN_NAMES_FQDN,
	HV_PLAN_NAMES_SHORT
};
enum hv_plan_protocol { HV_PLAN_PROTOCOL_ANY, HV_PLAN_PROTOCOL_KERBEROS };

struct hv_strbuf;

/* What a search for a host name found. */
enum hv_absence {
	HV_NAME_ABSENT,	 /* shown: no account answers to it */
	HV_NAME_PRESENT, /* an account answers to it (an alias, say) */
	HV_NAME_UNKNOWN, /* could not tell */
};
/* Asks whether any account answers to host (a short name or an FQDN, as
 * a delegation entry names it). ABSENT appends to proof how that was
 * shown (one line: what was searched, where), UNKNOWN why it could not
 * be. */
typedef enum hv_absence (*hv_plan_absence_fn)(void *ctx, const char *host,
					      struct hv_strbuf *proof);

struct hv_plan_options {
	unsigned services; /* enum hv_plan_services bits */
	enum hv_plan_names names;
	enum hv_plan_protocol protocol;
	/* --prune: remove delegation entries whose host is proven gone, by
	 * `absent` (NULL: nothing can be proven, nothing goes); names
	 * outside the domain's DNS suffix only when listed in prune_names
	 * (borrowed); cifs/ entries only of hosts the same account also
	 * names for the migration service (else a file server may need
	 * them) */
	bool prune;
	hv_plan_absence_fn absent;
	void *absent_ctx;
	const char **prune_names;
	size_t n_prune_names;
};

struct hv_plan {
	struct hv_action *actions; /* removals listed first */
	size_t n, cap;
	char **warnings; /* for the admin, owned; a command to run ends one,
			  * after "\n\t" (shown on a line of its own) */
	size_t n_warnings, cap_warnings;
	char **hosts; /* hosts to purge tickets on */
	size_t n_hosts;
};

/* The default options: both services, both name forms, any protocol. */
struct hv_plan_options hv_plan_defaults(void);
/* Builds the plan for est; est (and its directory) must outlive it. */
void hv_plan_build(const struct hv_estate *est,
		   const struct hv_plan_options *opts, struct hv_plan *out);
/* Counts the values a plan adds and removes (a UAC change counts 1). */
size_t hv_plan_changes(const struct hv_plan *plan);
/* Counts the distinct objects (DNs) a plan changes: what "N objects" in
 * every report means. */
size_t hv_plan_objects(const struct hv_plan *plan);
/* Frees what the plan owns. */
void hv_plan_release(struct hv_plan *plan);

/* Where a warning's command to run starts (at its "\n\t", see
 * warnings above), or NULL when it names none. */
const char *hv_plan_warning_command(const char *warning);

#endif
