/* libFuzzer target for `hvdoctor explain`: arbitrary bytes are what an
 * admin pastes. They are scanned against the built-in knowledge base
 * (loaded once), ranked under a context taken from the first byte, and
 * rendered as text and JSON. Beyond "no crash, no sanitizer report" it
 * checks and aborts if:
 *  1. a symptom or ranked cause points outside the knowledge base;
 *  2. the ranking does not list likely causes first, by score, each
 *     above 0, and ruled-out ones at 0;
 *  3. the JSON is not valid UTF-8 or holds a raw control character;
 *  4. the text (without colour) holds a control byte other than a
 *     newline, or a line wider than the width that is not one word;
 *  5. the normal form of the first argument (base/textnorm.h) grows past
 *     its bound, maps a byte to no line or no text offset, or does not
 *     find the first argument's own pattern in it (a text matches
 *     itself, whatever its wraps, quotes and contractions).
 * A NUL byte splits the input into arguments (up to 8), as the CLI
 * gives several. Run: build-fuzz/fuzz_symptoms -max_total_time=60 CORPUS_COPY
 * fuzz/corpus/symptoms */
#include "knowledge/context.h"
#include "diagnosis/explain.h"
#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/textnorm.h"
#include "base/utf8.h"
#include "knowledge/kb.h"
#include "render/render_explain.h"
#include "render/wrap.h"
#include "diagnosis/symptoms.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hv_kb kb;
static const char *const commands[] = {"explain", "audit", NULL};

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_symptoms: %s\n", what);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct hv_error err;

	(void)argc;
	(void)argv;
	if (hv_kb_load(&kb, NULL, &err) != 0) {
		fprintf(stderr, "fuzz_symptoms: built-in kb: %s: %s\n",
			err.where, err.message);
		abort();
	}
	return 0;
}

/* Context facts from the bits of one byte, so the rules get exercised:
 * two bits each for os, auth, initiated and clustered. */
static void context_from(uint8_t b, struct hv_context *ctx)
{
	static const char *const facts[4][3] = {
		{"os=2012r2", "os=2016", "os=2025"},
		{"auth=credssp", "auth=kerberos", "percent=95"},
		{"initiated=remote", "initiated=source", "phase=destination"},
		{"clustered=yes", "storage=yes", "percent=5"},
	};

	memset(ctx, 0, sizeof(*ctx));
	for (int k = 0; k < 4; k++) {
		unsigned v = (b >> (2 * k)) & 3;

		if (v)
			check(hv_context_set(ctx, facts[k][v - 1], NULL) == 0,
			      "a built-in fact did not parse");
	}
}

static void check_json(const struct hv_strbuf *js)
{
	size_t i = 0;

	while (i < js->len) {
		unsigned char c = (unsigned char)js->buf[i];
		size_t n = hv_utf8_valid_prefix(js->buf + i, js->len - i);

		check(n > 0, "JSON is not valid UTF-8");
		check(c >= 0x20 || c == '\n', "raw control character in JSON");
		i += n;
	}
	check(js->len > 0 && js->buf[js->len - 1] == '\n',
	      "JSON does not end in a newline");
}

static void check_ranking(const struct hv_explanation *ex)
{
	check(ex->n_likely <= ex->n, "more likely causes than causes");
	for (size_t i = 0; i < ex->n; i++) {
		const struct hv_ranked *r = &ex->items[i];

		check(r->cause < kb.n_causes, "cause out of range");
		check((r->verdict == HV_LIKELY) == (i < ex->n_likely),
		      "likely causes are not listed first");
		check(r->verdict != HV_LIKELY || r->score > 0,
		      "a likely cause scores 0 or less");
		check(r->verdict != HV_RULED_OUT || r->score == 0,
		      "a ruled-out cause has a score");
		check(r->verdict == HV_LIKELY || r->score <= 0,
		      "a cause with a positive score is not likely");
		if (i)
			check(ex->items[i - 1].score >= r->score,
			      "ranking not ordered by score");
	}
}

/* Plain text: no byte that could steer a terminal, lines that fit. */
static void check_text(const struct hv_strbuf *text, int width)
{
	const char *p = text->buf ? text->buf : "";

	for (size_t i = 0; i < text->len; i++)
		check((unsigned char)p[i] >= 0x20 || p[i] == '\n',
		      "control byte in the text report");
	while (*p) {
		size_t len = strcspn(p, "\n");
		size_t lead = strspn(p, " ");

		check(hv_term_width(p, len) <= width ||
			      !memchr(p + lead, ' ', len - lead),
		      "a line of several words is wider than the width");
		p += len + (p[len] == '\n');
	}
}

/* Property 5. Patterns drop the quotes around placeholders and one-word
 * patterns are matched in the text as written, so the self-match is
 * only asserted for text without quotes, '%' or the pattern markers. */
static void check_normal_form(const char *arg)
{
	struct hv_textnorm n = {0};
	size_t len = strlen(arg), start, end;
	char *pattern;

	hv_textnorm_text(arg, len, &n);
	check(n.len <= 2 * len + 16 && n.key_len <= n.len, "normal form grew");
	for (size_t i = 0; i < n.len; i++)
		check(n.line[i] >= 1 && (i == 0 || n.line[i] >= n.line[i - 1]),
		      "normal form lost a line");
	for (size_t i = 0; i < n.key_len; i++)
		check(n.key_at[i] < n.len, "key byte from no text");
	pattern = hv_textnorm_pattern(arg);
	if (*pattern && !strpbrk(arg, "'\"`%\x1a\x1b") &&
	    !strstr(arg, "\xE2\x80") && !strstr(arg, "\xC2\xAB") &&
	    !strstr(arg, "\xC2\xBB") && !strstr(arg, "\xE3\x80\x8C") &&
	    !strstr(arg, "\xE3\x80\x8D"))
		check(hv_textnorm_find(&n, pattern, &start, &end) &&
			      start < end && end <= n.len,
		      "a text does not match its own pattern");
	free(pattern);
	hv_textnorm_release(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_symptoms sym = {0};
	struct hv_context ctx;
	struct hv_explanation ex = {0};
	struct hv_explain_view view;
	struct hv_strbuf text = HV_STRBUF_INIT, json = HV_STRBUF_INIT;
	struct hv_style style = {false};
	char *copy;
	unsigned input = 0;

	if (size > 1 << 16)
		return 0;
	context_from(size ? data[0] : 0, &ctx);
	style.color = size && (data[0] & 1);
	copy = hv_strndup((const char *)data, size);
	check_normal_form(copy);
	/* at most 8 arguments: more only slow the fuzzer down */
	for (size_t pos = 0; pos <= size && input < 8; input++) {
		hv_symptoms_scan(&kb, copy + pos, input + 1, &sym);
		pos += strlen(copy + pos) + 1;
	}
	for (size_t i = 0; i < sym.n; i++) {
		check(sym.items[i].sig < kb.n_sigs, "symptom out of range");
		check(sym.items[i].input >= 1 && sym.items[i].input <= input,
		      "symptom from no input");
	}
	hv_explain_rank(&kb, &sym, &ctx, &ex);
	view = (struct hv_explain_view){
		.kb = &kb,
		.symptoms = &sym,
		.ranking = &ex,
		.commands = commands,
		.detailed = 3,
		.width = size > 1 && (data[1] & 1) ? 40 : 80,
		.all = size > 1 && (data[1] & 2),
	};
	check_ranking(&ex);
	hv_render_explain_text(&text, &view, &style);
	if (!style.color)
		check_text(&text, view.width);
	hv_render_explain_json(&json, &view);
	check_json(&json);
	hv_strbuf_release(&text);
	hv_strbuf_release(&json);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
	free(copy);
	return 0;
}
