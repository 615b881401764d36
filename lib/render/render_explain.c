/* The text report of `hvdoctor explain`: the answer first (the likely
 * causes, the top ones in full), then what the context ruled out, then
 * what was recognised, shorter. Everything is wrapped to view->width, and
 * text from outside (pastes, --kb files) goes through hv_term_add. */
#include "render/render_explain.h"

#include "render/wrap.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define CAUSE_INDENT 5 /* where a cause's text starts, after "  1  " */

bool hv_explain_can_run(const struct hv_explain_view *view,
			const struct hv_cause_check *check)
{
	for (const char *const *c = view->commands; c && *c; c++)
		if (strcmp(*c, check->command) == 0)
			return true;
	return false;
}

static enum hv_tone severity_tone(enum hv_severity severity)
{
	return severity == HV_SEV_ERROR	    ? HV_TONE_RED
	       : severity == HV_SEV_WARNING ? HV_TONE_YELLOW
					    : HV_TONE_CYAN;
}

/* The code a signature stands for, as an admin would write it. */
static void sig_label(const struct hv_signature *sig, char *buf, size_t size)
{
	switch (sig->kind) {
	case HV_SIG_HRESULT:
		snprintf(buf, size, "0x%08" PRIX32, sig->code);
		break;
	case HV_SIG_WIN32:
		snprintf(buf, size, "Win32 %" PRIu32, sig->code);
		break;
	case HV_SIG_KERBEROS:
		snprintf(buf, size, "Kerberos %" PRIu32, sig->code);
		break;
	case HV_SIG_EVENT:
		snprintf(buf, size, "event %u", sig->event);
		break;
	case HV_SIG_MESSAGE:
		snprintf(buf, size, "message");
		break;
	}
}

/* A bold line of our own, wrapped first so the tone's escapes do not
 * count as columns. */
static void heading(struct hv_strbuf *out, const struct hv_explain_view *v,
		    const struct hv_style *st, const char *text)
{
	struct hv_strbuf head = HV_STRBUF_INIT;

	hv_wrap_add(&head, text, 0, 0, v->width, HV_WRAP_PROSE);
	head.buf[--head.len] = '\0'; /* the newline goes after the tone */
	hv_style_add(out, st, HV_TONE_BOLD, hv_strbuf_str(&head));
	hv_strbuf_addch(out, '\n');
	hv_strbuf_release(&head);
}

/* A titled block of kb text under a cause. */
static void section(struct hv_strbuf *out, const struct hv_explain_view *v,
		    const struct hv_style *st, const char *title,
		    const char *body)
{
	hv_strbuf_adds(out, "     ");
	hv_style_add(out, st, HV_TONE_BOLD, title);
	hv_strbuf_addch(out, '\n');
	hv_strbuf_adds(out, "       ");
	hv_wrap_add(out, body, CAUSE_INDENT + 2, CAUSE_INDENT + 2, v->width,
		    HV_WRAP_LINES);
}

/* The automatic checks this hvdoctor can run; none: the manual steps
 * above are the advice. */
static void checks(struct hv_strbuf *out, const struct hv_explain_view *v,
		   const struct hv_style *st, const struct hv_cause *c)
{
	bool any = false;

	for (size_t i = 0; i < c->n_checks; i++) {
		if (!hv_explain_can_run(v, &c->checks[i]))
			continue;
		if (!any) {
			hv_strbuf_adds(out, "     ");
			hv_style_add(out, st, HV_TONE_BOLD,
				     "hvdoctor checks it with:");
			hv_strbuf_addch(out, '\n');
		}
		any = true;
		hv_strbuf_adds(out, "       ");
		hv_wrap_add(out, c->checks[i].text, CAUSE_INDENT + 2,
			    CAUSE_INDENT + 2, v->width, HV_WRAP_LINES);
	}
}

static void why(struct hv_strbuf *out, const struct hv_explain_view *v,
		const struct hv_ranked *r)
{
	/* on the cause itself, before its reasons: a likely cause on
	 * unverified evidence must not read as a plain one */
	if (r->caveat) {
		hv_strbuf_adds(out, "     caution: ");
		hv_wrap_add(out, r->caveat, CAUSE_INDENT + 9, CAUSE_INDENT + 9,
			    v->width, HV_WRAP_PROSE);
	}
	for (size_t w = 0; w < r->n_why; w++) {
		hv_strbuf_adds(out, w ? "          " : "     why: ");
		hv_wrap_add(out, r->why[w], CAUSE_INDENT + 5, CAUSE_INDENT + 7,
			    v->width, HV_WRAP_PROSE);
	}
}

/* "  1  id  error  score 90" and the title under it. */
static void cause_head(struct hv_strbuf *out, const struct hv_explain_view *v,
		       const struct hv_style *st, size_t rank)
{
	const struct hv_ranked *r = &v->ranking->items[rank];
	const struct hv_cause *c = &v->kb->causes[r->cause];

	char score[32];
	int cols;

	snprintf(score, sizeof(score), "  score %d", r->score);
	cols = CAUSE_INDENT + hv_term_width(c->id, strlen(c->id)) + 2 +
	       (int)strlen(hv_severity_name(c->severity)) + (int)strlen(score);
	hv_strbuf_addf(out, "%3zu  ", rank + 1);
	hv_style_add(out, st, HV_TONE_BOLD, c->id);
	/* a long id on a narrow terminal: the rest on the next line */
	hv_strbuf_adds(out, cols > v->width ? "\n     " : "  ");
	hv_style_add(out, st, severity_tone(c->severity),
		     hv_severity_name(c->severity));
	hv_strbuf_addf(out, "%s\n     ", score);
	hv_wrap_add(out, c->title, CAUSE_INDENT, CAUSE_INDENT, v->width,
		    HV_WRAP_PROSE);
}

static void cause_full(struct hv_strbuf *out, const struct hv_explain_view *v,
		       const struct hv_style *st, size_t rank)
{
	const struct hv_ranked *r = &v->ranking->items[rank];
	const struct hv_cause *c = &v->kb->causes[r->cause];

	cause_head(out, v, st, rank);
	why(out, v, r);
	hv_strbuf_adds(out, "     ");
	hv_wrap_add(out, c->explain, CAUSE_INDENT, CAUSE_INDENT, v->width,
		    HV_WRAP_PROSE);
	section(out, v, st, "confirm by hand:", c->confirm);
	section(out, v, st, "fix:", c->fix);
	section(out, v, st, "verify the fix:", c->verify);
	checks(out, v, st, c);
	hv_strbuf_addch(out, '\n');
}

/* A likely cause past the detailed ones: its title and why, in short. */
static void cause_short(struct hv_strbuf *out, const struct hv_explain_view *v,
			const struct hv_style *st, size_t rank)
{
	cause_head(out, v, st, rank);
	why(out, v, &v->ranking->items[rank]);
}

static const char *likely_heading(enum hv_basis basis)
{
	switch (basis) {
	case HV_BASIS_EVIDENCE:
		break;
	case HV_BASIS_HEADLINE:
		return "Likely causes: the text only says that the move "
		       "failed, so what you know decides";
	case HV_BASIS_CONTEXT:
		return "Causes that fit what you said (no symptom given)";
	case HV_BASIS_NOTHING:
		break;
	}
	return "Likely causes, most likely first";
}

/* True if the admin gave any fact (not only the text). */
static bool any_admin_fact(const struct hv_explanation *x)
{
	for (int k = 0; k < HV_CTX_COUNT; k++)
		if (x->context.known[k] && !x->context_from_text[k])
			return true;
	return false;
}

static void likely(struct hv_strbuf *out, const struct hv_explain_view *v,
		   const struct hv_style *st)
{
	const struct hv_explanation *x = v->ranking;
	size_t detailed = v->all ? x->n_likely : v->detailed;

	heading(out, v, st, likely_heading(x->basis));
	if (x->basis == HV_BASIS_HEADLINE && !any_admin_fact(x))
		hv_wrap_add(out,
			    "(Give what you know with --context: auth=, os=, "
			    "initiated=, clustered=, percent=.)",
			    0, 1, v->width, HV_WRAP_PROSE);
	hv_strbuf_addch(out, '\n');
	for (size_t i = 0; i < x->n_likely; i++) {
		if (i < detailed)
			cause_full(out, v, st, i);
		else
			cause_short(out, v, st, i);
	}
	if (x->n_likely > detailed) {
		hv_strbuf_addch(out, '\n');
		hv_wrap_add(out,
			    "(every cause in full: --all; as data: --json)", 0,
			    1, v->width, HV_WRAP_PROSE);
	}
}

static void not_likely(struct hv_strbuf *out, const struct hv_explain_view *v,
		       const struct hv_style *st, enum hv_verdict verdict)
{
	const struct hv_explanation *x = v->ranking;
	bool any = false;

	for (size_t i = x->n_likely; i < x->n; i++) {
		const struct hv_ranked *r = &x->items[i];

		if (r->verdict != verdict)
			continue;
		if (!any) {
			hv_strbuf_addch(out, '\n');
			heading(out, v, st,
				verdict == HV_RULED_OUT
					? "Ruled out by what you said"
					: "Unlikely, given the context");
		}
		any = true;
		hv_strbuf_addf(out, "  %s\n    ", v->kb->causes[r->cause].id);
		hv_wrap_add(out, r->n_why ? r->why[r->decisive] : "", 4, 6,
			    v->width, HV_WRAP_PROSE);
	}
}

/* The first sentence of a meaning: the rest is for --all. */
static size_t first_sentence(const char *text)
{
	const char *dot = text;

	while ((dot = strchr(dot, '.')) != NULL) {
		if (dot[1] == '\0' || dot[1] == ' ' || dot[1] == '\n')
			return (size_t)(dot - text) + 1;
		dot++;
	}
	return strlen(text);
}

static void recognised_one(struct hv_strbuf *out,
			   const struct hv_explain_view *v,
			   const struct hv_symptom *sym)
{
	const struct hv_signature *sig = &v->kb->sigs[sym->sig];
	struct hv_strbuf line = HV_STRBUF_INIT;
	char label[48];

	sig_label(sig, label, sizeof(label));
	hv_strbuf_addf(&line, "%s %s", label,
		       sig->n_names ? sig->names[0] : sig->id);
	if (sig->container)
		hv_strbuf_adds(&line, " (a headline: context, not evidence)");
	if (sym->line > 1)
		hv_strbuf_addf(&line, ", line %u", sym->line);
	hv_strbuf_adds(out, "  ");
	hv_wrap_add(out, hv_strbuf_str(&line), 2, 6, v->width, HV_WRAP_PROSE);
	hv_strbuf_reset(&line);
	if (v->all) {
		hv_strbuf_adds(&line, sig->meaning);
		if (sig->note)
			hv_strbuf_addf(&line, "\n%s", sig->note);
	} else {
		hv_strbuf_add(&line, sig->meaning,
			      first_sentence(sig->meaning));
	}
	hv_strbuf_adds(out, "    ");
	hv_wrap_add(out, hv_strbuf_str(&line), 4, 4, v->width, HV_WRAP_PROSE);
	hv_strbuf_release(&line);
}

static void recognised(struct hv_strbuf *out, const struct hv_explain_view *v,
		       const struct hv_style *st)
{
	const struct hv_symptoms *s = v->symptoms;

	if (s->n) {
		hv_strbuf_addch(out, '\n');
		heading(out, v, st, "Recognised");
	}
	for (size_t i = 0; i < s->n; i++)
		recognised_one(out, v, &s->items[i]);
	if (s->n_unknown) {
		hv_strbuf_addch(out, '\n');
		heading(out, v, st, "Not in the knowledge base");
	}
	for (size_t i = 0; i < s->n_unknown; i++) {
		hv_strbuf_adds(out, "  ");
		hv_wrap_add(out, s->unknown[i], 2, 4, v->width, HV_WRAP_PROSE);
	}
	if (hv_symptoms_words_unread(s)) {
		hv_strbuf_adds(out, "  ");
		hv_wrap_add(out,
			    "Only codes and event ids were recognised: the "
			    "rest of the text was not understood (hvdoctor "
			    "knows the English wording of Windows' messages).",
			    2, 2, v->width, HV_WRAP_PROSE);
	}
}

static void context_line(struct hv_strbuf *out, const struct hv_explain_view *v)
{
	const struct hv_explanation *x = v->ranking;
	struct hv_strbuf line = HV_STRBUF_INIT;

	for (int k = 0; k < HV_CTX_COUNT; k++) {
		char num[16];

		if (!x->context.known[k])
			continue;
		hv_strbuf_addf(&line, "%s%s=%s%s", line.len ? ", " : "",
			       hv_ctx_key_name((enum hv_ctx_key)k),
			       hv_ctx_value_name((enum hv_ctx_key)k,
						 x->context.value[k], num,
						 sizeof(num)),
			       x->context_from_text[k] ? " (from the text)"
						       : "");
	}
	if (line.len) {
		hv_strbuf_adds(out, "\nContext: ");
		hv_wrap_add(out, hv_strbuf_str(&line), 9, 11, v->width,
			    HV_WRAP_PROSE);
	}
	hv_strbuf_release(&line);
}

static void named_line(struct hv_strbuf *out, const struct hv_explain_view *v)
{
	const struct hv_symptoms *s = v->symptoms;
	struct hv_strbuf line = HV_STRBUF_INIT;

	for (size_t i = 0; i < s->n_hosts; i++) {
		const char *role = hv_host_role_name(s->hosts[i].role);

		hv_strbuf_addf(&line, "%shost %s%s%s%s", line.len ? ", " : "",
			       s->hosts[i].name, role ? " (" : "",
			       role ? role : "", role ? ")" : "");
	}
	for (size_t i = 0; i < s->n_vms; i++)
		hv_strbuf_addf(&line, "%sVM %s", line.len ? ", " : "",
			       s->vms[i].name);
	if (line.len) {
		hv_strbuf_adds(out, "In the text: ");
		hv_wrap_add(out, hv_strbuf_str(&line), 13, 15, v->width,
			    HV_WRAP_PROSE);
	}
	hv_strbuf_release(&line);
}

/* Recognised, but known to lie outside what hvdoctor diagnoses: say
 * where to look instead (issue 23). Returns true if anything was. */
static bool outside(struct hv_strbuf *out, const struct hv_explain_view *v,
		    const struct hv_style *st)
{
	bool any = false;

	for (size_t i = 0; i < v->symptoms->n; i++) {
		const struct hv_signature *sig =
			&v->kb->sigs[v->symptoms->items[i].sig];
		char label[48];

		if (!sig->outside)
			continue;
		if (!any)
			heading(out, v, st,
				"Outside what hvdoctor diagnoses: look here "
				"instead.");
		any = true;
		sig_label(sig, label, sizeof(label));
		hv_strbuf_addf(out, "  %s: ", label);
		hv_wrap_add(out, sig->outside, 4 + (int)strlen(label), 4,
			    v->width, HV_WRAP_PROSE);
	}
	return any;
}

/* Every entry recognised is one the knowledge base files as progress or
 * success (its meaning says so): nothing failed in what was given. */
static bool only_progress(const struct hv_explain_view *v)
{
	for (size_t i = 0; i < v->symptoms->n; i++) {
		const char *m = v->kb->sigs[v->symptoms->items[i].sig].meaning;

		if (strncmp(m, "Progress", 8) != 0 &&
		    strncmp(m, "Success", 7) != 0)
			return false;
	}
	return true;
}

/* No likely cause: say why, and what input would let hvdoctor tell. */
static void no_answer(struct hv_strbuf *out, const struct hv_explain_view *v,
		      const struct hv_style *st)
{
	const char *advice =
		"Give the whole error text (every line, with - to read it "
		"from standard input), or the HRESULT or event id it shows, "
		"and what you know with --context (auth=, os=, initiated=, "
		"clustered=, percent=).";

	if (outside(out, v, st))
		return;
	heading(out, v, st,
		hv_symptoms_empty(v->symptoms)
			? "Nothing in the input matched the knowledge base."
			: "No likely cause follows from what was recognised.");
	if (!hv_symptoms_empty(v->symptoms) && only_progress(v))
		advice = "These entries report progress or success, not a "
			 "failure. If a move failed, give the error it logged "
			 "after them (Hyper-V-High-Availability-Admin, "
			 "Hyper-V-VMMS-Admin, Hyper-V-Worker-Admin) or the "
			 "whole error text.";
	else if (!hv_symptoms_empty(v->symptoms))
		advice = "These entries only report that something failed. "
			 "Give the Hyper-V events logged just before them "
			 "(Hyper-V-High-Availability-Admin, "
			 "Hyper-V-VMMS-Admin, Hyper-V-Worker-Admin) or the "
			 "whole error text, and what you know with --context.";
	hv_wrap_add(out, advice, 0, 0, v->width, HV_WRAP_PROSE);
}

void hv_render_explain_text(struct hv_strbuf *out,
			    const struct hv_explain_view *v,
			    const struct hv_style *st)
{
	if (v->ranking->n_likely)
		likely(out, v, st);
	else
		no_answer(out, v, st);
	not_likely(out, v, st, HV_RULED_OUT);
	not_likely(out, v, st, HV_UNLIKELY);
	recognised(out, v, st);
	context_line(out, v);
	named_line(out, v);
}
