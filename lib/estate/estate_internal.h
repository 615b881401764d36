/* What estate.c and select.c share; not part of the estate's API. */
#ifndef HV_ESTATE_INTERNAL_H
#define HV_ESTATE_INTERNAL_H

#include "estate/estate.h"

/* Picks, vouches for and groups the hosts of sel among est's accounts
 * (estate.c has read and indexed them). Returns 0, or HV_ERR_USAGE when
 * the selection names a domain controller or leaves no host. */
int hv_estate_select(struct hv_estate *est, const struct hv_selection *sel,
		     struct hv_error *err);

/* Sets protected_user, protected_via and groups_unknown of every user
 * account through the group objects of est->dir (estate/groups.c). */
void hv_estate_resolve_groups(struct hv_estate *est);

#endif
