/* The host-side fixes: from the host snapshots joined to the estate, what
 * to change on each Hyper-V host so that the host checks pass (set the
 * migration authentication to Kerberos, enable migration, add a
 * migration network, delay VMMS's start, enable the Hyper-V firewall
 * rules, follow the domain's time). Each action keeps the value it
 * replaces, so its undo can be written beside it. */
#ifndef HV_HOST_PLAN_H
#define HV_HOST_PLAN_H

#include "estate/host_settings.h"

#include <stddef.h>

enum hv_host_act_kind {
	HV_HACT_ENABLE_MIGRATION,
	HV_HACT_AUTH_KERBEROS,
	HV_HACT_ADD_NETWORK,
	HV_HACT_FIREWALL,
	HV_HACT_VMMS_DELAYED,
	HV_HACT_TIME_DOMHIER,
};

struct hv_host_action {
	enum hv_host_act_kind kind;
	const char *host; /* the estate's name, borrowed */
	char *value;	  /* subnet to add; owned, or NULL */
	char *previous;	  /* what the undo restores; owned, or NULL; the
			     firewall rule names joined by 0x1F */
	char *why;	  /* one line; owned */
};

struct hv_host_plan {
	struct hv_host_action *items;
	size_t n, cap;
};

/* Fills plan from est's snapshots (nothing when there are none). */
void hv_host_plan_build(const struct hv_estate *est, struct hv_host_plan *plan);
/* Frees what plan owns. */
void hv_host_plan_release(struct hv_host_plan *plan);

#endif
