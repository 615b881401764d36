/* hvdoctor audit: the delegation and SPN picture of every host pair,
 * from a live AD or an LDIF export. */
#include "commands.h"

#include "checks/checks.h"
#include "checks/host_checks.h"
#include "render/render_audit.h"
#include "snapshots.h"
#include "sources.h"

#include <stdlib.h>

enum { OPT_JSON = 1, OPT_AD_ONLY };

static const struct cli_option audit_options[] = {
	{"json", NULL, "print JSON (schema hvdoctor.audit/1)", OPT_JSON},
	{"ad-only", NULL,
	 "the question is AD alone: without --snapshot, exit\n"
	 "0 or 1 when AD allows the pairs (default: 3, since\n"
	 "the hosts' own settings were not checked)",
	 OPT_AD_ONLY},
	CLI_SNAPSHOT_OPTIONS,
	{NULL, NULL, NULL, 0},
};

/* The exit contract: errors 2 (even when other things were not checked);
 * else 3 when a check a verdict depends on could not run, when no pair
 * was in scope, or when the hosts' settings were not read and the
 * question is not AD alone (--ad-only); else warnings 1; else 0. */
static int exit_for(const struct hv_findings *f, const struct hv_estate *est,
		    bool ad_only)
{
	if (hv_findings_count(f, HV_SEV_ERROR))
		return HV_EXIT_ERROR;
	if (hv_findings_incomplete(f) || !hv_audit_pairs_total(est) ||
	    (!est->settings && !ad_only))
		return HV_EXIT_INCOMPLETE;
	if (hv_findings_count(f, HV_SEV_WARNING))
		return HV_EXIT_WARNING;
	return HV_EXIT_OK;
}

static int run_audit(const struct cli_args *args,
		     const struct cli_globals *globals)
{
	struct hv_findings findings = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_style style = {globals->color, globals->width};
	struct hv_audit_view view = {globals->est, &findings, globals->kb,
				     globals->src->label,
				     globals->load_rc != 0};
	struct hv_host_settings hosts = {0};
	bool snapshots;
	int rc, snap_rc;

	/* with --snapshot, the files after it are snapshots too */
	if (args->n_positional && !cli_count(args, SNAP_FILE)) {
		return cli_unexpected_argument("audit", args->positional[0]);
	}
	if (cli_snapshots_initiated(args, "audit", &hosts.initiated))
		return HV_EXIT_INCOMPLETE;
	snap_rc = cli_snapshots_load(args, "audit", &hosts, &snapshots);
	if (snapshots)
		hv_host_settings_attach(&hosts, globals->est);
	hv_checks_run_ad(globals->est, &findings);
	hv_checks_run_hosts(globals->est, &findings);
	if (cli_count(args, OPT_JSON))
		hv_render_audit_json(&out, &view);
	else
		hv_render_audit_text(&out, &view, &style);
	rc = cli_write_stdout(out.buf, out.len);
	if (rc == 0)
		rc = globals->load_rc ? globals->load_rc
		     : snap_rc	      ? snap_rc
		     : hv_host_settings_incomplete(globals->est)
			     ? HV_EXIT_INCOMPLETE
			     : exit_for(&findings, globals->est,
					cli_count(args, OPT_AD_ONLY) > 0);
	hv_strbuf_release(&out);
	hv_findings_release(&findings);
	/* the estate outlives this command; the snapshots do not */
	globals->est->settings = NULL;
	hv_host_settings_release(&hosts);
	return rc;
}

const struct cli_command cmd_audit = {
	.name = "audit",
	.run = run_audit,
	.usage = "(--ldap URI | --ldif FILE [--ldif FILE]) [--hosts H1,H2,...] "
		 "[--admin USER] [--snapshot FILE...] [--ad-only] [--json]",
	.summary = "the delegation and SPN picture of every host pair",
	.description =
		"Reads Active Directory (live over LDAP, or an LDIF export)\n"
		"and tells, for every ordered pair of Hyper-V hosts in a\n"
		"migration domain, whether a live migration can authenticate,\n"
		"and exactly which delegation entry or flag is missing. "
		"Without\n"
		"--hosts, Hyper-V hosts are found by their migration-service\n"
		"SPNs. With --snapshot, each host's own settings (collected\n"
		"by collector/hvdoctor-collect.ps1) are checked too, pair by\n"
		"pair; without it the report says how many pairs AD allows\n"
		"and exits 3 (not checked) unless --ad-only. A pair counts\n"
		"as ready only when both hosts' settings were read.\n"
		"--new-node NAME alone checks NAME with the hosts of its OU\n"
		"(or those named with --hosts or --domains), both ways.\n"
		"Exit: 2 errors, 3 not checked, 1 warnings, 0 clean.\n"
		"Read-only.",
	.needs = CLI_NEEDS_KB | CLI_NEEDS_ESTATE | CLI_NEEDS_DAMAGED_OK,
	.options = audit_options,
	.groups = (const struct cli_option_group *const[]){&cli_source_group,
							   &cli_select_group,
							   NULL},
};
