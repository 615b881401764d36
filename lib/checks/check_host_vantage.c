/* Host checks on what a host measured from itself (the collector's
 * domain_controller, clock and reachability sections): a migration
 * network is often a VLAN that the machine running hvdoctor cannot reach,
 * so these facts hold only from the host's own vantage, and each finding
 * says which host measured it. */
#include "checks/host_checks.h"
#include "checks/host_rules.h"
#include "checks/probe_verdict.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PORT_MIGRATION 6600
#define PORT_SMB 445

/* One attempt of host a, with the estate host its peer names. */
struct attempt {
	size_t host; /* estate host of the peer */
	const struct hv_snap_reach *r;
};

static int by_host_port(const void *x, const void *y)
{
	const struct attempt *a = x, *b = y;

	if (a->host != b->host)
		return a->host < b->host ? -1 : 1;
	if (a->r->port != b->r->port)
		return a->r->port < b->r->port ? -1 : 1;
	return 0;
}

/* The estate host a name (short, FQDN) names, or -1. */
static long host_named(const struct hv_estate *est, const long *host_of,
		       const char *name)
{
	long acc = hv_estate_find(est, name);

	if (acc < 0 && strchr(name, '.')) {
		char *label = hv_strndup(name, strcspn(name, "."));

		acc = hv_estate_find(est, label);
		free(label);
	}
	return acc < 0 ? -1 : host_of[acc];
}

/* Of the attempts on one port of one peer: none open, the one that says
 * most (refused before timed out before the rest), else NULL. */
static const struct hv_snap_reach *blocked(const struct attempt *at, size_t n)
{
	static const int rank[] = {
		[HV_REACH_OPEN] = 0,	   [HV_REACH_REFUSED] = 4,
		[HV_REACH_TIMEOUT] = 3,	   [HV_REACH_ERROR] = 2,
		[HV_REACH_UNRESOLVED] = 1,
	};
	const struct hv_snap_reach *worst = NULL;

	for (size_t i = 0; i < n; i++) {
		if (at[i].r->result == HV_REACH_OPEN)
			return NULL;
		if (!worst || rank[at[i].r->result] > rank[worst->result])
			worst = at[i].r;
	}
	return worst;
}

static const char *cause_of(const struct hv_snap_reach *r)
{
	if (r->result == HV_REACH_UNRESOLVED)
		return "host-name-unresolved";
	if (r->port == PORT_SMB)
		return "smb-445-blocked";
	return r->result == HV_REACH_REFUSED   ? "port-6600-refused"
	       : r->result == HV_REACH_TIMEOUT ? "port-6600-filtered"
					       : "port-closed-other";
}

static const char *result_words(const struct hv_snap_reach *r)
{
	switch (r->result) {
	case HV_REACH_REFUSED:
		return "refused (nothing listens)";
	case HV_REACH_TIMEOUT:
		return "no answer (dropped on the way)";
	case HV_REACH_UNRESOLVED:
		return "its name did not resolve";
	default:
		return r->message ? r->message : "a socket error";
	}
}

static void reach_finding(const struct hv_estate *est, size_t a,
			  const struct hv_snapshot *s, const struct attempt *at,
			  size_t n, const struct hv_snap_reach *r,
			  struct hv_findings *out)
{
	/* SMB carries the memory only with performance option SMB; else
	 * 445 serves storage moves and the cluster's own traffic */
	enum hv_severity sev =
		r->port == PORT_SMB && s->vmhost.perf.value != HV_PERF_SMB
			? HV_SEV_WARNING
			: HV_SEV_ERROR;
	struct hv_strbuf fix = HV_STRBUF_INIT;
	struct hv_finding *f;

	f = hv_findings_add(
		out, cause_of(r), sev, "reachability", hv_host_name(est, a),
		"cannot open TCP %lld on %s: %s (measured from "
		"%s itself, %s%s)",
		(long long)r->port, hv_host_name(est, at[0].host),
		result_words(r), hv_host_name(est, a),
		r->local ? "from " : "unbound", r->local ? r->local : "");
	f->target = hv_strdup(hv_host_name(est, at[0].host));
	f->n_targets = 1;
	for (size_t i = 0; i < n; i++)
		hv_snap_evidence(
			f, s, &at[i].r->at,
			at[i].r->result == HV_REACH_TIMEOUT   ? "timed out"
			: at[i].r->result == HV_REACH_REFUSED ? "refused"
							      : "not open");
	hv_fix_name(&fix, hv_host_name(est, at[0].host));
	hv_finding_fix(
		f, "on %s: Test-NetConnection -ComputerName %s -Port %lld",
		hv_host_name(est, a), hv_strbuf_str(&fix), (long long)r->port);
	hv_strbuf_release(&fix);
}

static void host_reach(const struct hv_estate *est, const long *host_of,
		       size_t a, const struct hv_snapshot *s,
		       struct hv_findings *out)
{
	struct attempt *at = hv_calloc(s->n_reach + 1, sizeof(*at));
	size_t n = 0;

	for (size_t i = 0; i < s->n_reach; i++) {
		long b = host_named(est, host_of, s->reach[i].peer);

		/* a peer the audit does not take in is not judged */
		if (b >= 0 && (size_t)b != a &&
		    (s->reach[i].port == PORT_MIGRATION ||
		     s->reach[i].port == PORT_SMB))
			at[n++] = (struct attempt){(size_t)b, &s->reach[i]};
	}
	qsort(at, n, sizeof(*at), by_host_port);
	for (size_t i = 0, end; i < n; i = end) {
		const struct hv_snap_reach *worst;

		for (end = i + 1;
		     end < n && by_host_port(&at[i], &at[end]) == 0; end++)
			;
		worst = blocked(at + i, end - i);
		if (worst)
			reach_finding(est, a, s, at + i, end - i, worst, out);
	}
	free(at);
}

void hv_check_host_reachability(const struct hv_estate *est,
				struct hv_findings *out)
{
	long *host_of = hv_calloc(est->n_accounts + 1, sizeof(*host_of));

	for (size_t i = 0; i < est->n_accounts; i++)
		host_of[i] = -1;
	for (size_t h = 0; h < est->n_hosts; h++)
		host_of[est->hosts[h].account] = (long)h;
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, a);

		if (s && s->n_reach)
			host_reach(est, host_of, a, s, out);
	}
	free(host_of);
}

/* Kerberos refuses tickets past the domain's MaxClockSkew (5 minutes by
 * default, RFC 4120 section 1.6 and [MS-GPSB]); probe warns from a
 * minute, and so does this. */
#define WARN_SECONDS ((double)HV_SKEW_WARNING_NS / (double)HV_NS_PER_SEC)
#define ERROR_SECONDS ((double)HV_SKEW_ERROR_NS / (double)HV_NS_PER_SEC)

void hv_check_host_clock(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, h);
		const char *dc;
		double mag;
		char num[48];
		struct hv_finding *f;

		if (!s || !s->clock.known)
			continue;
		mag = fabs(s->clock.offset);
		if (mag < WARN_SECONDS)
			continue;
		dc = s->clock.server.value ? s->clock.server.value
		     : s->dc.name.value	   ? s->dc.name.value
					   : "its DC";
		f = hv_findings_add(
			out, "clock-skew",
			mag >= ERROR_SECONDS ? HV_SEV_ERROR : HV_SEV_WARNING,
			"host-clock", hv_host_name(est, h),
			"is %.1f s off %s, the DC it uses (measured from %s "
			"itself with w32tm /stripchart)%s",
			s->clock.offset, dc, hv_host_name(est, h),
			mag >= ERROR_SECONDS
				? ": past Kerberos' 5 minutes, its tickets "
				  "are refused"
				: "");
		snprintf(num, sizeof(num), "%.3f s", s->clock.offset);
		hv_snap_evidence(f, s, &s->clock.at, num);
		if (s->dc.name.value)
			hv_snap_evidence(f, s, &s->dc.name.at,
					 s->dc.name.value);
		hv_finding_fix(f, "on %s: w32tm /resync /rediscover",
			       hv_host_name(est, h));
	}
}
