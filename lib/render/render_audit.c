#include "render/render_audit.h"

#include "base/alloc.h"
#include "base/json.h"
#include "checks/host_rules.h"

#include <stdint.h>
#include <stdlib.h>

#include <stdio.h>
#include <string.h>

static bool pair_in_scope(const struct hv_estate *est, size_t a, size_t b)
{
	return a != b && est->hosts[a].domain == est->hosts[b].domain &&
	       (est->new_node < 0 || (long)a == est->new_node ||
		(long)b == est->new_node);
}

static unsigned pair_bits(const struct hv_estate *est, size_t a, size_t b)
{
	return hv_estate_deleg_bits(est, est->hosts[a].account,
				    est->hosts[b].account);
}

static void domain_range(const struct hv_estate *est, size_t d, size_t *first,
			 size_t *end)
{
	*first = 0;
	while (*first < est->n_hosts && est->hosts[*first].domain != d)
		(*first)++;
	*end = *first;
	while (*end < est->n_hosts && est->hosts[*end].domain == d)
		(*end)++;
}

/* Walks each source's own delegation list instead of all N² pairs, so
 * counting stays linear in the directory even for one 10,000-host
 * domain. */
void hv_audit_pair_counts(const struct hv_estate *est,
			  struct hv_pair_counts *counts)
{
	size_t *pos = hv_calloc(est->n_accounts + 1, sizeof(*pos));
	size_t *size = hv_calloc(est->n_domains + 1, sizeof(*size));

	for (size_t i = 0; i < est->n_accounts; i++)
		pos[i] = SIZE_MAX;
	for (size_t h = 0; h < est->n_hosts; h++) {
		pos[est->hosts[h].account] = h;
		size[est->hosts[h].domain]++;
	}
	memset(counts, 0, est->n_domains * sizeof(*counts));
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_account *src =
			&est->accounts[est->hosts[a].account];
		struct hv_pair_counts *c = &counts[est->hosts[a].domain];
		size_t in_scope = est->new_node < 0
					  ? size[est->hosts[a].domain] - 1
				  : (long)a == est->new_node
					  ? size[est->hosts[a].domain] - 1
					  : 1;

		if (est->new_node >= 0 && (long)a != est->new_node &&
		    est->hosts[est->new_node].domain != est->hosts[a].domain)
			in_scope = 0;
		c->pairs += in_scope;
		for (size_t d = 0; d < src->n_deleg; d++) {
			size_t b = pos[src->deleg[d].target];

			if (b == SIZE_MAX || !pair_in_scope(est, a, b))
				continue;
			if (src->deleg[d].bits == HV_DELEG_ALL)
				c->full++;
			else
				c->partial++;
		}
	}
	for (size_t d = 0; d < est->n_domains; d++)
		counts[d].none =
			counts[d].pairs - counts[d].full - counts[d].partial;
	free(size);
	free(pos);
}

static const char *cell_text(unsigned bits)
{
	return bits == HV_DELEG_ALL ? "ok" : bits ? "part" : "NONE";
}

static enum hv_tone cell_tone(unsigned bits)
{
	return bits == HV_DELEG_ALL ? HV_TONE_GREEN
	       : bits		    ? HV_TONE_YELLOW
				    : HV_TONE_RED;
}

/* A pair's cell: AD's verdict first; when AD is complete, the first
 * thing the hosts' snapshots say stands in the way (checks/host_rules.h),
 * or "ok?" when snapshots were given but a host has none. */
static const char *pair_cell(const struct hv_estate *est, size_t a, size_t b,
			     enum hv_tone *tone)
{
	unsigned bits = pair_bits(est, a, b), block;
	bool unchecked;

	*tone = cell_tone(bits);
	if (bits != HV_DELEG_ALL)
		return cell_text(bits);
	block = hv_pair_blockers(est, a, b, &unchecked);
	if (block) {
		*tone = HV_TONE_RED;
		return hv_pair_block_tag(block);
	}
	if (unchecked) {
		*tone = HV_TONE_YELLOW;
		return "ok?";
	}
	return "ok";
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

		width = w > width ? w : width;
	}
	hv_strbuf_addf(out, "  %*s", width, "");
	for (size_t b = first; b < end; b++) {
		hv_strbuf_adds(out, "  ");
		hv_style_pad(out, est->hosts[b].name, width);
	}
	end_line(out);
	for (size_t a = first; a < end; a++) {
		hv_strbuf_adds(out, "  ");
		hv_style_pad(out, est->hosts[a].name, width);
		for (size_t b = first; b < end; b++) {
			enum hv_tone tone = HV_TONE_BOLD;
			const char *cell =
				a == b ? "-"
				: !pair_in_scope(est, a, b)
					? "."
					: pair_cell(est, a, b, &tone);
			int pad = width - (int)strlen(cell);

			hv_strbuf_adds(out, "  ");
			if (a != b && pair_in_scope(est, a, b))
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

		domain_range(est, d, &first, &end);
		hv_strbuf_addch(out, '\n');
		hv_style_add(out, st, HV_TONE_BOLD, "Migration domain: ");
		hv_style_add(out, st, HV_TONE_BOLD, est->domain_names[d]);
		hv_strbuf_addf(out,
			       "  (%zu host%s, %zu ordered pair%s: %zu "
			       "complete, %zu partial, %zu without "
			       "delegation)\n",
			       end - first, end - first == 1 ? "" : "s",
			       c.pairs, c.pairs == 1 ? "" : "s", c.full,
			       c.partial, c.none);
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
	hv_strbuf_adds(out, "  ");
	hv_style_add(out, st, HV_TONE_BOLD, f->cause);
	hv_strbuf_addf(out, "  %s%s%s\n", f->source, f->target ? " -> " : "",
		       f->target ? f->target : "");
	if (f->n_targets > 8)
		hv_strbuf_addf(out, "    (and %zu more hosts)\n",
			       f->n_targets - 8);
	hv_strbuf_addf(out, "    %s %s\n", f->source, f->message);
	for (size_t e = 0; e < f->n_ev; e++) {
		const struct hv_evidence *ev = &f->ev[e];

		if (e == 0 || strcmp(ev->dn, f->ev[e - 1].dn) != 0 ||
		    strcmp(ev->attr, f->ev[e - 1].attr) != 0)
			hv_strbuf_addf(out, "    %s (%s)\n      %s %s:\n",
				       ev->dn, ev->origin, ev->attr,
				       ev->state == HV_EV_MISSING ? "lacks"
								  : "has");
		hv_strbuf_addf(out, "        '%s'\n", ev->value);
	}
	if (f->ev_omitted)
		hv_strbuf_addf(out, "        (%zu more values)\n",
			       f->ev_omitted);
	if (f->fix) {
		hv_strbuf_adds(out, "    ");
		hv_style_add(out, st, HV_TONE_CYAN, "fix:");
		hv_strbuf_addf(out, " %s\n", f->fix);
	}
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

void hv_render_audit_text(struct hv_strbuf *out, const struct hv_audit_view *v,
			  const struct hv_style *st)
{
	const struct hv_estate *est = v->estate;
	struct hv_pair_counts *counts =
		hv_calloc(est->n_domains + 1, sizeof(*counts));
	size_t pairs = 0, full = 0;

	hv_audit_pair_counts(est, counts);
	for (size_t d = 0; d < est->n_domains; d++) {
		pairs += counts[d].pairs;
		full += counts[d].full;
	}
	hv_style_add(out, st, HV_TONE_BOLD, "hvdoctor audit");
	hv_strbuf_addf(
		out,
		" of %s: %zu host%s in %zu migration domain%s, "
		"%zu of %zu ordered pairs fully delegated; "
		"%zu error%s, %zu warning%s, %zu note%s\n",
		v->source, est->n_hosts, est->n_hosts == 1 ? "" : "s",
		est->n_domains, est->n_domains == 1 ? "" : "s", full, pairs,
		hv_findings_count(v->findings, HV_SEV_ERROR),
		hv_findings_count(v->findings, HV_SEV_ERROR) == 1 ? "" : "s",
		hv_findings_count(v->findings, HV_SEV_WARNING),
		hv_findings_count(v->findings, HV_SEV_WARNING) == 1 ? "" : "s",
		hv_findings_count(v->findings, HV_SEV_INFO),
		hv_findings_count(v->findings, HV_SEV_INFO) == 1 ? "" : "s");
	hv_strbuf_addf(out, "Domains: %s.\n", est->grouping_note);
	if (est->n_hosts)
		hv_strbuf_adds(out, "Matrix: the row host delegates to the "
				    "column host: ok = all four entries, "
				    "part = some, NONE = none.\n");
	if (est->n_hosts && est->settings)
		hv_strbuf_adds(out,
			       "Where AD is complete, host settings name "
			       "what blocks the pair: auth cssp off\nfw net "
			       "cifs vsw ver cpu iso cmp (see findings); "
			       "ok? = a host has no snapshot.\n");
	text_domains(out, est, counts, st);
	text_findings(out, v->findings, st);
	if (!v->findings->n)
		hv_strbuf_adds(out, "\nNo problems found.\n");
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

		domain_range(est, d, &first, &end);
		hv_json_object_begin(js);
		hv_json_kv_string(js, "name", est->domain_names[d]);
		hv_json_key(js, "hosts");
		hv_json_array_begin(js);
		for (size_t h = first; h < end; h++)
			hv_json_string(js, est->hosts[h].name);
		hv_json_array_end(js);
		hv_json_kv_int(js, "pairs", (int64_t)counts[d].pairs);
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

					if (!pair_in_scope(est, a, b))
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
	hv_json_object_end(&js);
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
