/* hvdoctor plan: the exact changes that make every pair of hosts able to
 * authenticate, as a PowerShell script or LDIF, with a rollback file. */
#include "commands.h"

#include "base/alloc.h"
#include "base/term.h"
#include "plan_options.h"
#include "render/render_host_plan.h"
#include "render/render_plan.h"
#include "snapshots.h"
#include "sources.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { OPT_FORMAT = 1, OPT_OUTPUT, OPT_ROLLBACK };

static const struct cli_option plan_options[] = {
	{"format", "ps1|ldif",
	 "PowerShell for the ActiveDirectory module "
	 "(default) or\nLDIF for ldapmodify",
	 OPT_FORMAT},
	{"output", "FILE",
	 "write the plan to FILE (default: standard "
	 "output)",
	 OPT_OUTPUT},
	{"rollback-output", "FILE",
	 "where the rollback LDIF goes (default: beside "
	 "the plan,\nor hvdoctor-plan-TIME.rollback.ldif)",
	 OPT_ROLLBACK},
	CLI_SNAPSHOT_OPTIONS,
	{NULL, NULL, NULL, 0},
};

static int write_new_file(const char *path, const struct hv_strbuf *text)
{
	if (cli_write_new_file(path, text) == 0)
		return 0;
	cli_error("plan: cannot write %s: %s", path, strerror(errno));
	return HV_EXIT_INCOMPLETE;
}

static char *rollback_path(const struct cli_args *args)
{
	const char *given = cli_value(args, OPT_ROLLBACK);
	const char *output = cli_value(args, OPT_OUTPUT);
	struct hv_strbuf path = HV_STRBUF_INIT;

	if (given)
		return hv_strdup(given);
	if (!output)
		return cli_timestamped_name("hvdoctor-plan", ".rollback.ldif");
	hv_strbuf_addf(&path, "%s.rollback.ldif", output);
	return hv_strbuf_detach(&path);
}

static int emit(const struct cli_args *args, const struct hv_plan_view *view,
		const struct hv_host_plan *hosts)
{
	const char *format = cli_value(args, OPT_FORMAT);
	const char *output = cli_value(args, OPT_OUTPUT);
	struct hv_strbuf text = HV_STRBUF_INIT, undo = HV_STRBUF_INIT;
	char *undo_path = rollback_path(args);
	int rc;

	if (format && strcmp(format, "ldif") == 0) {
		hv_render_plan_ldif(&text, view);
		if (hosts->n)
			cli_error("plan: %zu host setting change%s left out: "
				  "host fixes are PowerShell (--format ps1)",
				  hosts->n, hosts->n == 1 ? "" : "s");
	} else {
		hv_render_plan_ps1(&text, view);
		hv_render_host_plan_ps1(&text, hosts);
	}
	hv_render_plan_rollback(&undo, view);
	/* the rollback only for a plan that was written */
	rc = output ? write_new_file(output, &text)
		    : cli_write_stdout(text.buf, text.len);
	if (rc == 0)
		rc = write_new_file(undo_path, &undo);
	if (rc == 0)
		fprintf(stderr,
			"hvdoctor: plan: %zu change%s on %zu "
			"object%s; rollback in %s\n",
			hv_plan_changes(view->plan),
			hv_plan_changes(view->plan) == 1 ? "" : "s",
			hv_plan_objects(view->plan),
			hv_plan_objects(view->plan) == 1 ? "" : "s", undo_path);
	if (rc == 0 && hosts->n && !(format && strcmp(format, "ldif") == 0))
		fprintf(stderr,
			"hvdoctor: plan: %zu host setting change%s; each "
			"one's undo is the comment above it\n",
			hosts->n, hosts->n == 1 ? "" : "s");
	free(undo_path);
	hv_strbuf_release(&text);
	hv_strbuf_release(&undo);
	return rc;
}

/* --prune removes entries: say which before anything is written. */
static void list_removals(const struct hv_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		const struct hv_action *act = &plan->actions[i];

		if (act->kind != HV_ACT_REMOVE_DELEGATION &&
		    act->kind != HV_ACT_REMOVE_SPN)
			continue;
		for (size_t v = 0; v < act->n_values; v++) {
			char *account = hv_term_dup(act->account);
			char *value = hv_term_dup(act->values[v]);

			fprintf(stderr,
				"hvdoctor: plan removes from %s %s: "
				"'%s'\n",
				account, act->attr, value);
			free(account);
			free(value);
		}
	}
}

static int run_plan(const struct cli_args *args,
		    const struct cli_globals *globals)
{
	struct hv_plan_options opts;
	const struct cli_sources *src = globals->src;
	struct hv_plan plan;
	struct hv_strbuf verify = HV_STRBUF_INIT;
	const char *format = cli_value(args, OPT_FORMAT);
	struct hv_host_settings hosts = {0};
	struct hv_host_plan host_plan;
	bool snapshots;
	int rc;

	/* with --snapshot, the files after it are snapshots too */
	if (args->n_positional && !cli_count(args, SNAP_FILE)) {
		return cli_unexpected_argument("plan", args->positional[0]);
	}
	if (cli_snapshots_initiated(args, "plan", &hosts.initiated))
		return HV_EXIT_INCOMPLETE;
	if (format && strcmp(format, "ps1") != 0 &&
	    strcmp(format, "ldif") != 0) {
		cli_error("plan: --format takes ps1 or ldif");
		return HV_EXIT_INCOMPLETE;
	}
	if ((rc = cli_plan_options(args, "plan", &opts)) != 0)
		return rc;
	/* a fix from a damaged snapshot could undo what it cannot see */
	if ((rc = cli_snapshots_load(args, "plan", &hosts, &snapshots)) != 0) {
		hv_host_settings_release(&hosts);
		return rc;
	}
	if (snapshots)
		hv_host_settings_attach(&hosts, globals->est);
	hv_host_plan_build(globals->est, &host_plan);
	hv_plan_build(globals->est, &opts, &plan);
	list_removals(&plan);
	for (size_t i = 0; i < plan.n_warnings; i++)
		cli_warning("plan", plan.warnings[i]);
	hv_strbuf_addf(&verify, "hvdoctor audit %s %s%s",
		       src->ldap ? "--ldap" : "--ldif", src->label,
		       src->sel.hosts || src->sel.ou || src->sel.new_node ||
				       src->sel.grouping != HV_GROUP_AUTO
			       ? " (with the same host selection)"
			       : "");
	{
		struct hv_plan_view view = {&plan, src->label, verify.buf};

		rc = emit(args, &view, &host_plan);
	}
	hv_strbuf_release(&verify);
	hv_plan_release(&plan);
	hv_host_plan_release(&host_plan);
	/* the estate outlives this command; the snapshots do not */
	globals->est->settings = NULL;
	hv_host_settings_release(&hosts);
	return rc;
}

const struct cli_command cmd_plan = {
	.name = "plan",
	.run = run_plan,
	.needs = CLI_NEEDS_ESTATE | CLI_NEEDS_COMPLETE,
	.usage = "(--ldap URI | --ldif FILE [--ldif FILE]) [--hosts ...] "
		 "[--format ps1|ldif] [--protocol any|kerberos] "
		 "[--snapshot FILE...]",
	.summary = "write the fix: PowerShell or LDIF, with a rollback file",
	.description =
		"Writes exactly the missing delegation entries, protocol\n"
		"transition flags and SPNs for every ordered pair of hosts of\n"
		"each migration domain (same sources and host selection as\n"
		"audit), as an idempotent PowerShell script with -WhatIf or "
		"as\n"
		"LDIF for ldapmodify, and always a rollback LDIF with the\n"
		"previous values. It only adds what is missing; it removes\n"
		"duplicate or misplaced SPNs, and delegation entries only "
		"with\n"
		"--prune. It changes nothing itself. Exit status 0 when the\n"
		"plan was written, 3 when it could not be.",
	.options = plan_options,
	.groups = (const struct cli_option_group *const[]){&cli_plan_group,
							   &cli_source_group,
							   &cli_select_group,
							   NULL},
};
