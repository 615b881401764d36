/* Host settings: the snapshots (sources/snapshot.h) joined to the estate's
 * Hyper-V hosts by name: the snapshot's host or FQDN against each
 * account's short name, sAMAccountName and dNSHostName, ignoring case, as
 * AD compares them. Nothing is guessed: a snapshot whose host AD does not
 * know and one for a host outside the audit are kept aside and reported;
 * when two snapshots claim one host, neither is read for it (a host could
 * otherwise write another's file and win by being given first); a host
 * without a snapshot has none. */
#ifndef HV_HOST_SETTINGS_H
#define HV_HOST_SETTINGS_H

#include "estate/estate.h"
#include "sources/snapshot.h"

#include <stdbool.h>
#include <stddef.h>

/* Who starts the moves (--initiated): CredSSP works only on the source. */
enum hv_initiated {
	HV_INITIATED_UNKNOWN,
	HV_INITIATED_SOURCE,
	HV_INITIATED_REMOTE,
};

/* Why a snapshot was not joined to a host. */
enum hv_snap_unjoined {
	HV_UNJOINED_UNKNOWN_HOST, /* AD has no computer of that name */
	HV_UNJOINED_OUT_OF_SCOPE, /* a computer, not among the audited hosts */
	HV_UNJOINED_DUPLICATE,	  /* two or more snapshots claim the host */
	HV_UNJOINED_NO_HOST,	  /* the file names no host */
};

struct hv_host_settings {
	struct hv_snapshot *snaps; /* owned */
	size_t n_snaps, cap_snaps;
	/* per estate host: index into snaps, -1 none, or
	 * HV_HOST_CONTESTED: two snapshots claim it and neither is read */
	long *by_host;
	size_t n_hosts;
	size_t *unjoined; /* indexes into snaps */
	enum hv_snap_unjoined *unjoined_why;
	long *unjoined_host; /* the estate host it names, or -1 */
	size_t n_unjoined;
	enum hv_initiated initiated;
};

#define HV_HOST_CONTESTED (-2L)

/* Takes snap over (it is left empty; the settings release it). */
void hv_host_settings_add(struct hv_host_settings *hs,
			  struct hv_snapshot *snap);
/* Joins the snapshots to est's hosts and sets est->settings to hs (which
 * must outlive est's use). */
void hv_host_settings_attach(struct hv_host_settings *hs,
			     struct hv_estate *est);
/* The snapshot of estate host h, or NULL. Borrowed from the settings. */
const struct hv_snapshot *hv_host_snapshot(const struct hv_estate *est,
					   size_t h);
/* True when two or more snapshots claim host h (none of them is read:
 * which one tells the truth about it cannot be known). */
bool hv_host_contested(const struct hv_estate *est, size_t h);
/* True when host h is expected to have a snapshot: snapshots were given
 * and its account is not disabled. */
bool hv_host_snapshot_expected(const struct hv_estate *est, size_t h);
/* True when snapshots were given and an expected one is missing, a
 * snapshot joined no host, or one had problems: the host-side verdict
 * the user asked for is incomplete. */
bool hv_host_settings_incomplete(const struct hv_estate *est);
/* True for the sections some host check needs (all but the optional
 * supported_versions and compare). */
bool hv_snap_section_needed(enum hv_snap_section_id id);
/* True when section id of s leaves a check undone: a needed section not
 * read, or a measurement from the host (clock, reachability) that the
 * collector tried and could not make, or that is unreadable. A
 * measurement a snapshot does not have (an older collector, no
 * -CompareTo) was not asked for and leaves no gap. */
bool hv_snap_section_gap(const struct hv_snapshot *s,
			 enum hv_snap_section_id id);
/* Frees everything, the snapshots too. */
void hv_host_settings_release(struct hv_host_settings *hs);

#endif
