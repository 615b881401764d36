/* Joins host snapshots to the estate's hosts by name. */
#include "estate/host_settings.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

void hv_host_settings_add(struct hv_host_settings *hs, struct hv_snapshot *snap)
{
	HV_GROW(hs->snaps, hs->n_snaps, hs->cap_snaps);
	hs->snaps[hs->n_snaps++] = *snap;
	memset(snap, 0, sizeof(*snap));
}

/* The account a snapshot names: its host, else its FQDN, else the FQDN's
 * first label (a host may report only "hv01.corp.example.com"). */
static long snapshot_account(const struct hv_estate *est,
			     const struct hv_snapshot *s)
{
	long acc = -1;

	if (s->host)
		acc = hv_estate_find(est, s->host);
	if (acc < 0 && s->fqdn)
		acc = hv_estate_find(est, s->fqdn);
	if (acc < 0 && s->host && strchr(s->host, '.')) {
		char *label = hv_strndup(s->host, strcspn(s->host, "."));

		acc = hv_estate_find(est, label);
		free(label);
	}
	return acc;
}

static void unjoined(struct hv_host_settings *hs, size_t snap,
		     enum hv_snap_unjoined why, long host)
{
	hs->unjoined[hs->n_unjoined] = snap;
	hs->unjoined_host[hs->n_unjoined] = host;
	hs->unjoined_why[hs->n_unjoined++] = why;
}

void hv_host_settings_attach(struct hv_host_settings *hs, struct hv_estate *est)
{
	long *host_of = hv_calloc(est->n_accounts + 1, sizeof(*host_of));

	hs->n_hosts = est->n_hosts;
	hs->by_host = hv_calloc(est->n_hosts + 1, sizeof(*hs->by_host));
	hs->unjoined = hv_calloc(hs->n_snaps + 1, sizeof(*hs->unjoined));
	hs->unjoined_why =
		hv_calloc(hs->n_snaps + 1, sizeof(*hs->unjoined_why));
	hs->unjoined_host =
		hv_calloc(hs->n_snaps + 1, sizeof(*hs->unjoined_host));
	for (size_t i = 0; i < est->n_accounts; i++)
		host_of[i] = -1;
	for (size_t h = 0; h < est->n_hosts; h++) {
		hs->by_host[h] = -1;
		host_of[est->hosts[h].account] = (long)h;
	}
	for (size_t i = 0; i < hs->n_snaps; i++) {
		long acc = snapshot_account(est, &hs->snaps[i]);
		long h = acc < 0 ? -1 : host_of[acc];

		if (!hs->snaps[i].host) {
			unjoined(hs, i, HV_UNJOINED_NO_HOST, -1);
		} else if (acc < 0 || !est->accounts[acc].is_computer) {
			unjoined(hs, i, HV_UNJOINED_UNKNOWN_HOST, -1);
		} else if (h < 0) {
			unjoined(hs, i, HV_UNJOINED_OUT_OF_SCOPE, -1);
		} else if (hs->by_host[h] == -1) {
			hs->by_host[h] = (long)i;
		} else {
			/* the first claimant leaves too, once */
			if (hs->by_host[h] >= 0)
				unjoined(hs, (size_t)hs->by_host[h],
					 HV_UNJOINED_DUPLICATE, h);
			unjoined(hs, i, HV_UNJOINED_DUPLICATE, h);
			hs->by_host[h] = HV_HOST_CONTESTED;
		}
	}
	free(host_of);
	est->settings = hs;
}

const struct hv_snapshot *hv_host_snapshot(const struct hv_estate *est,
					   size_t h)
{
	const struct hv_host_settings *hs = est->settings;

	if (!hs || h >= hs->n_hosts || hs->by_host[h] < 0)
		return NULL;
	return &hs->snaps[hs->by_host[h]];
}

bool hv_host_contested(const struct hv_estate *est, size_t h)
{
	const struct hv_host_settings *hs = est->settings;

	return hs && h < hs->n_hosts && hs->by_host[h] == HV_HOST_CONTESTED;
}

bool hv_host_snapshot_expected(const struct hv_estate *est, size_t h)
{
	const struct hv_account *acc = &est->accounts[est->hosts[h].account];

	return est->settings && !(acc->uac & HV_UAC_ACCOUNTDISABLE);
}

bool hv_host_settings_incomplete(const struct hv_estate *est)
{
	const struct hv_host_settings *hs = est->settings;

	if (!hs)
		return false;
	for (size_t i = 0; i < hs->n_unjoined; i++)
		if (hs->unjoined_why[i] != HV_UNJOINED_OUT_OF_SCOPE)
			return true;
	for (size_t i = 0; i < hs->n_snaps; i++)
		if (hs->snaps[i].n_problems_total)
			return true;
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);

		if (hv_host_snapshot_expected(est, h) && !s)
			return true;
		for (int sec = 0; s && sec < HV_SEC_COUNT; sec++)
			if (hv_snap_section_gap(s,
						(enum hv_snap_section_id)sec))
				return true;
	}
	return false;
}

void hv_host_settings_release(struct hv_host_settings *hs)
{
	for (size_t i = 0; i < hs->n_snaps; i++)
		hv_snapshot_release(&hs->snaps[i]);
	free(hs->snaps);
	free(hs->by_host);
	free(hs->unjoined);
	free(hs->unjoined_why);
	free(hs->unjoined_host);
	memset(hs, 0, sizeof(*hs));
}

bool hv_snap_section_needed(enum hv_snap_section_id id)
{
	/* supported versions fall back to the OS build; Compare-VM runs
	 * only when asked for (-CompareTo); what the host measures itself
	 * is new in collector 1.1 */
	return id < HV_SEC_COUNT && id != HV_SEC_VERSIONS &&
	       id != HV_SEC_COMPARE && id < HV_SEC_DC;
}

bool hv_snap_section_gap(const struct hv_snapshot *s,
			 enum hv_snap_section_id id)
{
	enum hv_snap_state st = s->sec[id].state;

	if (hv_snap_section_needed(id))
		return st != HV_SEC_READ;
	return (id == HV_SEC_CLOCK || id == HV_SEC_REACH) &&
	       (st == HV_SEC_FAILED || st == HV_SEC_BAD);
}
