#include "render/render_prove.h"

#include "base/json.h"
#include "render/render_probe.h"

#include <stdio.h>
#include <string.h>

static bool issued(const struct hv_krb_target *t)
{
	return t->answer.tried && t->answer.code == 0;
}

/* Asked and answered no: a KDC that could not be reached refused
 * nothing. */
static bool refused(const struct hv_krb_answer *a)
{
	return a->tried && a->code && !hv_krb_kdc_unreachable(a->code);
}

static bool disagrees(const struct hv_prove_view *view, size_t i)
{
	const struct hv_krb_target *t = &view->prove->targets[i];

	if (!view->expect || !t->answer.tried ||
	    view->expect[i] == HV_EXPECT_UNKNOWN)
		return false;
	return issued(t) != (view->expect[i] == HV_EXPECT_ALLOWED);
}

size_t hv_prove_disagreements(const struct hv_prove_view *view)
{
	size_t n = 0;

	for (size_t i = 0; i < view->prove->n_targets; i++)
		n += disagrees(view, i);
	return n;
}

static const char *flag_text(const struct hv_krb_answer *a)
{
	if (!a->tried)
		return "not asked";
	if (hv_krb_kdc_unreachable(a->code))
		return "could not ask the KDC";
	if (a->code)
		return "refused";
	return a->forwardable ? "issued, forwardable"
			      : "issued, NOT forwardable";
}

static void header(struct hv_strbuf *out, const struct hv_prove_view *view,
		   const struct hv_style *style)
{
	const struct hv_krb_prove *p = view->prove;
	size_t n_refused = 0, answered = 0;
	char line[256];

	for (size_t i = 0; i < p->n_targets; i++) {
		const struct hv_krb_answer *a = &p->targets[i].answer;

		answered += a->tried && !hv_krb_kdc_unreachable(a->code);
		n_refused += refused(a);
	}
	/* the answer first: what the KDC said, or why it was not asked */
	if (p->keytab_unreadable)
		snprintf(line, sizeof(line),
			 "hvdoctor prove: could not ask the KDC: %s",
			 hv_krb_keytab_lacks_key(p->tgt.code)
				 ? "the keytab has no usable key"
				 : "the keytab could not be read");
	else if (hv_krb_kdc_unreachable(p->tgt.code) ||
		 (answered == 0 && p->n_targets && p->targets[0].answer.tried))
		snprintf(line, sizeof(line),
			 "hvdoctor prove: could not ask the KDC");
	else if (p->tgt.tried && p->tgt.code)
		snprintf(line, sizeof(line),
			 "hvdoctor prove: no TGT, so no ticket was asked for");
	else
		snprintf(line, sizeof(line),
			 "hvdoctor prove: %zu of %zu tickets refused",
			 n_refused, answered);
	hv_style_add(out, style, n_refused ? HV_TONE_RED : HV_TONE_BOLD, line);
	hv_strbuf_adds(out, p->keytab ? "\n  S4U as " : "\n  own ticket of ");
	hv_render_safe(out, p->client ? p->client : p->as);
	if (p->keytab) {
		hv_strbuf_adds(out, " for ");
		hv_render_safe(out, p->user);
	}
	hv_strbuf_adds(out, "\n\n");
	hv_strbuf_addf(out, "  TGT                 %s\n",
		       p->keytab_unreadable ? "not asked (keytab unreadable)"
					    : flag_text(&p->tgt));
	if (p->keytab)
		hv_strbuf_addf(out, "  S4U2Self for user   %s\n",
			       flag_text(&p->s4u_self));
	if (p->self_self.tried)
		hv_strbuf_addf(out, "  S4U2Self for itself %s\n",
			       flag_text(&p->self_self));
}

static void tickets(struct hv_strbuf *out, const struct hv_prove_view *view,
		    const struct hv_style *style)
{
	const struct hv_krb_prove *p = view->prove;

	for (size_t i = 0; i < p->n_targets; i++) {
		const struct hv_krb_target *t = &p->targets[i];
		const char *name = hv_krb_error_name(t->answer.code);

		if (i == 0 || strcmp(t->host, p->targets[i - 1].host) != 0) {
			hv_strbuf_adds(out, "\nto ");
			hv_render_safe(out, t->host);
			hv_strbuf_addch(out, '\n');
		}
		hv_strbuf_adds(out, "  ");
		hv_render_safe(out, t->spn);
		/* the answer beside the SPN when both fit in 80 columns */
		if (strlen(t->spn) <= 56)
			hv_strbuf_addf(out, "%*s", (int)(58 - strlen(t->spn)),
				       "");
		else
			hv_strbuf_addf(out, "\n%60s", "");
		if (!t->answer.tried)
			hv_strbuf_adds(out, "not asked");
		else if (hv_krb_kdc_unreachable(t->answer.code))
			hv_strbuf_adds(out, "could not ask");
		else if (issued(t))
			hv_style_add(out, style, HV_TONE_GREEN, "allowed");
		else
			hv_style_add(out, style, HV_TONE_RED,
				     name ? name : "refused");
		hv_strbuf_addch(out, '\n');
		/* on a line of its own: beside the answer it would pass 80
		 * columns */
		if (disagrees(view, i)) {
			hv_strbuf_adds(out, "    ");
			hv_style_add(out, style, HV_TONE_YELLOW,
				     view->expect[i] == HV_EXPECT_ALLOWED
					     ? "DISAGREES with the directory: "
					       "it allows this"
					     : "DISAGREES with the directory: "
					       "it does not allow this");
			hv_strbuf_addch(out, '\n');
		}
	}
}

void hv_render_prove_text(struct hv_strbuf *out,
			  const struct hv_prove_view *view,
			  const struct hv_style *style)
{
	const struct hv_prove_verdicts *v = view->verdicts;
	size_t odd = hv_prove_disagreements(view);
	bool any = false;

	header(out, view, style);
	tickets(out, view, style);
	for (size_t i = 0; i < v->n; i++) {
		const struct hv_prove_verdict *f = &v->items[i];
		const struct hv_cause *c =
			f->cause ? hv_kb_cause(view->kb, f->cause) : NULL;

		if (f->level == HV_LEVEL_OK || f->quiet)
			continue;
		if (!any)
			hv_strbuf_adds(out, "\nfindings\n");
		any = true;
		hv_strbuf_addf(out, f->cause ? "%-12s" : "%s",
			       f->level == HV_LEVEL_UNCHECKED
				       ? "not checked"
				       : hv_level_name(f->level));
		if (f->cause) {
			struct hv_strbuf head = HV_STRBUF_INIT;

			hv_strbuf_addf(&head, "%s%s%s", f->cause, c ? ": " : "",
				       c ? c->title : "");
			hv_render_wrapped(out, head.buf, 12, 80);
			hv_strbuf_release(&head);
		} else {
			hv_strbuf_addch(out, '\n');
		}
		hv_strbuf_adds(out, "            ");
		hv_render_wrapped(out, f->message, 12, 80);
	}
	if (odd) {
		struct hv_strbuf why = HV_STRBUF_INIT;

		hv_strbuf_addf(&why,
			       "the KDC and the directory (%s) disagree on "
			       "%zu ticket%s: replication not finished, a "
			       "stale export, or a KDC rule the directory "
			       "does not show",
			       view->audit_label ? view->audit_label : "?", odd,
			       odd == 1 ? "" : "s");
		hv_strbuf_addch(out, '\n');
		hv_render_wrapped(out, why.buf, 0, 80);
		hv_strbuf_release(&why);
	}
}

static void json_answer(struct hv_json *js, const char *key,
			const struct hv_krb_answer *a)
{
	hv_json_key(js, key);
	if (!a->tried) {
		hv_json_null(js);
		return;
	}
	hv_json_object_begin(js);
	hv_json_kv_bool(js, "issued", a->code == 0);
	hv_json_kv_bool(js, "forwardable", a->code == 0 && a->forwardable);
	hv_json_kv_string(js, "kdc_error", hv_krb_error_name(a->code));
	hv_json_kv_int(js, "krb5_code", a->code);
	hv_json_kv_string(js, "message", a->text);
	hv_json_object_end(js);
}

static void json_target(struct hv_json *js, const struct hv_prove_view *view,
			size_t i)
{
	const struct hv_krb_target *t = &view->prove->targets[i];
	const struct hv_prove_verdict *f =
		hv_prove_verdict_of(view->verdicts, i);
	static const char *const expect[] = {NULL, "allowed", "refused"};

	hv_json_object_begin(js);
	hv_json_kv_string(js, "to", t->host);
	hv_json_kv_string(js, "service",
			  t->service == HV_KRB_VSMS ? "vsms" : "cifs");
	hv_json_kv_string(js, "name_form", t->fqdn ? "fqdn" : "short");
	hv_json_kv_string(js, "spn", t->spn);
	hv_json_kv_string(js, "verdict",
			  !t->answer.tried ? "not-asked"
			  : issued(t)	   ? "allowed"
					   : "refused");
	json_answer(js, "kdc", &t->answer);
	hv_json_kv_string(js, "cause", f ? f->cause : NULL);
	hv_json_kv_string(js, "severity", f ? hv_level_name(f->level) : NULL);
	hv_json_kv_string(js, "message", f ? f->message : NULL);
	hv_json_kv_string(js, "directory_expects",
			  view->expect ? expect[view->expect[i]] : NULL);
	hv_json_kv_bool(js, "disagrees", disagrees(view, i));
	hv_json_object_end(js);
}

void hv_render_prove_json(struct hv_strbuf *out,
			  const struct hv_prove_view *view)
{
	const struct hv_krb_prove *p = view->prove;
	const struct hv_prove_verdicts *v = view->verdicts;
	struct hv_json js;

	hv_json_init(&js, out, true);
	hv_json_object_begin(&js);
	hv_json_kv_string(&js, "schema", "hvdoctor.prove/1");
	hv_json_kv_string(&js, "mode", p->keytab ? "s4u" : "own-ticket");
	hv_json_kv_string(&js, "realm", p->realm);
	hv_json_kv_string(&js, "client", p->client);
	hv_json_kv_string(&js, "user", p->keytab ? p->user : NULL);
	json_answer(&js, "tgt", &p->tgt);
	json_answer(&js, "s4u2self", &p->s4u_self);
	json_answer(&js, "s4u2self_for_itself", &p->self_self);
	hv_json_key(&js, "results");
	hv_json_array_begin(&js);
	for (size_t i = 0; i < p->n_targets; i++)
		json_target(&js, view, i);
	hv_json_array_end(&js);
	hv_json_key(&js, "findings");
	hv_json_array_begin(&js);
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i].level == HV_LEVEL_OK || v->items[i].quiet)
			continue;
		hv_json_object_begin(&js);
		if (v->items[i].target >= 0)
			hv_json_kv_string(&js, "spn",
					  p->targets[v->items[i].target].spn);
		hv_json_kv_string(&js, "severity",
				  hv_level_name(v->items[i].level));
		hv_json_kv_string(&js, "cause", v->items[i].cause);
		hv_json_kv_string(&js, "message", v->items[i].message);
		hv_json_object_end(&js);
	}
	hv_json_array_end(&js);
	hv_json_kv_string(&js, "directory", view->audit_label);
	hv_json_kv_int(&js, "disagreements",
		       (int64_t)hv_prove_disagreements(view));
	hv_json_object_end(&js);
	hv_strbuf_addch(out, '\n');
}
