/* hvdoctor apply: writes the plan to AD over LDAP. Without --yes it only
 * shows the plan. With --yes: a fresh read of every object the plan
 * touches, a backup of those values on disk, then one atomic modify per
 * action (RFC 4511 4.6) that states the exact old value it replaces, so a
 * concurrent change makes it fail instead of being overwritten. A refused
 * action stops only the actions that depend on it (an SPN added after its
 * removal elsewhere); the independent ones are still written, and the
 * refused one is reported with the step to do by hand. Then every value
 * is read back, and the AD checks run again on a fresh read of the
 * directory (DESIGN.md, Safety). */
#include "commands.h"

#include "apply_common.h"
#include "checks/checks.h"
#include "base/alloc.h"
#include "plan_options.h"
#include "base/quote.h"
#include "base/strmap.h"
#include "render/render_plan.h"
#include "sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct cli_option apply_options[] = {
	{"yes", NULL,
	 "write to AD (without it nothing changes: the plan\n"
	 "is shown)",
	 APPLY_YES},
	{"backup", "FILE",
	 "where the backup of the old values goes (default:"
	 "\nhvdoctor-backup-TIME.ldif; never overwritten)",
	 APPLY_BACKUP},
	{"rollback", "FILE",
	 "restore the values of a backup instead of "
	 "applying\nthe plan",
	 APPLY_ROLLBACK},
	{NULL, NULL, NULL, 0},
};

/* Every attribute a plan action changes. */
static const char *const plan_attributes[] = {
	"msDS-AllowedToDelegateTo",
	"userAccountControl",
	"servicePrincipalName",
	NULL,
};

enum action_state {
	ACTION_PENDING,
	ACTION_APPLIED,
	ACTION_FAILED,
	ACTION_SKIPPED, /* an action it depends on failed */
};

struct apply_state {
	const struct hv_plan *plan;
	struct hv_ldap *ld;
	const char *uri;  /* as given with --ldap, for hints */
	const char **dns; /* distinct DNs in plan order, borrowed */
	size_t n_dns;
	struct hv_directory before; /* the fresh read before writing */
	enum action_state *state;   /* per action */
	char **refusal;		    /* per failed action: what AD said */
	size_t applied, failed, skipped;
	char *backup; /* the backup's path */
};

static bool is_add(const struct hv_action *act)
{
	return act->kind == HV_ACT_ADD_DELEGATION ||
	       act->kind == HV_ACT_ADD_SPN;
}

/* "HV03 msDS-AllowedToDelegateTo +4" */
static void summary(struct hv_strbuf *out, const struct hv_action *act)
{
	hv_quote_comment(out, act->account);
	if (act->kind == HV_ACT_SET_UAC)
		hv_strbuf_addf(out, " userAccountControl %u -> %u",
			       act->old_uac, act->new_uac);
	else
		hv_strbuf_addf(out, " %s %c%zu", act->attr,
			       is_add(act) ? '+' : '-', act->n_values);
}

/* The distinct DNs in plan order (a map keeps it linear in the plan). */
static void collect_dns(struct apply_state *st)
{
	struct hv_strmap seen = {0};

	st->dns = hv_calloc(st->plan->n + 1, sizeof(*st->dns));
	for (size_t i = 0; i < st->plan->n; i++) {
		const char *dn = st->plan->actions[i].dn;

		if (hv_strmap_put(&seen, dn, strlen(dn), i, NULL))
			st->dns[st->n_dns++] = dn;
	}
	hv_strmap_release(&seen);
}

enum side { BEFORE, AFTER };

/* The first value of an action that the object `now` does not show as it
 * should BEFORE the write (values to add absent, values to remove there,
 * the old userAccountControl) or AFTER it (the opposite, the new one), or
 * NULL when it shows all; a userAccountControl value is written into
 * uac. */
static const char *mismatch(const struct hv_action *act,
			    const struct hv_entry *now, enum side side,
			    char uac[16])
{
	const struct hv_attr *attr = now ? hv_entry_attr(now, act->attr) : NULL;
	bool want_present = is_add(act) == (side == AFTER);

	if (act->kind == HV_ACT_SET_UAC) {
		const char *have = now ? hv_entry_first(now, act->attr) : NULL;

		snprintf(uac, 16, "%u",
			 side == AFTER ? act->new_uac : act->old_uac);
		return have && strcmp(have, uac) == 0 ? NULL : uac;
	}
	for (size_t v = 0; v < act->n_values; v++)
		if (hv_backup_has_value(attr, act->values[v],
					strlen(act->values[v])) != want_present)
			return act->values[v];
	return NULL;
}

static const char *drift(const struct hv_action *act,
			 const struct hv_entry *now)
{
	char uac[16];

	if (!mismatch(act, now, BEFORE, uac))
		return NULL;
	if (act->kind == HV_ACT_SET_UAC)
		return "its userAccountControl changed";
	return is_add(act) ? "a value to add is there already"
			   : "a value to remove is gone";
}

static int check_drift(const struct apply_state *st)
{
	int rc = 0;

	for (size_t i = 0; i < st->plan->n; i++) {
		const struct hv_action *act = &st->plan->actions[i];
		const char *why =
			drift(act, hv_backup_find(&st->before, act->dn));
		struct hv_strbuf what = HV_STRBUF_INIT;

		if (!why)
			continue;
		summary(&what, act);
		cli_error("apply: %s: %s since the plan was made; nothing was "
			  "changed: run apply again",
			  what.buf, why);
		hv_strbuf_release(&what);
		rc = HV_EXIT_INCOMPLETE;
	}
	return rc;
}

static int take_backup(struct apply_state *st)
{
	return apply_write_plan_backup(st->backup, st->plan, &st->before,
				       st->uri);
}

/* One action, one modify. A UAC change deletes the exact old value and
 * adds the new one in the same request: if the value moved on meanwhile,
 * AD refuses the delete and nothing happens (RFC 4511 4.6). */
static int write_action(struct apply_state *st, const struct hv_action *act,
			struct hv_error *err)
{
	struct hv_ldap_change change[2];
	struct hv_value *vals = hv_calloc(act->n_values + 2, sizeof(*vals));
	char old_uac[16], new_uac[16];
	size_t n = 1;
	int rc;

	for (size_t v = 0; v < act->n_values; v++)
		vals[v] = (struct hv_value){act->values[v],
					    strlen(act->values[v])};
	change[0] = (struct hv_ldap_change){is_add(act) ? HV_LDAP_ADD_VALUES
							: HV_LDAP_DELETE_VALUES,
					    act->attr, vals, act->n_values};
	if (act->kind == HV_ACT_SET_UAC) {
		snprintf(old_uac, sizeof(old_uac), "%u", act->old_uac);
		snprintf(new_uac, sizeof(new_uac), "%u", act->new_uac);
		vals[0] = (struct hv_value){old_uac, strlen(old_uac)};
		vals[1] = (struct hv_value){new_uac, strlen(new_uac)};
		change[0] = (struct hv_ldap_change){HV_LDAP_DELETE_VALUES,
						    act->attr, &vals[0], 1};
		change[1] = (struct hv_ldap_change){HV_LDAP_ADD_VALUES,
						    act->attr, &vals[1], 1};
		n = 2;
	}
	rc = hv_ldap_modify(st->ld, act->dn, change, n, err);
	free(vals);
	return rc;
}

static void write_all(struct apply_state *st)
{
	size_t n = st->plan->n;

	st->state = hv_calloc(n + 1, sizeof(*st->state));
	st->refusal = hv_calloc(n + 1, sizeof(*st->refusal));
	for (size_t i = 0; i < n; i++) {
		const struct hv_action *act = &st->plan->actions[i];
		struct hv_strbuf what = HV_STRBUF_INIT;
		struct hv_error err;
		char msg[2048];

		if (act->depends_on >= 0 &&
		    st->state[act->depends_on] != ACTION_APPLIED) {
			st->state[i] = ACTION_SKIPPED;
			st->skipped++;
			continue;
		}
		summary(&what, act);
		fprintf(stderr, "hvdoctor: applying %zu/%zu: %s\n", i + 1, n,
			what.buf);
		hv_strbuf_release(&what);
		hv_error_clear(&err);
		if (write_action(st, act, &err) < 0) {
			hv_error_format(&err, msg, sizeof(msg));
			st->refusal[i] = hv_strdup(msg);
			st->state[i] = ACTION_FAILED;
			st->failed++;
			continue;
		}
		st->state[i] = ACTION_APPLIED;
		st->applied++;
	}
}

/* The step an admin takes by hand for a refused action: the same change
 * with the ActiveDirectory module (values quoted for PowerShell). */
static void manual_step(struct hv_strbuf *out, const struct hv_action *act)
{
	const char *verb = is_add(act) ? "-Add" : "-Remove";

	hv_strbuf_adds(out, "                 by hand: ");
	if (act->kind == HV_ACT_SET_UAC) {
		hv_strbuf_adds(out, "Set-ADAccountControl -Identity ");
		hv_quote_ps(out, act->account);
		hv_strbuf_adds(out, " -TrustedToAuthForDelegation $true\n");
		return;
	}
	hv_strbuf_adds(out, "Set-ADObject -Identity ");
	hv_quote_ps(out, act->dn);
	hv_strbuf_addf(out, " %s @{'%s'=@(", verb, act->attr);
	for (size_t v = 0; v < act->n_values; v++) {
		if (v)
			hv_strbuf_adds(out, ", ");
		hv_quote_ps(out, act->values[v]);
	}
	hv_strbuf_adds(out, ")}\n");
}

static void list_values(struct hv_strbuf *out, const struct hv_action *act)
{
	for (size_t v = 0; v < act->n_values; v++) {
		hv_strbuf_addf(out, "                 %c ",
			       is_add(act) ? '+' : '-');
		apply_quote(out, act->values[v], strlen(act->values[v]));
		hv_strbuf_addch(out, '\n');
	}
}

static const char *state_label(enum action_state state)
{
	switch (state) {
	case ACTION_APPLIED:
		return "applied";
	case ACTION_FAILED:
		return "FAILED";
	case ACTION_SKIPPED:
		return "skipped";
	case ACTION_PENDING:
		break;
	}
	return "not attempted";
}

static void report_actions(struct hv_strbuf *out, const struct apply_state *st)
{
	size_t n = st->plan->n;

	hv_strbuf_adds(out, "hvdoctor apply: ");
	hv_quote_comment(out, hv_ldap_uri(st->ld));
	hv_strbuf_addf(out, "\nbackup: %s\n\n", st->backup);
	for (size_t i = 0; i < n; i++) {
		const struct hv_action *act = &st->plan->actions[i];

		hv_strbuf_addf(out, "%-15s", state_label(st->state[i]));
		summary(out, act);
		hv_strbuf_adds(out, " (");
		hv_quote_comment(out, act->why);
		hv_strbuf_adds(out, ")\n");
		list_values(out, act);
		if (st->state[i] == ACTION_SKIPPED)
			hv_strbuf_addf(out,
				       "                 needs action %ld, "
				       "which was not applied\n",
				       act->depends_on + 1);
		if (st->state[i] != ACTION_FAILED)
			continue;
		hv_strbuf_adds(out, "                 AD said: ");
		hv_quote_comment(out, st->refusal[i]);
		hv_strbuf_addch(out, '\n');
		manual_step(out, act);
	}
	hv_strbuf_addf(out,
		       "\n%zu of %zu action%s applied, %zu failed, %zu "
		       "skipped\n",
		       st->applied, n, n == 1 ? "" : "s", st->failed,
		       st->skipped);
}

/* Reads every changed object again and checks each applied value. */
static int verify(struct apply_state *st, struct hv_strbuf *out)
{
	struct hv_directory after = {0};
	size_t bad = 0, values = 0;
	int rc = apply_read_objects(st->ld, st->dns, st->n_dns, plan_attributes,
				    &after);

	for (size_t i = 0; rc == 0 && i < st->plan->n; i++) {
		const struct hv_action *act = &st->plan->actions[i];
		char uac[16];
		const char *miss;

		if (st->state[i] != ACTION_APPLIED)
			continue;
		miss = mismatch(act, hv_backup_find(&after, act->dn), AFTER,
				uac);
		values += act->kind == HV_ACT_SET_UAC ? 1 : act->n_values;
		if (!miss)
			continue;
		bad++;
		hv_strbuf_adds(out, "NOT VERIFIED   ");
		summary(out, act);
		hv_strbuf_adds(out, is_add(act) || act->kind == HV_ACT_SET_UAC
					    ? ": missing "
					    : ": still there ");
		apply_quote(out, miss, strlen(miss));
		hv_strbuf_addch(out, '\n');
	}
	if (rc == 0 && !bad)
		hv_strbuf_addf(out,
			       "verified: all %zu value%s read back as "
			       "planned\n",
			       values, values == 1 ? "" : "s");
	if (bad)
		cli_error("apply: %zu change%s did not read back as written; "
			  "the backup %s holds the old values",
			  bad, bad == 1 ? "" : "s", st->backup);
	hv_directory_clear(&after);
	return rc ? rc : bad ? HV_EXIT_INCOMPLETE : 0;
}

static bool planned_host(const struct hv_plan *plan, const char *name)
{
	for (size_t i = 0; name && i < plan->n_hosts; i++)
		if (strcasecmp(plan->hosts[i], name) == 0)
			return true;
	return false;
}

static void report_findings(struct hv_strbuf *out, const struct hv_findings *f,
			    const struct hv_plan *plan, size_t *out_err,
			    size_t *out_warn)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct hv_finding *it = &f->items[i];

		if (it->severity == HV_SEV_INFO ||
		    !planned_host(plan, it->source))
			continue;
		*(it->severity == HV_SEV_ERROR ? out_err : out_warn) += 1;
		hv_strbuf_addf(out, "  %s %s ",
			       it->severity == HV_SEV_ERROR ? "error"
							    : "warning",
			       it->cause);
		hv_quote_comment(out, it->source);
		hv_strbuf_adds(out, ": ");
		hv_quote_comment(out, it->message);
		hv_strbuf_addch(out, '\n');
	}
}

/* The AD checks again, on a fresh read of the whole directory with the
 * same host selection: success means the changed hosts are clean. */
static int audit_after(struct apply_state *st, const struct cli_sources *src,
		       struct hv_strbuf *out)
{
	struct hv_directory dir = {0};
	struct hv_estate est;
	struct hv_findings f = {0};
	struct hv_strbuf body = HV_STRBUF_INIT;
	struct hv_error err;
	size_t n_err = 0, n_warn = 0;

	if (hv_ldap_search(st->ld, NULL, HV_LDAP_SCOPE_SUBTREE,
			   hv_estate_filter, hv_estate_attributes, &dir,
			   &err) < 0) {
		apply_error("cannot read the directory again to audit it",
			    &err);
		hv_directory_clear(&dir);
		return HV_EXIT_INCOMPLETE;
	}
	dir.requested = hv_estate_attributes;
	hv_estate_build(&est, &dir, &src->sel, &err);
	hv_checks_run_ad(&est, &f);
	report_findings(&body, &f, st->plan, &n_err, &n_warn);
	if (!n_err && !n_warn)
		hv_strbuf_adds(out, "audit of the changed hosts (fresh read): "
				    "clean\n");
	else
		hv_strbuf_addf(out,
			       "audit of the changed hosts (fresh read): "
			       "%zu error%s, %zu warning%s\n%s",
			       n_err, n_err == 1 ? "" : "s", n_warn,
			       n_warn == 1 ? "" : "s", body.buf);
	hv_strbuf_release(&body);
	hv_findings_release(&f);
	hv_estate_release(&est);
	hv_directory_clear(&dir);
	return n_err ? HV_EXIT_ERROR : n_warn ? HV_EXIT_WARNING : HV_EXIT_OK;
}

/* Without --yes: the plan as LDIF, and nothing written anywhere. */
static int dry_run(const struct apply_state *st, const struct cli_sources *src)
{
	const struct hv_plan *plan = st->plan;
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_plan_view view = {plan, src->label, NULL};
	int rc;

	hv_render_plan_ldif(&text, &view);
	rc = cli_write_stdout(text.buf, text.len);
	hv_strbuf_release(&text);
	if (rc == 0)
		fprintf(stderr,
			"hvdoctor: apply: nothing was changed (no "
			"--yes). With --yes these %zu change%s on %zu "
			"object%s are written, after a backup.\n",
			hv_plan_changes(plan),
			hv_plan_changes(plan) == 1 ? "" : "s", st->n_dns,
			st->n_dns == 1 ? "" : "s");
	return rc;
}

static void hint_rollback(const struct apply_state *st)
{
	cli_error("apply: %zu of %zu actions applied, %zu refused, %zu "
		  "skipped. The backup restores the old values:\n  hvdoctor "
		  "apply --ldap %s --rollback %s --yes",
		  st->applied, st->plan->n, st->failed, st->skipped, st->uri,
		  st->backup);
}

/* Read again, back up, write, report, verify, audit. */
static int write_plan(struct apply_state *st, const struct cli_sources *src)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	int rc = apply_read_objects(st->ld, st->dns, st->n_dns, plan_attributes,
				    &st->before);

	if (rc == 0)
		rc = check_drift(st);
	if (rc == 0)
		rc = take_backup(st);
	if (rc)
		return rc;
	write_all(st);
	report_actions(&out, st);
	rc = verify(st, &out);
	if (rc == 0 && !st->failed)
		rc = audit_after(st, src, &out);
	if (st->failed) {
		hint_rollback(st);
		rc = HV_EXIT_INCOMPLETE;
	}
	if (cli_write_stdout(out.buf, out.len))
		rc = HV_EXIT_INCOMPLETE;
	hv_strbuf_release(&out);
	return rc;
}

static int apply_plan(const struct cli_args *args,
		      const struct hv_plan_options *opts)
{
	struct cli_sources src;
	struct hv_estate est;
	struct hv_plan plan;
	struct apply_state st = {0};
	int rc = cli_sources_load(args, "apply", &src);

	if (rc) {
		cli_sources_release(&src);
		return rc;
	}
	if ((rc = cli_estate_build(&est, &src, "apply", true)) != 0) {
		hv_estate_release(&est);
		cli_sources_release(&src);
		return rc;
	}
	hv_plan_build(&est, opts, &plan);
	for (size_t i = 0; i < plan.n_warnings; i++)
		cli_warning("apply", plan.warnings[i]);
	st.plan = &plan;
	st.ld = src.ldap;
	st.uri = cli_value(args, SRC_LDAP);
	collect_dns(&st);
	if (!plan.n)
		fputs("hvdoctor apply: nothing to change\n", stdout);
	else if (!cli_count(args, APPLY_YES))
		rc = dry_run(&st, &src);
	else {
		st.backup = apply_backup_path(args);
		rc = write_plan(&st, &src);
	}
	free(st.dns);
	free(st.backup);
	for (size_t i = 0; st.refusal && i < plan.n; i++)
		free(st.refusal[i]);
	free(st.refusal);
	free(st.state);
	hv_directory_clear(&st.before);
	hv_plan_release(&plan);
	hv_estate_release(&est);
	cli_sources_release(&src);
	return rc;
}

static int run_apply(const struct cli_args *args,
		     const struct cli_globals *globals)
{
	struct hv_plan_options opts;
	const char *rollback = cli_value(args, APPLY_ROLLBACK);
	int rc;

	(void)globals;
	if (args->n_positional) {
		cli_error("apply: unexpected argument '%s'",
			  args->positional[0]);
		return HV_EXIT_INCOMPLETE;
	}
	if (!cli_count(args, SRC_LDAP) || cli_count(args, SRC_LDIF)) {
		cli_error("apply: writes to AD over LDAP: give --ldap URI "
			  "(and no --ldif)");
		return HV_EXIT_INCOMPLETE;
	}
	if (rollback)
		return apply_rollback(args, rollback);
	if ((rc = cli_plan_options(args, "apply", &opts)) != 0)
		return rc;
	return apply_plan(args, &opts);
}

const struct cli_command cmd_apply = {
	.name = "apply",
	.run = run_apply,
	.usage = "--ldap URI [--hosts ...] [--yes] [--backup FILE]\n"
		 "       hvdoctor apply --ldap URI --rollback FILE [--yes]",
	.summary = "apply the fix to AD",
	.description =
		"Applies the plan (see hvdoctor plan) to AD over LDAP.\n"
		"Without --yes it prints the plan as LDIF and changes\n"
		"nothing. With --yes it reads the objects again, writes a\n"
		"backup LDIF of the values it is about to change (for\n"
		"--rollback or ldapmodify), applies each change as one atomic\n"
		"LDAP modify that names the exact old value, stops at the\n"
		"first refusal, reads every value back and audits the\n"
		"changed hosts afresh. --rollback FILE puts a backup's values\n"
		"back (after a backup of the current ones). Exit status 0\n"
		"clean, 1 warnings or 2 errors left on the changed hosts, 3 a\n"
		"change failed or did not verify.",
	.options = apply_options,
	.groups = (const struct cli_option_group *const[]){&cli_plan_group,
							   &cli_ldap_group,
							   &cli_select_group,
							   NULL},
};
