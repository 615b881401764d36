#include "render/render_explain.h"

#include "base/json.h"
#include "base/term.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* At most max bytes of s, cut at a code point boundary. */
static size_t shown_len(const char *s, size_t max)
{
	size_t len = strlen(s);

	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static const char *role_name(enum hv_host_role role)
{
	switch (role) {
	case HV_ROLE_SOURCE:
		return "source";
	case HV_ROLE_DESTINATION:
		return "destination";
	case HV_ROLE_UNKNOWN:
		break;
	}
	return NULL;
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

static void text_recognised(struct hv_strbuf *out,
			    const struct hv_explain_view *v,
			    const struct hv_style *st)
{
	hv_style_add(out, st, HV_TONE_BOLD, "Recognised\n");
	for (size_t i = 0; i < v->symptoms->n; i++) {
		const struct hv_symptom *sym = &v->symptoms->items[i];
		const struct hv_signature *sig = &v->kb->sigs[sym->sig];
		char label[48];

		sig_label(sig, label, sizeof(label));
		hv_strbuf_adds(out, "  ");
		hv_style_pad(out, label, 18);
		hv_style_add(out, st, HV_TONE_BOLD,
			     sig->n_names   ? sig->names[0]
			     : sig->channel ? sig->channel
					    : sig->id);
		hv_strbuf_addch(out, '\n');
		hv_style_indent(out, sig->meaning, 20);
		hv_strbuf_addf(out, "%20sseen as \"", "");
		hv_term_escape(out, sym->matched, shown_len(sym->matched, 60));
		hv_strbuf_addf(out, "\" (%s", sym->as);
		if (sym->line > 1)
			hv_strbuf_addf(out, ", line %u", sym->line);
		hv_strbuf_adds(out, ")\n");
		if (sig->note)
			hv_style_indent(out, sig->note, 20);
	}
	for (size_t i = 0; i < v->symptoms->n_unknown; i++) {
		hv_strbuf_adds(out, "  ");
		hv_style_pad(out, v->symptoms->unknown[i], 18);
		hv_strbuf_adds(out, "not in the knowledge base\n");
	}
}

static void text_extracted(struct hv_strbuf *out,
			   const struct hv_explain_view *v,
			   const struct hv_style *st)
{
	const struct hv_symptoms *s = v->symptoms;
	const struct hv_context *ctx = &v->ranking->context;
	bool any_ctx = false;

	if (s->n_hosts || s->n_vms) {
		hv_style_add(out, st, HV_TONE_BOLD, "\nIn the text\n");
		for (size_t i = 0; i < s->n_hosts; i++) {
			const char *role = role_name(s->hosts[i].role);

			hv_strbuf_adds(out, "  host  ");
			hv_term_escapes(out, s->hosts[i].name);
			hv_strbuf_addf(out, "%s%s%s\n", role ? " (" : "",
				       role ? role : "", role ? ")" : "");
		}
		for (size_t i = 0; i < s->n_vms; i++) {
			hv_strbuf_adds(out, "  VM    ");
			hv_term_escapes(out, s->vms[i].name);
			hv_strbuf_addch(out, '\n');
		}
	}
	for (int k = 0; k < HV_CTX_COUNT; k++)
		any_ctx |= ctx->known[k];
	if (!any_ctx)
		return;
	hv_style_add(out, st, HV_TONE_BOLD, "\nContext\n");
	for (int k = 0; k < HV_CTX_COUNT; k++) {
		char num[16];

		if (!ctx->known[k])
			continue;
		hv_strbuf_addf(
			out, "  %s=%s%s\n", hv_ctx_key_name((enum hv_ctx_key)k),
			hv_ctx_value_name((enum hv_ctx_key)k, ctx->value[k],
					  num, sizeof(num)),
			v->ranking->context_from_text[k] ? "  (from the text)"
							 : "");
	}
}

static void text_section(struct hv_strbuf *out, const struct hv_style *st,
			 const char *title, const char *body)
{
	hv_strbuf_adds(out, "     ");
	hv_style_add(out, st, HV_TONE_BOLD, title);
	hv_strbuf_addch(out, '\n');
	hv_style_indent(out, body, 7);
}

/* How to tell a cause apart when nothing was recognised: the symptoms
 * that name it first. */
static void text_telltales(struct hv_strbuf *out, const struct hv_kb *kb,
			   size_t cause)
{
	size_t shown = 0;

	for (size_t i = 0; i < kb->n_sigs && shown < 4; i++) {
		const struct hv_signature *sig = &kb->sigs[i];
		char label[48];

		if (!sig->n_causes || sig->cause_index[0] != cause ||
		    sig->kind == HV_SIG_MESSAGE)
			continue;
		sig_label(sig, label, sizeof(label));
		hv_strbuf_addf(out, "%s%s%s%s%s",
			       shown ? ", " : "     tell-tale: ", label,
			       sig->n_names ? " " : "",
			       sig->n_names ? sig->names[0] : "", "");
		shown++;
	}
	if (shown)
		hv_strbuf_addch(out, '\n');
	hv_strbuf_adds(out, "     checked by:\n");
	hv_style_indent(out, kb->causes[cause].checked_by, 7);
}

static void text_cause(struct hv_strbuf *out, const struct hv_explain_view *v,
		       const struct hv_style *st, size_t rank)
{
	const struct hv_ranked *r = &v->ranking->items[rank];
	const struct hv_cause *c = &v->kb->causes[r->cause];
	char head[32];

	snprintf(head, sizeof(head), "%3zu  ", rank + 1);
	hv_strbuf_adds(out, head);
	hv_style_add(out, st, HV_TONE_BOLD, c->id);
	hv_strbuf_adds(out, "  ");
	hv_style_add(out, st, severity_tone(c->severity),
		     hv_severity_name(c->severity));
	if (v->recognised)
		hv_strbuf_addf(out, "  score %d", r->score);
	hv_strbuf_addf(out, "\n     %s\n", c->title);
	if (!v->recognised)
		text_telltales(out, v->kb, r->cause);
	if (rank >= v->detailed)
		return;
	for (size_t w = 0; w < r->n_why; w++)
		hv_strbuf_addf(out, "     %s %s\n",
			       w ? "    " : "why:", r->why[w]);
	hv_strbuf_addch(out, '\n');
	hv_style_indent(out, c->explain, 5);
	text_section(out, st, "confirm by hand:", c->confirm);
	text_section(out, st, "fix:", c->fix);
	text_section(out, st, "verify the fix:", c->verify);
	text_section(out, st, "hvdoctor checks it with:", c->checked_by);
	hv_strbuf_addch(out, '\n');
}

void hv_render_explain_text(struct hv_strbuf *out,
			    const struct hv_explain_view *v,
			    const struct hv_style *st)
{
	if (v->recognised) {
		text_recognised(out, v, st);
		text_extracted(out, v, st);
		hv_style_add(out, st, HV_TONE_BOLD,
			     "\nLikely causes, most likely first\n");
	} else {
		hv_strbuf_adds(out, "Nothing in the input matched the "
				    "knowledge base.\n");
		for (size_t i = 0; i < v->symptoms->n_unknown; i++)
			hv_strbuf_addf(out, "  %s: not in the knowledge base\n",
				       v->symptoms->unknown[i]);
		hv_style_add(out, st, HV_TONE_BOLD,
			     "\nThe common causes of a failed live migration,"
			     " in the order to rule them out\n");
	}
	for (size_t i = 0; i < v->ranking->n; i++)
		text_cause(out, v, st, i);
	if (v->ranking->n > v->detailed && v->recognised)
		hv_strbuf_adds(out, "\n(details of every cause: "
				    "--all; as data: --json)\n");
}

static void json_recognised(struct hv_json *js, const struct hv_explain_view *v)
{
	hv_json_key(js, "recognised");
	hv_json_array_begin(js);
	for (size_t i = 0; i < v->symptoms->n; i++) {
		const struct hv_symptom *sym = &v->symptoms->items[i];
		const struct hv_signature *sig = &v->kb->sigs[sym->sig];
		char code[32];

		hv_json_object_begin(js);
		hv_json_kv_string(js, "signature", sig->id);
		hv_json_kv_string(js, "kind", hv_sig_kind_name(sig->kind));
		hv_json_key(js, "code");
		switch (sig->kind) {
		case HV_SIG_HRESULT:
			snprintf(code, sizeof(code), "0x%08" PRIX32, sig->code);
			hv_json_string(js, code);
			break;
		case HV_SIG_WIN32:
		case HV_SIG_KERBEROS:
			hv_json_int(js, sig->code);
			break;
		case HV_SIG_EVENT:
			hv_json_int(js, sig->event);
			break;
		case HV_SIG_MESSAGE:
			hv_json_null(js);
			break;
		}
		hv_json_kv_string(js, "name",
				  sig->n_names ? sig->names[0] : NULL);
		hv_json_kv_string(js, "channel", sig->channel);
		hv_json_kv_string(js, "meaning", sig->meaning);
		hv_json_kv_string(js, "matched", sym->matched);
		hv_json_kv_string(js, "read_as", sym->as);
		hv_json_kv_int(js, "input", sym->input);
		hv_json_kv_int(js, "line", sym->line);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

static void json_named(struct hv_json *js, const char *key,
		       const struct hv_named *items, size_t n, bool roles)
{
	hv_json_key(js, key);
	hv_json_array_begin(js);
	for (size_t i = 0; i < n; i++) {
		hv_json_object_begin(js);
		hv_json_kv_string(js, "name", items[i].name);
		if (roles)
			hv_json_kv_string(js, "role", role_name(items[i].role));
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

static void json_context(struct hv_json *js, const struct hv_explanation *r)
{
	hv_json_key(js, "context");
	hv_json_object_begin(js);
	for (int k = 0; k < HV_CTX_COUNT; k++) {
		char num[16];

		if (!r->context.known[k])
			continue;
		hv_json_kv_string(js, hv_ctx_key_name((enum hv_ctx_key)k),
				  hv_ctx_value_name((enum hv_ctx_key)k,
						    r->context.value[k], num,
						    sizeof(num)));
	}
	hv_json_object_end(js);
}

static void json_causes(struct hv_json *js, const struct hv_explain_view *v)
{
	hv_json_key(js, "causes");
	hv_json_array_begin(js);
	for (size_t i = 0; i < v->ranking->n; i++) {
		const struct hv_ranked *r = &v->ranking->items[i];
		const struct hv_cause *c = &v->kb->causes[r->cause];
		struct hv_strbuf why = HV_STRBUF_INIT;

		for (size_t w = 0; w < r->n_why; w++)
			hv_strbuf_addf(&why, "%s%s", w ? "; " : "", r->why[w]);
		hv_json_object_begin(js);
		hv_json_kv_string(js, "id", c->id);
		hv_json_kv_string(js, "title", c->title);
		hv_json_kv_string(js, "severity",
				  hv_severity_name(c->severity));
		hv_json_kv_int(js, "score", r->score);
		hv_json_kv_string(js, "why", hv_strbuf_str(&why));
		hv_json_kv_string(js, "explain", c->explain);
		hv_json_kv_string(js, "confirm", c->confirm);
		hv_json_kv_string(js, "fix", c->fix);
		hv_json_kv_string(js, "verify", c->verify);
		hv_json_kv_string(js, "checked_by", c->checked_by);
		hv_json_object_end(js);
		hv_strbuf_release(&why);
	}
	hv_json_array_end(js);
}

void hv_render_explain_json(struct hv_strbuf *out,
			    const struct hv_explain_view *v)
{
	struct hv_json js;

	hv_json_init(&js, out, true);
	hv_json_object_begin(&js);
	hv_json_kv_string(&js, "schema", HV_EXPLAIN_SCHEMA);
	hv_json_kv_bool(&js, "matched", v->recognised);
	json_recognised(&js, v);
	hv_json_key(&js, "unknown");
	hv_json_array_begin(&js);
	for (size_t i = 0; i < v->symptoms->n_unknown; i++)
		hv_json_string(&js, v->symptoms->unknown[i]);
	hv_json_array_end(&js);
	json_named(&js, "hosts", v->symptoms->hosts, v->symptoms->n_hosts,
		   true);
	json_named(&js, "vms", v->symptoms->vms, v->symptoms->n_vms, false);
	json_context(&js, v->ranking);
	json_causes(&js, v);
	hv_json_object_end(&js);
	hv_strbuf_addch(out, '\n');
}
