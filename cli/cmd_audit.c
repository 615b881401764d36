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

/* Monitoring-plugin convention: errors 2, warnings 1, else 0. */
static int exit_for(const struct hv_findings *f)
{
	if (hv_findings_count(f, HV_SEV_ERROR))
		return HV_EXIT_ERROR;
	if (hv_findings_count(f, HV_SEV_WARNING))
		return HV_EXIT_WARNING;
	return HV_EXIT_OK;
}

static int run_audit(const struct cli_args *args,
		     const struct cli_globals *globals)
{
	struct cli_sources src;
	struct hv_estate est;
	struct hv_findings findings = {0};
	struct hv_kb kb = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_error err;
	struct hv_style style = {globals->color};
	struct hv_host_settings hosts = {0};
	bool snapshots;
	int load_rc, snap_rc, rc;

	/* with --snapshot, the files after it are snapshots too */
	if (args->n_positional && !cli_count(args, SNAP_FILE)) {
		cli_error("audit: unexpected argument '%s'",
			  args->positional[0]);
		return HV_EXIT_INCOMPLETE;
	}
	if ((rc = cli_load_kb(globals, &kb)) != 0)
		return rc;
	snap_rc = cli_snapshots_load(args, "audit", &hosts, &snapshots);
	load_rc = cli_sources_load(args, "audit", &src);
	/* a damaged LDIF still gets audited for what it holds; the exit
	 * status then says the picture is incomplete */
	if (load_rc && !src.dir.n_entries) {
		cli_sources_release(&src);
		hv_host_settings_release(&hosts);
		hv_kb_release(&kb);
		return load_rc;
	}
	hv_estate_build(&est, &src.dir, &src.sel, &err);
	if (snapshots)
		hv_host_settings_attach(&hosts, &est);
	hv_checks_run_ad(&est, &findings);
	hv_checks_run_hosts(&est, &findings);
	{
		struct hv_audit_view view = {&est, &findings, &kb, src.label};

		if (cli_count(args, OPT_JSON))
			hv_render_audit_json(&out, &view);
		else
			hv_render_audit_text(&out, &view, &style);
	}
	rc = cli_write_stdout(out.buf, out.len);
	if (rc == 0)
		rc = load_rc				 ? load_rc
		     : snap_rc				 ? snap_rc
		     : hv_host_settings_incomplete(&est) ? HV_EXIT_INCOMPLETE
							 : exit_for(&findings);
	hv_strbuf_release(&out);
	hv_findings_release(&findings);
	hv_estate_release(&est);
	hv_host_settings_release(&hosts);
	cli_sources_release(&src);
	hv_kb_release(&kb);
	return rc;
}

const struct cli_command cmd_audit = {
	.name = "audit",
	.run = run_audit,
	.usage = "(--ldap URI | --ldif FILE...) [--hosts H1,H2,...] "
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
	.options = audit_options,
	.shared = cli_source_options,
};
