/* Host-side fixes from the same rules the host checks use
 * (checks/host_rules.h), so the plan fixes exactly what audit reports. */
#include "remedy/host_plan.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "checks/host_rules.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void add(struct hv_host_plan *plan, enum hv_host_act_kind kind,
		const char *host, const char *value, const char *previous,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void add(struct hv_host_plan *plan, enum hv_host_act_kind kind,
		const char *host, const char *value, const char *previous,
		const char *fmt, ...)
{
	struct hv_strbuf why = HV_STRBUF_INIT;
	va_list ap;

	for (size_t i = 0; i < plan->n; i++)
		if (plan->items[i].kind == kind &&
		    strcmp(plan->items[i].host, host) == 0 &&
		    (!value || strcasecmp(plan->items[i].value, value) == 0))
			return;
	va_start(ap, fmt);
	hv_strbuf_vaddf(&why, fmt, ap);
	va_end(ap);
	HV_GROW(plan->items, plan->n, plan->cap);
	plan->items[plan->n++] = (struct hv_host_action){
		kind, host, hv_strdup(value), hv_strdup(previous),
		hv_strbuf_detach(&why)};
}

/* CredSSP is changed where it fails (Credential Guard, remote starts)
 * or where the domain's other hosts use Kerberos. */
static bool credssp_to_change(const struct hv_estate *est, size_t h,
			      const struct hv_snapshot *s)
{
	enum hv_credssp_risk risk = hv_rule_credssp(est, s);
	size_t lo, hi;

	if (!s || s->vmhost.auth.value != HV_AUTH_CREDSSP)
		return false;
	if (risk != HV_CREDSSP_NONE && risk != HV_CREDSSP_START_UNKNOWN)
		return true;
	hv_estate_domain_range(est, est->hosts[h].domain, &lo, &hi);
	for (size_t b = lo; b < hi; b++) {
		const struct hv_snapshot *t = hv_host_snapshot(est, b);

		if (t && t->vmhost.auth.value == HV_AUTH_KERBEROS)
			return true;
	}
	return false;
}

static void disabled_rules(const struct hv_snapshot *s, struct hv_strbuf *out)
{
	for (size_t i = 0; i < s->n_rules; i++)
		if (s->rules[i].enabled == 0 && s->rules[i].name)
			hv_strbuf_addf(out, "%s%s", out->len ? "\x1f" : "",
				       s->rules[i].name);
}

static void host_actions(const struct hv_estate *est, size_t h,
			 struct hv_host_plan *plan)
{
	const struct hv_snapshot *s = hv_host_snapshot(est, h);
	const char *name = hv_host_name(est, h);
	struct hv_strbuf rules = HV_STRBUF_INIT;

	if (hv_rule_migration_off(s))
		add(plan, HV_HACT_ENABLE_MIGRATION, name, NULL, NULL,
		    "%s: enable live migration", name);
	if (credssp_to_change(est, h, s))
		add(plan, HV_HACT_AUTH_KERBEROS, name, NULL, "CredSSP",
		    "%s: migrate with Kerberos instead of CredSSP", name);
	disabled_rules(s, &rules);
	if (rules.len)
		add(plan, HV_HACT_FIREWALL, name, NULL, hv_strbuf_str(&rules),
		    "%s: enable the Hyper-V firewall rules", name);
	hv_strbuf_release(&rules);
	if (hv_rule_vmms_early(s))
		add(plan, HV_HACT_VMMS_DELAYED, name, NULL, "auto",
		    "%s: start VMMS after the NIC team (delayed start)", name);
	if (hv_rule_time_outside(s))
		add(plan, HV_HACT_TIME_DOMHIER, name, NULL,
		    s->time.source.value,
		    "%s: take the time from the domain hierarchy", name);
}

/* The receiving host learns a subnet of each sender it shares none with
 * (incoming moves use the receiver's list). */
static void network_actions(const struct hv_estate *est, size_t b,
			    struct hv_host_plan *plan)
{
	const struct hv_snapshot *sb = hv_host_snapshot(est, b);
	size_t lo, hi;

	hv_estate_domain_range(est, est->hosts[b].domain, &lo, &hi);
	for (size_t a = lo; a < hi; a++) {
		const struct hv_snapshot *sa = hv_host_snapshot(est, a);

		if (!hv_estate_pair_in_scope(est, a, b) ||
		    !hv_rule_networks_disjoint(sa, sb) || !sa->n_networks ||
		    !sa->networks[0].family)
			continue;
		add(plan, HV_HACT_ADD_NETWORK, hv_host_name(est, b),
		    sa->networks[0].text, NULL,
		    "%s: accept migrations on %s (%s's network)",
		    hv_host_name(est, b), sa->networks[0].text,
		    hv_host_name(est, a));
	}
}

void hv_host_plan_build(const struct hv_estate *est, struct hv_host_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	for (size_t h = 0; h < est->n_hosts; h++) {
		if (!hv_host_snapshot(est, h))
			continue;
		host_actions(est, h, plan);
		network_actions(est, h, plan);
	}
}

void hv_host_plan_release(struct hv_host_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->items[i].value);
		free(plan->items[i].previous);
		free(plan->items[i].why);
	}
	free(plan->items);
	memset(plan, 0, sizeof(*plan));
}
