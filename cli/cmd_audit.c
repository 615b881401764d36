/* hvdoctor audit: the delegation and SPN picture of every host pair,
 * from a live AD or an LDIF export. */
#include "commands.h"

#include "checks/checks.h"
#include "checks/host_checks.h"
#include "render/render_audit.h"
#include "snapshots.h"
#include "sources.h"

#include <stdlib.h>

enum { OPT_JSON = 1 };

static const struct cli_option audit_options[] = {
	{"json", NULL, "print JSON (schema hvdoctor.audit/1)", OPT_JSON},
	CLI_SNAPSHOT_OPTIONS,
	{NULL, NULL, NULL, 0},
};

/* Monitoring-plugin convention: errors 2, warnings 1, else 0; and 3 when
 * a check that a verdict depends on could not run. */
static int exit_for(const struct hv_findings *f)
{
	if (hv_findings_incomplete(f))
		return HV_EXIT_INCOMPLETE;
	if (hv_findings_count(f, HV_SEV_ERROR))
		return HV_EXIT_ERROR;
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
			     : exit_for(&findings);
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
		 "[--admin USER] [--snapshot FILE...] [--json]",
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
		"pair. Read-only.",
	.needs = CLI_NEEDS_KB | CLI_NEEDS_ESTATE | CLI_NEEDS_DAMAGED_OK,
	.options = audit_options,
	.groups = (const struct cli_option_group *const[]){&cli_source_group,
							   &cli_select_group,
							   NULL},
};
