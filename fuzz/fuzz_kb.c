/* libFuzzer target for the knowledge-base reader: arbitrary bytes are
 * a `--kb DIR` file. The text is given with its length and no NUL after
 * it, as hv_kb_parse() allows. Beyond "no crash, no sanitizer report" it
 * checks and aborts if:
 *  1. an error is not HV_ERR_INPUT with "file:line" in err.where;
 *  2. a validated kb has a cause reference out of range;
 *  3. scanning and ranking with a validated kb breaks (its own
 *     fragments and codes are fed back as input), or rendering its
 *     text lets a control byte through;
 *  4. a check parsed from checked-by has no command.
 * Run: build-fuzz/fuzz_kb -max_total_time=60 CORPUS_COPY fuzz/corpus/kb */
#include "knowledge/context.h"
#include "diagnosis/explain.h"
#include "base/alloc.h"
#include "base/strbuf.h"
#include "knowledge/kb.h"
#include "diagnosis/symptoms.h"
#include "render/render_explain.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_kb: %s\n", what);
		abort();
	}
}

/* "fuzz.kb:N" with N >= 1 */
static void check_where(const struct hv_error *err)
{
	const char *p = err->where;

	check(err->category == HV_ERR_INPUT, "error is not HV_ERR_INPUT");
	check(strncmp(p, "fuzz.kb:", 8) == 0, "error without file name");
	p += 8;
	check(*p >= '1' && *p <= '9', "error without a line number");
	check(strspn(p, "0123456789") == strlen(p), "bad line number");
	check(err->message[0] != '\0', "error without a message");
}

/* The kb's own prose through the text renderer, at every check. */
static void render(const struct hv_kb *kb, const struct hv_symptoms *sym,
		   const struct hv_explanation *ex)
{
	static const char *const commands[] = {"audit", "probe", NULL};
	struct hv_explain_view view = {kb, sym, ex, commands, 3, 40, true};
	struct hv_style plain = {false};
	struct hv_strbuf out = HV_STRBUF_INIT;

	hv_render_explain_text(&out, &view, &plain);
	for (size_t i = 0; i < out.len; i++)
		check((unsigned char)out.buf[i] >= 0x20 || out.buf[i] == '\n',
		      "control byte in the text report");
	hv_strbuf_release(&out);
	for (size_t c = 0; c < kb->n_causes; c++)
		for (size_t k = 0; k < kb->causes[c].n_checks; k++)
			check(kb->causes[c].checks[k].command[0] != '\0',
			      "a check without a command");
}

/* Everything the kb would recognise, fed back through the scanner. */
static void exercise(const struct hv_kb *kb)
{
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_symptoms sym = {0};
	struct hv_context ctx = {0};
	struct hv_explanation ex = {0};

	hv_context_set(&ctx, "auth=kerberos", NULL);
	hv_context_set(&ctx, "os=2016", NULL);
	hv_context_set(&ctx, "percent=50", NULL);
	for (size_t i = 0; i < kb->n_sigs && i < 64; i++) {
		const struct hv_signature *s = &kb->sigs[i];

		hv_strbuf_addf(&text, "0x%08" PRIX32 " event %u ", s->code,
			       s->event);
		if (s->n_names)
			hv_strbuf_addf(&text, "%s ", s->names[0]);
		if (s->n_fragments)
			hv_strbuf_addf(&text, "%s\n", s->fragments[0]);
	}
	hv_symptoms_scan(kb, hv_strbuf_str(&text), 1, &sym);
	for (size_t i = 0; i < sym.n; i++)
		check(sym.items[i].sig < kb->n_sigs, "symptom out of range");
	hv_explain_rank(kb, &sym, &ctx, &ex);
	for (size_t i = 0; i < ex.n; i++)
		check(ex.items[i].cause < kb->n_causes, "cause out of range");
	render(kb, &sym, &ex);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
	hv_strbuf_release(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_kb kb = {0};
	struct hv_error err;
	char *copy;
	int rc;

	if (size > 1 << 16)
		return 0;
	/* an exact-size copy: reading past the length is a sanitizer
	 * report */
	copy = malloc(size ? size : 1);
	check(copy != NULL, "out of memory");
	if (size)
		memcpy(copy, data, size);
	memset(&err, 0, sizeof(err));
	rc = hv_kb_parse(&kb, "fuzz.kb", copy, size, &err);
	if (rc == 0) {
		rc = hv_kb_validate(&kb, &err);
		/* an empty kb has no record, so no line to name */
		if (rc != 0 && kb.n_causes == 0)
			rc = 0;
		else if (rc == 0) {
			for (size_t i = 0; i < kb.n_sigs; i++)
				for (size_t c = 0; c < kb.sigs[i].n_causes; c++)
					check(kb.sigs[i].cause_index[c] <
						      kb.n_causes,
					      "cause index out of range");
			exercise(&kb);
		} else {
			check_where(&err);
		}
	} else {
		check_where(&err);
	}
	hv_kb_release(&kb);
	free(copy);
	return 0;
}
