/* hvdoctor explain: what an error code, event id or pasted message means,
 * and its likely causes ranked, with how to confirm and fix each. */
#include "commands.h"

#include "diagnosis/explain.h"
#include "render/render_explain.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_JSON = 1, OPT_CONTEXT, OPT_ALL };

static const struct cli_option explain_options[] = {
	{"json", NULL, "print JSON (schema hvdoctor.explain/1)", OPT_JSON},
	{"context", "KEY=VALUE",
	 "a fact you know (repeatable):\n"
	 "os=2012|2012r2|2016|2019|2022|2025, auth=kerberos|credssp,\n"
	 "initiated=source|remote, clustered=yes|no,\n"
	 "phase=source|destination, percent=N, storage=yes|no",
	 OPT_CONTEXT},
	{"all", NULL, "show full detail for every cause, not the top three",
	 OPT_ALL},
	{NULL, NULL, NULL, 0},
};

/* Each fact once: "--context auth=kerberos --context auth=credssp"
 * contradicts itself, and the last one winning silently would rank
 * causes on a fact the person did not mean. */
static int read_context(const struct cli_args *args, struct hv_context *ctx)
{
	const char *given[HV_CTX_COUNT] = {0};
	int seen[HV_CTX_COUNT] = {0};
	const char *v;

	for (size_t pos = 0; (v = cli_next(args, OPT_CONTEXT, &pos));) {
		struct hv_context one = {0};
		struct hv_error err;

		if (hv_context_set(&one, v, &err) < 0 ||
		    hv_context_set(ctx, v, &err) < 0) {
			cli_error("explain: --context %s: %s", v, err.message);
			return HV_EXIT_INCOMPLETE;
		}
		for (size_t k = 0; k < HV_CTX_COUNT; k++) {
			if (!one.known[k])
				continue;
			if (given[k] && one.value[k] != seen[k]) {
				cli_error("explain: --context %s and --context "
					  "%s contradict each other: give one",
					  given[k], v);
				return HV_EXIT_INCOMPLETE;
			}
			given[k] = v;
			seen[k] = one.value[k];
		}
	}
	return 0;
}

/* Every argument is scanned on its own ("-" reads standard input), so a
 * code typed alone is read as a code, and pasted text as text. */
static int scan_inputs(const struct cli_args *args, const struct hv_kb *kb,
		       struct hv_symptoms *sym)
{
	for (size_t i = 0; i < args->n_positional; i++) {
		const char *arg = args->positional[i];

		if (strcmp(arg, "-") == 0) {
			char *text = cli_read_stdin();

			if (!text)
				return HV_EXIT_INCOMPLETE;
			hv_symptoms_scan(kb, text, (unsigned)i + 1, sym);
			free(text);
		} else {
			hv_symptoms_scan(kb, arg, (unsigned)i + 1, sym);
		}
	}
	return 0;
}

/* Renders what was ranked as text or JSON, to the terminal's width,
 * advising only the commands in main's table. */
static int render(const struct cli_args *args,
		  const struct cli_globals *globals, const struct hv_kb *kb,
		  const struct hv_symptoms *sym,
		  const struct hv_explanation *ranking)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_style style = {globals->color, globals->width};
	struct hv_explain_view view = {
		.kb = kb,
		.symptoms = sym,
		.ranking = ranking,
		.commands = globals->commands,
		.detailed = 3,
		.width = globals->width,
		.all = cli_count(args, OPT_ALL) > 0,
	};
	int rc;

	if (cli_count(args, OPT_JSON))
		hv_render_explain_json(&out, &view);
	else
		hv_render_explain_text(&out, &view, &style);
	rc = cli_write_stdout(out.buf, out.len);
	hv_strbuf_release(&out);
	return rc;
}

static int run_explain(const struct cli_args *args,
		       const struct cli_globals *globals)
{
	struct hv_context ctx = {0};
	struct hv_symptoms sym = {0};
	struct hv_explanation ranking = {0};
	const struct hv_kb *kb = globals->kb;
	int rc;

	if (args->n_positional == 0 && !cli_count(args, OPT_CONTEXT)) {
		cli_error("explain: give an error code, an event id or the "
			  "error text (or - to read it from standard input), "
			  "or what you know with --context KEY=VALUE");
		return HV_EXIT_INCOMPLETE;
	}
	if ((rc = read_context(args, &ctx)) != 0)
		return rc;
	if ((rc = scan_inputs(args, kb, &sym)) == 0) {
		hv_explain_rank(kb, &sym, &ctx, &ranking);
		rc = render(args, globals, kb, &sym, &ranking);
		/* causes that fit the context alone are no diagnosis */
		if (rc == 0 && (ranking.n_likely == 0 ||
				ranking.basis == HV_BASIS_CONTEXT))
			rc = HV_EXIT_INCOMPLETE;
	}
	hv_explanation_release(&ranking);
	hv_symptoms_release(&sym);
	return rc;
}

const struct cli_command cmd_explain = {
	.name = "explain",
	.run = run_explain,
	.needs = CLI_NEEDS_KB,
	.usage = "[--json] [--all] [--context KEY=VALUE]... [--] "
		 "[TEXT|CODE|EVENT-ID|-]...",
	.summary = "what an error code, event id or message means, its "
		   "likely causes",
	.description =
		"Recognises HRESULTs in any spelling (0x8009030E, 8009030E,\n"
		"-2146893042, 2148074254), Win32/Winsock codes (10061,\n"
		"WSAECONNREFUSED), symbolic names (SEC_E_NO_CREDENTIALS),\n"
		"Kerberos errors (KDC_ERR_BADOPTION), event ids (21502,\n"
		"\"Event ID: 21502\", in Event Viewer's other languages too)\n"
		"and whole pasted messages from Hyper-V Manager, Failover\n"
		"Cluster Manager, PowerShell or Event Viewer (quote them, or\n"
		"give - and paste into standard input). The most specific\n"
		"evidence leads; what you know (--context) decides between\n"
		"causes and can rule some out, but never names a cause for\n"
		"text in which nothing was recognised. With --context alone\n"
		"(no text) it lists the causes that fit the facts, as no\n"
		"diagnosis. It says how to confirm and fix each cause.",
	.options = explain_options,
	.exit_status = "exit status: 0 likely causes named, 3 no likely "
		       "cause (nothing\nrecognised, or only entries that "
		       "name no cause), only --context\ngiven (causes that "
		       "fit it, no diagnosis), or bad input",
};
