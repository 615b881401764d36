#include "render/render_audit.h"

#include "base/alloc.h"
#include "base/json.h"
#include "base/utf8.h"
#include "checks/host_rules.h"
#include "render/export_hint.h"
#include "base/term.h"

#include <stdint.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>

/* A pair AD allows is ready only when both hosts' settings were read
 * and neither blocks it: without snapshots no pair is "ready". */
static bool hosts_clear(const struct hv_estate *est, size_t a, size_t b)
{
	bool unchecked = false;

	if (!est->settings)
		return false;
	return !hv_pair_blockers(est, a, b, &unchecked) && !unchecked;
}

size_t hv_audit_pairs_total(const struct hv_estate *est)
{
	size_t n = 0;

	for (size_t h = 0; h < est->n_hosts; h++)
		n += hv_estate_peers_in_scope(est, h);
	return n;
}

/* Walks each source's own delegation list instead of all N^2 pairs, so
 * counting stays linear in the directory even for one 10,000-host
 * domain; readiness is per host (source side and target side), so the
 * ready count follows the cells without visiting them. */
void hv_audit_pair_counts(const struct hv_estate *est,
			  struct hv_pair_counts *counts)
{
	bool *as_target = hv_calloc(est->n_hosts + 1, sizeof(bool));

	for (size_t h = 0; h < est->n_hosts; h++)
		as_target[h] = hv_host_ready_as_target(est, h);
	memset(counts, 0, est->n_domains * sizeof(*counts));
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_account *src =
			&est->accounts[est->hosts[a].account];
		struct hv_pair_counts *c = &counts[est->hosts[a].domain];
		bool source_ready = hv_host_ready_as_source(est, a);

		c->pairs += hv_estate_peers_in_scope(est, a);
		for (size_t d = 0; d < src->n_deleg; d++) {
			size_t b = hv_estate_host_of(est, src->deleg[d].target);

			if (b == SIZE_MAX ||
			    !hv_estate_pair_in_scope(est, a, b))
				continue;
			if (src->deleg[d].bits != HV_DELEG_ALL) {
				c->partial++;
				continue;
			}
			c->full++;
			if (!source_ready || !as_target[b])
				continue;
			c->ad_allowed++;
			c->ready += hosts_clear(est, a, b);
		}
	}
	for (size_t d = 0; d < est->n_domains; d++)
		counts[d].none =
			counts[d].pairs - counts[d].full - counts[d].partial;
	free(as_target);
}

static const struct {
	const char *text;
	enum hv_tone tone;
} cells[] = {
	[HV_PAIR_READY] = {"ok", HV_TONE_GREEN},
	[HV_PAIR_UNKNOWN] = {"?", HV_TONE_YELLOW},
	[HV_PAIR_DISABLED] = {"OFF", HV_TONE_RED},
	[HV_PAIR_NO_DELEGATION] = {"NONE", HV_TONE_RED},
	[HV_PAIR_PARTIAL] = {"part", HV_TONE_YELLOW},
	[HV_PAIR_KERBEROS_ONLY] = {"PT", HV_TONE_RED},
	[HV_PAIR_TARGET_SPN] = {"SPN", HV_TONE_RED},
};

/* A pair's cell: AD's verdict first; when AD says ready, the first thing
 * the hosts' snapshots say stands in the way (checks/host_rules.h), or
 * "ok?" when snapshots were given but a host's settings are unknown. */
static const char *pair_cell(const struct hv_estate *est, size_t a, size_t b,
			     enum hv_tone *tone)
{
	enum hv_pair_state ps = hv_pair_state(est, a, b);
	unsigned block;
	bool unchecked;

	*tone = cells[ps].tone;
	if (ps != HV_PAIR_READY)
		return cells[ps].text;
	block = hv_pair_blockers(est, a, b, &unchecked);
	if (block) {
		*tone = HV_TONE_RED;
		return hv_pair_block_tag(block);
	}
	if (unchecked) {
		*tone = HV_TONE_YELLOW;
		return "ok?";
	}
	return cells[ps].text;
}

/* Names longer than this are clipped in the matrix (the findings give
 * them whole): one hostile 2 MiB name must not make a 2 GB matrix. */
#define CELL_NAME_MAX 15

static void clipped_name(struct hv_strbuf *out, const char *name, int width)
{
	struct hv_strbuf shown = HV_STRBUF_INIT;
	size_t cut = 0;
	int columns = 0;

	/* clip what the terminal shows (the escaped name), not the bytes */
	hv_term_escapes(&shown, name);
	while (cut < shown.len && columns < CELL_NAME_MAX) {
		size_t n =
			hv_utf8_valid_prefix(shown.buf + cut, shown.len - cut);

		cut += n ? n : 1;
		columns++;
	}
	if (cut < shown.len) {
		shown.len = cut;
		shown.buf[cut] = '\0';
		hv_strbuf_addch(&shown, '~');
	}
	hv_style_pad(out, hv_strbuf_str(&shown), width);
	hv_strbuf_release(&shown);
}

/* Ends a matrix line: trailing spaces make goldens and copy-paste
 * awkward, in the header row as in the others. */
static void end_line(struct hv_strbuf *out)
{
	while (out->len && out->buf[out->len - 1] == ' ')
		out->buf[--out->len] = '\0';
	hv_strbuf_addch(out, '\n');
}

static void text_matrix(struct hv_strbuf *out, const struct hv_estate *est,
			size_t first, size_t end, const struct hv_style *st)
{
	int width = 4;

	for (size_t h = first; h < end; h++) {
		int w = hv_style_width(est->hosts[h].name);

		w = w > CELL_NAME_MAX ? CELL_NAME_MAX + 1 : w;
		width = w > width ? w : width;
	}
	hv_strbuf_addf(out, "  %*s", width, "");
	for (size_t b = first; b < end; b++) {
		hv_strbuf_adds(out, "  ");
		clipped_name(out, est->hosts[b].name, width);
	}
	end_line(out);
	for (size_t a = first; a < end; a++) {
		hv_strbuf_adds(out, "  ");
		clipped_name(out, est->hosts[a].name, width);
		for (size_t b = first; b < end; b++) {
			bool in = hv_estate_pair_in_scope(est, a, b);
			enum hv_tone tone = HV_TONE_BOLD;
			const char *cell = a == b ? "-"
					   : !in  ? "."
						  : pair_cell(est, a, b, &tone);
			int pad = width - (int)strlen(cell);

			hv_strbuf_adds(out, "  ");
			if (in)
				hv_style_add(out, st, tone, cell);
			else
				hv_strbuf_adds(out, cell);
			hv_strbuf_addf(out, "%*s", pad, "");
		}
		end_line(out);
	}
}

static void text_domains(struct hv_strbuf *out, const struct hv_estate *est,
			 const struct hv_pair_counts *counts,
			 const struct hv_style *st)
{
	for (size_t d = 0; d < est->n_domains; d++) {
		size_t first, end;
		struct hv_pair_counts c = counts[d];
		char *name;

		hv_estate_domain_range(est, d, &first, &end);
		hv_strbuf_addch(out, '\n');
		hv_style_add(out, st, HV_TONE_BOLD, "Migration domain: ");
		name = hv_term_dup(est->domain_names[d]);
		hv_style_add(out, st, HV_TONE_BOLD, name);
		free(name);
		hv_strbuf_addf(out, "\n  %zu host%s, %zu ordered pair%s: ",
			       end - first, end - first == 1 ? "" : "s",
			       c.pairs, c.pairs == 1 ? "" : "s");
		if (est->settings)
			hv_strbuf_addf(out, "%zu ready", c.ready);
		else
			hv_strbuf_addf(out, "AD allows %zu", c.ad_allowed);
		hv_strbuf_addf(out,
			       "; delegation %zu complete, %zu partial, "
			       "%zu none\n",
			       c.full, c.partial, c.none);
		if (end - first < 2)
			continue;
		if (end - first > HV_MATRIX_MAX_HOSTS) {
			hv_strbuf_addf(out,
				       "  (more than %d hosts: the "
				       "matrix is not drawn; the "
				       "findings list every gap)\n",
				       HV_MATRIX_MAX_HOSTS);
			continue;
		}
		text_matrix(out, est, first, end, st);
	}
}

static const char *section_title(enum hv_severity sev)
{
	return sev == HV_SEV_ERROR     ? "Errors"
	       : sev == HV_SEV_WARNING ? "Warnings"
				       : "Notes";
}

static void text_finding(struct hv_strbuf *out, const struct hv_finding *f,
			 const struct hv_style *st)
{
	struct hv_strbuf line = HV_STRBUF_INIT;

	hv_strbuf_adds(out, "  ");
	hv_style_add(out, st, HV_TONE_BOLD, f->cause);
	hv_term_escapes(&line, f->source);
	hv_strbuf_adds(&line, f->target ? " -> " : "");
	hv_term_escapes(&line, f->target);
	if (f->n_targets > 8)
		hv_strbuf_addf(&line, " (and %zu more hosts)",
			       f->n_targets - 8);
	hv_strbuf_adds(out, "  ");
	hv_style_wrap(out, st, line.buf, 4 + (int)strlen(f->cause), 6);
	hv_strbuf_reset(&line);
	hv_term_escapes(&line, f->source);
	hv_strbuf_addch(&line, ' ');
	hv_term_escapes(&line, f->message);
	hv_strbuf_adds(out, "    ");
	hv_style_wrap(out, st, line.buf, 4, 4);
	for (size_t e = 0; e < f->n_ev; e++) {
		const struct hv_evidence *ev = &f->ev[e];

		/* a DN and its origin are values: never wrapped inside */
		if (e == 0 || strcmp(ev->dn, f->ev[e - 1].dn) != 0 ||
		    strcmp(ev->attr, f->ev[e - 1].attr) != 0) {
			hv_strbuf_adds(out, "    ");
			hv_term_escapes(out, ev->dn);
			hv_strbuf_adds(out, "\n      ");
			/* a snapshot's origin is the file already named */
			if (strcmp(ev->origin, ev->dn) != 0) {
				hv_strbuf_addch(out, '(');
				hv_term_escapes(out, ev->origin);
				hv_strbuf_adds(out, ") ");
			}
			hv_term_escapes(out, ev->attr);
			hv_strbuf_adds(out, ev->state == HV_EV_MISSING
						    ? " lacks:\n"
						    : " has:\n");
		}
		hv_strbuf_adds(out, "        '");
		hv_term_escapes(out, ev->value);
		hv_strbuf_adds(out, "'\n");
	}
	if (f->ev_omitted)
		hv_strbuf_addf(out, "        (%zu more values)\n",
			       f->ev_omitted);
	if (f->fix) {
		hv_strbuf_adds(out, "    ");
		hv_style_add(out, st, HV_TONE_CYAN, "fix:");
		hv_strbuf_adds(out, " ");
		hv_strbuf_reset(&line);
		hv_term_escapes(&line, f->fix);
		if (f->fix_is_command)
			hv_style_wrap_command(out, st, line.buf, 9, 9);
		else
			hv_style_wrap(out, st, line.buf, 9, 9);
	}
	hv_strbuf_release(&line);
}

static void text_findings(struct hv_strbuf *out, const struct hv_findings *fs,
			  const struct hv_style *st)
{
	for (int sev = HV_SEV_ERROR; sev >= HV_SEV_INFO; sev--) {
		size_t n = hv_findings_count(fs, (enum hv_severity)sev);
		char title[64];

		if (!n)
			continue;
		snprintf(title, sizeof(title), "\n%s (%zu)\n",
			 section_title((enum hv_severity)sev), n);
		hv_style_add(out, st,
			     sev == HV_SEV_ERROR     ? HV_TONE_RED
			     : sev == HV_SEV_WARNING ? HV_TONE_YELLOW
						     : HV_TONE_BOLD,
			     title);
		for (size_t i = 0; i < fs->n; i++)
			if ((int)fs->items[i].severity == sev)
				text_finding(out, &fs->items[i], st);
	}
}

static void text_unchecked(struct hv_strbuf *out, const struct hv_audit_view *v,
			   const struct hv_style *st)
{
	const struct hv_findings *fs = v->findings;

	if (!fs->n_unchecked)
		return;
	hv_strbuf_addch(out, '\n');
	hv_style_add(out, st, HV_TONE_YELLOW,
		     "Not checked: the input lacks what these checks read\n");
	for (size_t i = 0; i < fs->n_unchecked; i++) {
		struct hv_strbuf line = HV_STRBUF_INIT;

		hv_strbuf_addf(&line, "%s: ", fs->unchecked[i].check);
		if (fs->unchecked[i].detail) {
			hv_term_escapes(&line, fs->unchecked[i].detail);
		} else {
			hv_strbuf_adds(&line, "needs ");
			hv_attr_names(&line, fs->unchecked[i].missing);
		}
		if (!fs->unchecked[i].essential)
			hv_strbuf_adds(&line, " (informational: no verdict "
					      "on migrations depends on it)");
		hv_strbuf_adds(out, "  ");
		hv_style_wrap(out, st, line.buf, 2, 4);
		hv_strbuf_release(&line);
	}
	if (!hv_findings_incomplete(fs))
		return;
	hv_strbuf_adds(out, "  An LDIF file that no entry carries an attribute "
			    "in was exported\n  without it. Export everything "
			    "hvdoctor reads (users, computers and\n  groups) "
			    "and run the audit again:\n");
	hv_export_hint(out, v->estate, 4);
}

static void headline(struct hv_strbuf *out, const struct hv_audit_view *v,
		     const struct hv_pair_counts *counts,
		     const struct hv_style *st)
{
	const struct hv_estate *est = v->estate;
	const struct hv_findings *fs = v->findings;
	size_t pairs = 0, ready = 0, allowed = 0;
	size_t e = hv_findings_count(fs, HV_SEV_ERROR);
	size_t w = hv_findings_count(fs, HV_SEV_WARNING);
	size_t n = hv_findings_count(fs, HV_SEV_INFO);

	for (size_t d = 0; d < est->n_domains; d++) {
		pairs += counts[d].pairs;
		ready += counts[d].ready;
		allowed += counts[d].ad_allowed;
	}
	hv_style_add(out, st, HV_TONE_BOLD, "hvdoctor audit");
	hv_strbuf_adds(out, " of ");
	hv_term_escapes(out, v->source);
	hv_strbuf_adds(out, ":\n");
	if (v->input_damaged)
		hv_style_add(out, st, HV_TONE_YELLOW,
			     "INCOMPLETE: the input had errors (see the "
			     "messages): records that could not be read\nare "
			     "missing, and entries that name them look "
			     "dangling.\n");
	if (hv_findings_incomplete(fs))
		hv_style_add(out, st, HV_TONE_YELLOW,
			     "INCOMPLETE: some checks could not run (see "
			     "\"Not checked\").\n");
	if (!pairs)
		hv_style_add(out, st, HV_TONE_YELLOW,
			     "No ordered pair to check: a migration needs two "
			     "hosts of one migration\ndomain (name them with "
			     "--hosts or --domains).\n");
	else if (est->settings)
		hv_strbuf_addf(out, "%zu of %zu ordered pairs ready to migrate",
			       ready, pairs);
	else
		hv_strbuf_addf(out,
			       "AD allows %zu of %zu ordered pairs; host "
			       "settings not checked (--snapshot)",
			       allowed, pairs);
	hv_strbuf_addf(out,
		       "%s%zu host%s in %zu migration domain%s;\n%zu error%s, "
		       "%zu warning%s, %zu note%s\n",
		       pairs ? ";\n" : "", est->n_hosts,
		       est->n_hosts == 1 ? "" : "s", est->n_domains,
		       est->n_domains == 1 ? "" : "s", e, e == 1 ? "" : "s", w,
		       w == 1 ? "" : "s", n, n == 1 ? "" : "s");
}

/* The last line when nothing was found: never more than was checked. */
static void closing(struct hv_strbuf *out, const struct hv_audit_view *v)
{
	const struct hv_estate *est = v->estate;

	if (!hv_audit_pairs_total(est))
		hv_strbuf_adds(out, "\nNo pair was checked: nothing to report "
				    "is not an all-clear.\n");
	else if (hv_findings_incomplete(v->findings) || v->input_damaged)
		hv_strbuf_adds(out, "\nNo problems found in what could be "
				    "checked; the audit is incomplete.\n");
	else if (est->settings)
		hv_strbuf_adds(out, "\nNo problems found.\n");
	else
		hv_strbuf_adds(out, "\nNothing in AD stands in the way; the "
				    "hosts' own settings were not\nchecked "
				    "(collect snapshots and pass them with "
				    "--snapshot).\n");
}

void hv_render_audit_text(struct hv_strbuf *out, const struct hv_audit_view *v,
			  const struct hv_style *st)
{
	const struct hv_estate *est = v->estate;
	struct hv_pair_counts *counts =
		hv_calloc(est->n_domains + 1, sizeof(*counts));
	struct hv_strbuf note = HV_STRBUF_INIT;

	hv_audit_pair_counts(est, counts);
	headline(out, v, counts, st);
	hv_strbuf_reset(&note);
	hv_strbuf_adds(&note, "Domains: ");
	hv_term_escapes(&note, est->grouping_note);
	hv_strbuf_addch(&note, '.');
	hv_style_wrap(out, st, note.buf, 0, 2);
	if (est->n_hosts)
		hv_strbuf_adds(out,
			       "Matrix: row host -> column host. ok = ready "
			       "(AD; with --snapshot also the\nhosts); "
			       "NONE/part = none/some of the four delegation "
			       "entries; PT = the row\nhost lacks protocol "
			       "transition; SPN = the column host's migration "
			       "SPNs are\nmissing or duplicated; OFF = an "
			       "account is disabled; ? = the input cannot\n"
			       "tell; . = not in scope.\n");
	if (est->n_hosts && est->settings)
		hv_strbuf_adds(out,
			       "Where AD is ready, host settings name what "
			       "blocks the pair: auth cssp off\nfw net "
			       "cifs vsw ver cpu iso cmp (see findings); "
			       "ok? = a host has no snapshot.\n");
	text_domains(out, est, counts, st);
	text_unchecked(out, v, st);
	text_findings(out, v->findings, st);
	if (!v->findings->n)
		closing(out, v);
	hv_strbuf_release(&note);
	free(counts);
}

static void json_finding(struct hv_json *js, const struct hv_finding *f,
			 const struct hv_kb *kb)
{
	const struct hv_cause *cause = kb ? hv_kb_cause(kb, f->cause) : NULL;

	hv_json_object_begin(js);
	hv_json_kv_string(js, "cause", f->cause);
	hv_json_kv_string(js, "title", cause ? cause->title : NULL);
	hv_json_kv_string(js, "severity", hv_severity_name(f->severity));
	hv_json_kv_string(js, "check", f->check);
	hv_json_kv_string(js, "subject", f->source);
	hv_json_kv_string(js, "targets", f->target);
	hv_json_kv_int(js, "target_count", (int64_t)f->n_targets);
	hv_json_kv_string(js, "message", f->message);
	hv_json_key(js, "evidence");
	hv_json_array_begin(js);
	for (size_t e = 0; e < f->n_ev; e++) {
		hv_json_object_begin(js);
		hv_json_kv_string(js, "dn", f->ev[e].dn);
		hv_json_kv_string(js, "attribute", f->ev[e].attr);
		hv_json_kv_string(js, "value", f->ev[e].value);
		hv_json_kv_string(js, "state",
				  f->ev[e].state == HV_EV_MISSING ? "missing"
								  : "present");
		hv_json_kv_string(js, "origin", f->ev[e].origin);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
	hv_json_kv_int(js, "evidence_omitted", (int64_t)f->ev_omitted);
	hv_json_kv_string(js, "fix", f->fix);
	hv_json_kv_bool(js, "fix_is_command", f->fix_is_command);
	hv_json_object_end(js);
}

static void json_host(struct hv_json *js, const struct hv_estate *est, size_t h)
{
	const struct hv_account *acc = &est->accounts[est->hosts[h].account];

	hv_json_object_begin(js);
	hv_json_kv_string(js, "name", acc->name);
	hv_json_kv_string(js, "fqdn", acc->dns);
	hv_json_kv_string(js, "dn", acc->entry->dn);
	hv_json_kv_string(js, "domain",
			  est->domain_names[est->hosts[h].domain]);
	hv_json_kv_string(js, "os", acc->os);
	hv_json_kv_int(js, "os_build", acc->os_build);
	hv_json_key(js, "user_account_control");
	if (acc->uac_known)
		hv_json_int(js, acc->uac);
	else
		hv_json_null(js);
	hv_json_kv_bool(js, "protocol_transition",
			acc->uac & HV_UAC_TRUSTED_TO_AUTH_FOR_DELEGATION);
	hv_json_kv_bool(js, "unconstrained",
			acc->uac & HV_UAC_TRUSTED_FOR_DELEGATION);
	hv_json_kv_bool(js, "disabled", acc->uac & HV_UAC_ACCOUNTDISABLE);
	hv_json_object_end(js);
}

static void json_domains(struct hv_json *js, const struct hv_estate *est,
			 const struct hv_pair_counts *counts)
{
	hv_json_key(js, "domains");
	hv_json_array_begin(js);
	for (size_t d = 0; d < est->n_domains; d++) {
		size_t first, end;

		hv_estate_domain_range(est, d, &first, &end);
		hv_json_object_begin(js);
		hv_json_kv_string(js, "name", est->domain_names[d]);
		hv_json_key(js, "hosts");
		hv_json_array_begin(js);
		for (size_t h = first; h < end; h++)
			hv_json_string(js, est->hosts[h].name);
		hv_json_array_end(js);
		hv_json_kv_int(js, "pairs", (int64_t)counts[d].pairs);
		hv_json_kv_int(js, "pairs_ready", (int64_t)counts[d].ready);
		hv_json_kv_int(js, "pairs_ad_allowed",
			       (int64_t)counts[d].ad_allowed);
		hv_json_kv_int(js, "pairs_complete", (int64_t)counts[d].full);
		hv_json_kv_int(js, "pairs_partial", (int64_t)counts[d].partial);
		hv_json_kv_int(js, "pairs_none", (int64_t)counts[d].none);
		/* the matrix only where a person could read it as well */
		if (end - first <= HV_MATRIX_MAX_HOSTS) {
			hv_json_key(js, "matrix");
			hv_json_array_begin(js);
			for (size_t a = first; a < end; a++) {
				hv_json_array_begin(js);
				for (size_t b = first; b < end; b++) {
					enum hv_tone tone;

					if (!hv_estate_pair_in_scope(est, a, b))
						hv_json_null(js);
					else
						hv_json_string(
							js, pair_cell(est, a, b,
								      &tone));
				}
				hv_json_array_end(js);
			}
			hv_json_array_end(js);
		}
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

static void json_unchecked(struct hv_json *js, const struct hv_findings *fs)
{
	hv_json_key(js, "not_checked");
	hv_json_array_begin(js);
	for (size_t i = 0; i < fs->n_unchecked; i++) {
		hv_json_object_begin(js);
		hv_json_kv_string(js, "check", fs->unchecked[i].check);
		hv_json_kv_bool(js, "essential", fs->unchecked[i].essential);
		hv_json_kv_string(js, "detail", fs->unchecked[i].detail);
		hv_json_key(js, "missing_attributes");
		hv_json_array_begin(js);
		for (size_t k = 0; k < HV_ATTR_COUNT; k++)
			if (fs->unchecked[i].missing & HV_ATTR_BIT(k))
				hv_json_string(js, hv_estate_attributes[k]);
		hv_json_array_end(js);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

void hv_render_audit_json(struct hv_strbuf *out, const struct hv_audit_view *v)
{
	const struct hv_estate *est = v->estate;
	struct hv_pair_counts *counts =
		hv_calloc(est->n_domains + 1, sizeof(*counts));
	struct hv_json js;

	hv_audit_pair_counts(est, counts);
	hv_json_init(&js, out, true);
	hv_json_object_begin(&js);
	hv_json_kv_string(&js, "schema", HV_AUDIT_SCHEMA);
	hv_json_kv_string(&js, "source", v->source);
	hv_json_key(&js, "summary");
	hv_json_object_begin(&js);
	hv_json_kv_int(&js, "hosts", (int64_t)est->n_hosts);
	hv_json_kv_int(&js, "domains", (int64_t)est->n_domains);
	hv_json_kv_int(&js, "errors",
		       (int64_t)hv_findings_count(v->findings, HV_SEV_ERROR));
	hv_json_kv_int(&js, "warnings",
		       (int64_t)hv_findings_count(v->findings, HV_SEV_WARNING));
	hv_json_kv_int(&js, "notes",
		       (int64_t)hv_findings_count(v->findings, HV_SEV_INFO));
	hv_json_kv_bool(&js, "complete",
			!hv_findings_incomplete(v->findings) &&
				!v->input_damaged);
	hv_json_kv_bool(&js, "input_damaged", v->input_damaged);
	hv_json_kv_bool(&js, "host_settings_checked", est->settings != NULL);
	hv_json_kv_int(&js, "pairs", (int64_t)hv_audit_pairs_total(est));
	hv_json_object_end(&js);
	json_unchecked(&js, v->findings);
	hv_json_kv_string(&js, "grouping", est->grouping_note);
	json_domains(&js, est, counts);
	hv_json_key(&js, "hosts");
	hv_json_array_begin(&js);
	for (size_t h = 0; h < est->n_hosts; h++)
		json_host(&js, est, h);
	hv_json_array_end(&js);
	hv_json_key(&js, "findings");
	hv_json_array_begin(&js);
	for (size_t i = 0; i < v->findings->n; i++)
		json_finding(&js, &v->findings->items[i], v->kb);
	hv_json_array_end(&js);
	hv_json_object_end(&js);
	hv_strbuf_addch(out, '\n');
	free(counts);
}
