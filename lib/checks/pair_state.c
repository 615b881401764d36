/* The verdict on one ordered pair, as a matrix cell shows it: ready only
 * when nothing known stands in the way of a Kerberos-authenticated move
 * (the accounts, the four delegation entries, protocol transition on the
 * source, the destination's SPNs). The KDC refuses S4U2Proxy for each of
 * the others (MS-SFU 3.2.5.2), so each is its own state. */
#include "checks/checks.h"

#include <string.h>

bool hv_account_needs_protocol_transition(const struct hv_account *acc)
{
	/* "Kerberos only" is right before 2016; an unknown OS might not be */
	return !acc->os_build || acc->os_build >= HV_BUILD_WS2016;
}

bool hv_account_lacks_protocol_transition(const struct hv_account *acc)
{
	return acc->uac_known &&
	       !(acc->uac & HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION) &&
	       hv_account_needs_protocol_transition(acc);
}

/* "Kerberos only" is a setting of constrained delegation: without a
 * constrained list (unconstrained delegation instead, or nothing) the
 * host lacks the entries, and protocol transition alone fixes nothing. */
bool hv_account_kerberos_only(const struct hv_account *acc)
{
	return acc->has_a2d && hv_account_lacks_protocol_transition(acc);
}

bool hv_account_spns_usable(const struct hv_estate *est, size_t account)
{
	const struct hv_account *acc = &est->accounts[account];
	const char *names[2] = {acc->name, hv_account_fqdn(acc)};

	for (size_t n = 0; n < 2; n++)
		if (!hv_account_has_spn(est, account, HV_SPN_VSMS, names[n]))
			return false;
	for (size_t i = 0; i < est->n_clashes; i++)
		if ((est->clashes[i].first == account ||
		     est->clashes[i].other == account) &&
		    hv_estate_spn_owner(est, est->clashes[i].spn) ==
			    (long)account)
			return false;
	return true;
}

static bool disabled(const struct hv_account *acc)
{
	return acc->uac_known && (acc->uac & HV_UAC_ACCOUNTDISABLE);
}

/* What a pair's verdict reads about each account. */
#define PAIR_NEEDS                                                             \
	(HV_ATTR_BIT(HV_ATTR_A2D) | HV_ATTR_BIT(HV_ATTR_UAC) |                 \
	 HV_ATTR_BIT(HV_ATTR_SPN) | HV_ATTR_BIT(HV_ATTR_DNS))

static bool source_blocked_pt(const struct hv_account *src)
{
	return !(src->uac & HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION) &&
	       hv_account_needs_protocol_transition(src);
}

bool hv_host_ready_as_source(const struct hv_estate *est, size_t h)
{
	const struct hv_account *src = &est->accounts[est->hosts[h].account];

	return !(src->gaps & PAIR_NEEDS) && src->uac_known && !disabled(src) &&
	       !source_blocked_pt(src);
}

bool hv_host_ready_as_target(const struct hv_estate *est, size_t h)
{
	size_t account = est->hosts[h].account;
	const struct hv_account *dst = &est->accounts[account];

	return !(dst->gaps & PAIR_NEEDS) && !disabled(dst) &&
	       hv_account_spns_usable(est, account);
}

enum hv_pair_state hv_pair_state(const struct hv_estate *est, size_t a,
				 size_t b)
{
	size_t from = est->hosts[a].account, to = est->hosts[b].account;
	const struct hv_account *src = &est->accounts[from];
	const struct hv_account *dst = &est->accounts[to];
	unsigned bits = hv_estate_deleg_bits(est, from, to);

	if ((src->gaps | dst->gaps) & PAIR_NEEDS)
		return HV_PAIR_UNKNOWN;
	if (disabled(src) || disabled(dst))
		return HV_PAIR_DISABLED;
	if (!bits)
		return HV_PAIR_NO_DELEGATION;
	if (bits != HV_DELEG_ALL)
		return HV_PAIR_PARTIAL;
	if (!src->uac_known)
		return HV_PAIR_UNKNOWN;
	if (source_blocked_pt(src))
		return HV_PAIR_KERBEROS_ONLY;
	if (!hv_account_spns_usable(est, to))
		return HV_PAIR_TARGET_SPN;
	return HV_PAIR_READY;
}
