/* The JSON document of `hvdoctor explain --json`, schema
 * "hvdoctor.explain/1". Fields are only ever added to it; "causes" lists
 * every candidate, likely ones first, each with its verdict. */
#include "render/render_explain.h"

#include "base/json.h"

#include <inttypes.h>
#include <stdio.h>

static const char *basis_name(enum hv_basis basis)
{
	switch (basis) {
	case HV_BASIS_EVIDENCE:
		return "evidence";
	case HV_BASIS_HEADLINE:
		return "headline";
	case HV_BASIS_CONTEXT:
		return "context";
	case HV_BASIS_NOTHING:
		break;
	}
	return "nothing";
}

static const char *verdict_name(enum hv_verdict verdict)
{
	switch (verdict) {
	case HV_LIKELY:
		return "likely";
	case HV_RULED_OUT:
		return "ruled-out";
	case HV_UNLIKELY:
		break;
	}
	return "unlikely";
}

static const char *match_name(enum hv_match how)
{
	switch (how) {
	case HV_MATCH_CODE:
		return "code";
	case HV_MATCH_TEXT:
		return "text";
	case HV_MATCH_EVENT_ID:
		break;
	}
	return "event-id";
}

static void json_code(struct hv_json *js, const struct hv_signature *sig)
{
	char code[32];

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
}

static void json_recognised(struct hv_json *js, const struct hv_explain_view *v)
{
	hv_json_key(js, "recognised");
	hv_json_array_begin(js);
	for (size_t i = 0; i < v->symptoms->n; i++) {
		const struct hv_symptom *sym = &v->symptoms->items[i];
		const struct hv_signature *sig = &v->kb->sigs[sym->sig];

		hv_json_object_begin(js);
		hv_json_kv_string(js, "signature", sig->id);
		hv_json_kv_string(js, "kind", hv_sig_kind_name(sig->kind));
		json_code(js, sig);
		hv_json_kv_string(js, "name",
				  sig->n_names ? sig->names[0] : NULL);
		hv_json_kv_string(js, "channel", sig->channel);
		hv_json_kv_string(js, "meaning", sig->meaning);
		hv_json_kv_string(js, "matched", sym->matched);
		hv_json_kv_string(js, "read_as", sym->as);
		hv_json_kv_string(js, "how", match_name(sym->how));
		hv_json_kv_bool(js, "container", sig->container);
		hv_json_kv_string(js, "outside", sig->outside);
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
			hv_json_kv_string(js, "role",
					  hv_host_role_name(items[i].role));
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

/* checked_by keeps its meaning (how hvdoctor checks the cause) but names
 * only commands this binary has; "checks" lists them all, marked. */
static void json_checks(struct hv_json *js, const struct hv_explain_view *v,
			const struct hv_cause *c)
{
	struct hv_strbuf runnable = HV_STRBUF_INIT;

	hv_json_key(js, "checks");
	hv_json_array_begin(js);
	for (size_t i = 0; i < c->n_checks; i++) {
		bool can = hv_explain_can_run(v, &c->checks[i]);

		hv_json_object_begin(js);
		hv_json_kv_string(js, "command", c->checks[i].command);
		hv_json_kv_string(js, "text", c->checks[i].text);
		hv_json_kv_bool(js, "available", can);
		hv_json_object_end(js);
		if (can)
			hv_strbuf_addf(&runnable, "%s%s",
				       runnable.len ? "\n" : "",
				       c->checks[i].text);
	}
	hv_json_array_end(js);
	hv_json_kv_string(js, "checked_by",
			  runnable.len ? hv_strbuf_str(&runnable) : NULL);
	hv_strbuf_release(&runnable);
}

static void json_cause(struct hv_json *js, const struct hv_explain_view *v,
		       const struct hv_ranked *r)
{
	const struct hv_cause *c = &v->kb->causes[r->cause];
	struct hv_strbuf why = HV_STRBUF_INIT;

	for (size_t w = 0; w < r->n_why; w++)
		hv_strbuf_addf(&why, "%s%s", w ? "; " : "", r->why[w]);
	hv_json_object_begin(js);
	hv_json_kv_string(js, "id", c->id);
	hv_json_kv_string(js, "title", c->title);
	hv_json_kv_string(js, "severity", hv_severity_name(c->severity));
	hv_json_kv_int(js, "score", r->score);
	hv_json_kv_string(js, "verdict", verdict_name(r->verdict));
	hv_json_kv_int(js, "evidence", r->evidence);
	hv_json_kv_int(js, "prior", r->prior);
	hv_json_kv_string(js, "why", hv_strbuf_str(&why));
	hv_json_kv_string(js, "caveat", r->caveat);
	hv_json_kv_string(js, "explain", c->explain);
	hv_json_kv_string(js, "confirm", c->confirm);
	hv_json_kv_string(js, "fix", c->fix);
	hv_json_kv_string(js, "verify", c->verify);
	json_checks(js, v, c);
	hv_json_object_end(js);
	hv_strbuf_release(&why);
}

void hv_render_explain_json(struct hv_strbuf *out,
			    const struct hv_explain_view *v)
{
	struct hv_json js;

	hv_json_init(&js, out, true);
	hv_json_object_begin(&js);
	hv_json_kv_string(&js, "schema", HV_EXPLAIN_SCHEMA);
	hv_json_kv_bool(&js, "matched", !hv_symptoms_empty(v->symptoms));
	hv_json_kv_string(&js, "basis", basis_name(v->ranking->basis));
	hv_json_kv_bool(&js, "text_unread",
			hv_symptoms_words_unread(v->symptoms));
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
	hv_json_key(&js, "causes");
	hv_json_array_begin(&js);
	for (size_t i = 0; i < v->ranking->n; i++)
		json_cause(&js, v, &v->ranking->items[i]);
	hv_json_array_end(&js);
	hv_json_object_end(&js);
	hv_strbuf_addch(out, '\n');
}
