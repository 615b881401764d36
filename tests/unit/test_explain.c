/* Ranking causes. The mechanics (what was matched, how many causes a
 * signature names, the strongest evidence leading, containers as a
 * prior, context rules that add, subtract or rule out) are tested on a
 * small knowledge base written here, as properties rather than pinned
 * scores; test_explain_kb.c checks the built-in knowledge base. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kb_fixture.h"

#include "base/strbuf.h"
#include "diagnosis/explain.h"
#include "diagnosis/symptoms.h"
#include "knowledge/context.h"
#include "knowledge/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Causes (all errors but tie-w; "ruled" has context rules) and the
 * signatures over them. */
static const char *const test_kb_lines[] = {"cause: one",
					    "cause: two",
					    "cause: three",
					    "cause: four",
					    "cause: five",
					    "cause: six",
					    "cause: seven",
					    "cause: eight",
					    "cause: tie-w",
					    "cause: tie-a",
					    "cause: tie-b",
					    "cause: ruled",
					    NULL};

static const char test_sigs[] =
	"signature: hr-one\nkind: hresult\ncode: 0x80070006\n"
	"meaning: m\ncauses: one\n\n"
	"signature: msg-one\nkind: message\nfragment: only cause one here\n"
	"meaning: m\ncauses: one\n\n"
	"signature: ev-one\nkind: event\nevent: 21125\nchannel: c\n"
	"meaning: m\ncauses: one\n\n"
	"signature: hr-many\nkind: hresult\ncode: 0x80070007\n"
	"meaning: m\ncauses: two one three four five six\n\n"
	"signature: hr-pair\nkind: hresult\ncode: 0x80070008\n"
	"meaning: m\ncauses: three two\n\n"
	"signature: hr-pair2\nkind: hresult\ncode: 0x80070009\n"
	"meaning: m\ncauses: four two\n\n"
	"signature: msg-head\nkind: message\n"
	"fragment: failed at migration source\ncontainer: yes\n"
	"meaning: m\ncauses: seven eight two\n\n"
	"signature: ev-head\nkind: event\nevent: 21502\nchannel: c\n"
	"container: yes\nmeaning: m\ncauses: eight seven\n\n"
	"signature: hr-tie-w\nkind: hresult\ncode: 0x8007000A\n"
	"meaning: m\ncauses: tie-w\n\n"
	"signature: hr-tie-b\nkind: hresult\ncode: 0x8007000C\n"
	"meaning: m\ncauses: tie-b\n\n"
	"signature: hr-tie-a\nkind: hresult\ncode: 0x8007000D\n"
	"meaning: m\ncauses: tie-a\n\n"
	"signature: hr-rule\nkind: hresult\ncode: 0x8007000B\n"
	"meaning: m\ncauses: five ruled\n\n"
	"signature: ev-none\nkind: event\nevent: 1069\nchannel: c\n"
	"meaning: m\ncauses: none\n\n"
	"signature: hr-outside\nkind: hresult\ncode: 0x80070070\n"
	"meaning: m\ncauses: none\noutside: the storage\n";

static int setup_test_kb(void **state)
{
	struct hv_kb *kb = calloc(1, sizeof(*kb));
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_error err;

	for (size_t i = 0; test_kb_lines[i]; i++) {
		const char *id = test_kb_lines[i] + 7;

		hv_strbuf_addf(&text,
			       "%s\ntitle: %s\nseverity: %s\nexplain: x\n"
			       "confirm: x\nfix: x\nverify: x\n",
			       test_kb_lines[i], id,
			       strcmp(id, "tie-w") == 0 ? "warning" : "error");
		if (strcmp(id, "ruled") == 0)
			hv_strbuf_adds(
				&text,
				"checked-by: hvdoctor diagnose --snapshot "
				"FILE\n"
				"context: auth=credssp 50 CredSSP\n"
				"context: auth=kerberos out not with "
				"Kerberos\n"
				"context: phase=destination -200 not at "
				"the destination\n"
				"context: percent<=10 20 early\n\n");
		else
			hv_strbuf_adds(&text, "checked-by: none\n\n");
	}
	hv_strbuf_adds(&text, test_sigs);
	if (!kb || hv_kb_parse(kb, "test.kb", text.buf, text.len, &err) != 0 ||
	    hv_kb_validate(kb, &err) != 0) {
		fprintf(stderr, "test kb: %s: %s\n", err.where, err.message);
		free(kb);
		hv_strbuf_release(&text);
		return -1;
	}
	hv_strbuf_release(&text);
	*state = kb;
	return 0;
}

static int teardown_kb(void **state)
{
	return kb_teardown(state);
}

static size_t sig_index(const struct hv_kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->n_sigs; i++)
		if (strcmp(kb->sigs[i].id, id) == 0)
			return i;
	fail_msg("no signature %s", id);
	return 0;
}

/* Symptoms as the scanner would report them. */
struct fake {
	struct hv_symptom items[16];
	char as[8];
	struct hv_symptoms sym;
};

static void fake_add(struct fake *f, size_t sig, enum hv_match how)
{
	struct hv_symptom *s = &f->items[f->sym.n++];

	assert_true(f->sym.n <= N(f->items));
	memset(s, 0, sizeof(*s));
	s->sig = sig;
	s->matched = (char *)"seen";
	s->as = f->as;
	s->how = how;
	s->input = 1;
	s->line = 1;
}

/* How a signature is most naturally matched: its code, else its text,
 * else its event id. */
static enum hv_match natural(const struct hv_signature *sig)
{
	if (sig->kind == HV_SIG_MESSAGE)
		return HV_MATCH_TEXT;
	if (sig->kind == HV_SIG_EVENT)
		return sig->n_fragments ? HV_MATCH_TEXT : HV_MATCH_EVENT_ID;
	return HV_MATCH_CODE;
}

static void fake_ids(struct fake *f, const struct hv_kb *kb,
		     const char *const *ids, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->sym.items = f->items;
	for (size_t i = 0; i < n; i++) {
		size_t s = sig_index(kb, ids[i]);

		fake_add(f, s, natural(&kb->sigs[s]));
	}
}

static void rank_ids(const struct hv_kb *kb, const char *const *ids, size_t n,
		     const struct hv_context *ctx, struct hv_explanation *out)
{
	struct fake f;

	memset(out, 0, sizeof(*out));
	fake_ids(&f, kb, ids, n);
	hv_explain_rank(kb, &f.sym, ctx, out);
}

static const struct hv_ranked *ranked(const struct hv_kb *kb,
				      const struct hv_explanation *ex,
				      const char *cause)
{
	for (size_t i = 0; i < ex->n; i++)
		if (strcmp(kb->causes[ex->items[i].cause].id, cause) == 0)
			return &ex->items[i];
	return NULL;
}

static int score_of(const struct hv_kb *kb, const struct hv_explanation *ex,
		    const char *cause)
{
	const struct hv_ranked *r = ranked(kb, ex, cause);

	if (!r)
		fail_msg("%s is not ranked", cause);
	return r->score;
}

static const char *first_id(const struct hv_kb *kb,
			    const struct hv_explanation *ex)
{
	return ex->n_likely ? kb->causes[ex->items[0].cause].id : "(none)";
}

static bool has_why(const struct hv_ranked *r, const char *part)
{
	for (size_t i = 0; r && i < r->n_why; i++)
		if (strstr(r->why[i], part))
			return true;
	return false;
}

static void set_ctx(struct hv_context *ctx, const char *assignment)
{
	struct hv_error err;

	if (hv_context_set(ctx, assignment, &err) != 0)
		fail_msg("%s: %s", assignment, err.message);
}

/* --- Mechanics on the test knowledge base. --- */

/* What was matched decides how much it says: a code over Microsoft's
 * exact words over a bare event id, whatever kind of record it is. */
static void test_match_kinds(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_context none = {0};
	struct hv_explanation code, text, id;
	struct fake f;

	memset(&f, 0, sizeof(f));
	f.sym.items = f.items;
	fake_add(&f, sig_index(kb, "ev-one"), HV_MATCH_CODE);
	memset(&code, 0, sizeof(code));
	hv_explain_rank(kb, &f.sym, &none, &code);
	f.items[0].how = HV_MATCH_TEXT;
	memset(&text, 0, sizeof(text));
	hv_explain_rank(kb, &f.sym, &none, &text);
	f.items[0].how = HV_MATCH_EVENT_ID;
	memset(&id, 0, sizeof(id));
	hv_explain_rank(kb, &f.sym, &none, &id);
	assert_true(score_of(kb, &code, "one") > score_of(kb, &text, "one"));
	assert_true(score_of(kb, &text, "one") > score_of(kb, &id, "one"));
	/* one cause matched by its code is the top of the scale */
	assert_int_equal(score_of(kb, &code, "one"), HV_EVIDENCE_MAX);
	assert_int_equal(code.basis, HV_BASIS_EVIDENCE);
	hv_explanation_release(&code);
	hv_explanation_release(&text);
	hv_explanation_release(&id);
}

/* A signature that names one cause says more of it than one that names
 * six says of its first. */
static void test_information(void **state)
{
	static const char *const ids[] = {"hr-one", "hr-many"};
	const struct hv_kb *kb = *state;
	struct hv_context none = {0};
	struct hv_explanation ex;

	rank_ids(kb, ids + 1, 1, &none, &ex);
	assert_true(score_of(kb, &ex, "two") < HV_EVIDENCE_MAX / 2 + 10);
	/* later in the list, less; never below the floor */
	assert_true(score_of(kb, &ex, "two") > score_of(kb, &ex, "one"));
	assert_true(score_of(kb, &ex, "one") > score_of(kb, &ex, "three"));
	assert_true(score_of(kb, &ex, "six") >= HV_EVIDENCE_MIN);
	assert_true(has_why(ranked(kb, &ex, "two"), "as cause 1 of 6"));
	hv_explanation_release(&ex);
	rank_ids(kb, ids, 2, &none, &ex);
	assert_string_equal(first_id(kb, &ex), "one");
	assert_true(has_why(ranked(kb, &ex, "one"), "names this cause only"));
	hv_explanation_release(&ex);
}

/* The strongest piece leads, the rest corroborate: two symptoms naming
 * a cause raise it, by less than the weaker one alone. */
static void test_strongest_leads(void **state)
{
	static const char *const pair[] = {"hr-pair"};
	static const char *const both[] = {"hr-pair", "hr-pair2"};
	const struct hv_kb *kb = *state;
	struct hv_context none = {0};
	struct hv_explanation one, two;
	int alone, together;

	rank_ids(kb, pair, 1, &none, &one);
	rank_ids(kb, both, 2, &none, &two);
	alone = score_of(kb, &one, "two");
	together = score_of(kb, &two, "two");
	assert_true(together > alone);
	assert_true(together < 2 * alone);
	assert_true(has_why(ranked(kb, &two, "two"), "names it too"));
	hv_explanation_release(&one);
	hv_explanation_release(&two);
}

/* Containers alone: a prior of at most HV_PRIOR_MAX, in their order. */
static void test_containers_alone(void **state)
{
	static const char *const ids[] = {"msg-head", "ev-head"};
	const struct hv_kb *kb = *state;
	struct hv_context none = {0};
	struct hv_explanation ex;

	rank_ids(kb, ids, 2, &none, &ex);
	assert_int_equal(ex.basis, HV_BASIS_HEADLINE);
	assert_int_equal(ex.n, 3);
	for (size_t i = 0; i < ex.n; i++)
		assert_true(ex.items[i].score <= HV_PRIOR_MAX);
	assert_true(has_why(&ex.items[0], "prior"));
	hv_explanation_release(&ex);
}

/* With specific evidence, a cause only a container names is no
 * candidate, and the container changes no score. */
static void test_containers_not_evidence(void **state)
{
	static const char *const alone[] = {"hr-pair"};
	static const char *const with[] = {"msg-head", "hr-pair", "ev-head"};
	const struct hv_kb *kb = *state;
	struct hv_context none = {0};
	struct hv_explanation a, b;

	rank_ids(kb, alone, 1, &none, &a);
	rank_ids(kb, with, 3, &none, &b);
	assert_int_equal(b.basis, HV_BASIS_EVIDENCE);
	assert_null(ranked(kb, &b, "seven"));
	assert_null(ranked(kb, &b, "eight"));
	assert_int_equal(a.n, b.n);
	for (size_t i = 0; i < a.n; i++) {
		assert_int_equal(a.items[i].cause, b.items[i].cause);
		assert_int_equal(a.items[i].score, b.items[i].score);
	}
	hv_explanation_release(&a);
	hv_explanation_release(&b);
}

static void test_rules_and_verdicts(void **state)
{
	static const char *const ids[] = {"hr-rule"};
	const struct hv_kb *kb = *state;
	struct hv_context ctx = {0};
	struct hv_explanation ex;
	const struct hv_ranked *r;
	int base;

	rank_ids(kb, ids, 1, &ctx, &ex);
	base = score_of(kb, &ex, "ruled");
	assert_string_equal(first_id(kb, &ex), "five");
	hv_explanation_release(&ex);

	/* a rule lifts its cause above the first-listed one */
	set_ctx(&ctx, "auth=credssp");
	rank_ids(kb, ids, 1, &ctx, &ex);
	assert_string_equal(first_id(kb, &ex), "ruled");
	assert_int_equal(ex.items[0].score, base + 50);
	assert_true(has_why(&ex.items[0], "auth=credssp: CredSSP (+50)"));
	hv_explanation_release(&ex);

	/* "out" rules it out whatever its evidence: not likely, score 0 */
	set_ctx(&ctx, "auth=kerberos");
	rank_ids(kb, ids, 1, &ctx, &ex);
	r = ranked(kb, &ex, "ruled");
	assert_int_equal(r->verdict, HV_RULED_OUT);
	assert_int_equal(r->score, 0);
	assert_true(has_why(r, "(ruled out)"));
	assert_string_equal(r->why[r->decisive],
			    "auth=kerberos: not with Kerberos (ruled out)");
	assert_int_equal(ex.n_likely, 1);
	hv_explanation_release(&ex);

	/* a negative total is never likely */
	memset(&ctx, 0, sizeof(ctx));
	set_ctx(&ctx, "phase=destination");
	rank_ids(kb, ids, 1, &ctx, &ex);
	r = ranked(kb, &ex, "ruled");
	assert_int_equal(r->verdict, HV_UNLIKELY);
	assert_true(r->score <= 0);
	assert_true(ex.n_likely == 1);
	assert_string_equal(ex.items[ex.n - 1].why[ex.items[ex.n - 1].decisive],
			    "phase=destination: not at the destination (-200)");
	hv_explanation_release(&ex);
}

/* Facts from the text fill what the admin did not say; what the admin
 * said wins. */
static void test_context_from_text(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms sym = {0};
	struct hv_context ctx = {0};
	struct hv_explanation ex = {0};

	hv_symptoms_scan(kb,
			 "failed at migration source 'HV2' at 5 % with "
			 "0x8007000B",
			 1, &sym);
	hv_explain_rank(kb, &sym, &ctx, &ex);
	assert_true(ex.context_from_text[HV_CTX_PHASE]);
	assert_int_equal(ex.context.value[HV_CTX_PERCENT], 5);
	assert_true(has_why(ranked(kb, &ex, "ruled"), "percent<=10"));
	hv_explanation_release(&ex);

	set_ctx(&ctx, "percent=50");
	hv_explain_rank(kb, &sym, &ctx, &ex);
	assert_false(ex.context_from_text[HV_CTX_PERCENT]);
	assert_false(has_why(ranked(kb, &ex, "ruled"), "percent<=10"));
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
}

/* The admin's facts alone rank the causes their rules speak of; facts
 * read from text never start a ranking; nothing gives nothing. */
static void test_context_alone(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms sym = {0};
	struct hv_context ctx = {0};
	struct hv_explanation ex = {0};

	hv_explain_rank(kb, &sym, &ctx, &ex);
	assert_int_equal(ex.basis, HV_BASIS_NOTHING);
	assert_int_equal(ex.n, 0);
	hv_explanation_release(&ex);

	set_ctx(&ctx, "auth=credssp");
	hv_explain_rank(kb, &sym, &ctx, &ex);
	assert_int_equal(ex.basis, HV_BASIS_CONTEXT);
	assert_int_equal(ex.n, 1);
	assert_string_equal(first_id(kb, &ex), "ruled");
	assert_int_equal(ex.items[0].score, 50);
	hv_explanation_release(&ex);

	/* an event that names no cause, with facts only from the text */
	memset(&ctx, 0, sizeof(ctx));
	hv_symptoms_scan(kb, "Event ID: 1069 at 5 %", 1, &sym);
	assert_int_equal(sym.n, 1);
	hv_explain_rank(kb, &sym, &ctx, &ex);
	assert_int_equal(ex.basis, HV_BASIS_NOTHING);
	assert_int_equal(ex.n_likely, 0);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
}

/* A symptom outside what hvdoctor diagnoses silences the headline it
 * came with: the headline's causes are not what happened (issue 23). A
 * specific symptom beside it still ranks. */
static void test_outside_silences_headline(void **state)
{
	static const char *const outside[] = {"msg-head", "hr-outside"};
	static const char *const both[] = {"msg-head", "hr-outside", "hr-one"};
	const struct hv_kb *kb = *state;
	struct hv_context ctx = {0};
	struct hv_explanation ex;

	set_ctx(&ctx, "auth=credssp");
	rank_ids(kb, outside, N(outside), &ctx, &ex);
	assert_int_equal(ex.basis, HV_BASIS_NOTHING);
	assert_int_equal(ex.n_likely, 0);
	hv_explanation_release(&ex);

	rank_ids(kb, both, N(both), &ctx, &ex);
	assert_int_equal(ex.basis, HV_BASIS_EVIDENCE);
	assert_string_equal(first_id(kb, &ex), "one");
	hv_explanation_release(&ex);
}

/* Equal scores: the more severe cause, then the id, so scripts and
 * tests see a stable order. */
static void test_ties(void **state)
{
	static const char *const ids[] = {"hr-tie-w", "hr-tie-b", "hr-tie-a"};
	const struct hv_kb *kb = *state;
	struct hv_context none = {0};
	struct hv_explanation ex;

	rank_ids(kb, ids, N(ids), &none, &ex);
	assert_int_equal(ex.n, 3);
	assert_int_equal(ex.items[0].score, ex.items[2].score);
	assert_string_equal(kb->causes[ex.items[0].cause].id, "tie-a");
	assert_string_equal(kb->causes[ex.items[1].cause].id, "tie-b");
	assert_string_equal(kb->causes[ex.items[2].cause].id, "tie-w");
	hv_explanation_release(&ex);
}

/* --- Context facts: the --context parser, shared with the rules. --- */

static void test_context_parse(void **state)
{
	static const struct {
		const char *text, *message;
	} bad[] = {
		{"colour=red", "unknown context key 'colour'"},
		{"=2016", "unknown context key ''"},
		{"os", "not KEY=VALUE"},
		{"os=2017", "'2017' is not a value of os"},
		{"os=Server2016", "accepted: 2012|2012r2|2016|2019|2022|2025"},
		{"auth=ntlm", "accepted: credssp|kerberos"},
		{"clustered=true", "accepted: no|yes"},
		{"percent=101", "a number from 0 to 100"},
		{"percent=+5", "a number from 0 to 100"},
		{"os>=2016", "a context fact is KEY=VALUE"},
		{"auth>=kerberos", "only os and percent are ordered"},
	};
	struct hv_context ctx = {0};
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
		struct hv_error err;
		int rc;

		memset(&err, 0, sizeof(err));
		rc = hv_context_set(&ctx, bad[i].text, &err);
		if (rc != HV_ERR_INPUT ||
		    !strstr(err.message, bad[i].message)) {
			print_error("'%s': rc %d, '%s' (want '%s')\n",
				    bad[i].text, rc, err.message,
				    bad[i].message);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
	for (int k = 0; k < HV_CTX_COUNT; k++)
		assert_false(ctx.known[k]);
	set_ctx(&ctx, "os=2012r2");
	set_ctx(&ctx, "os=2025");
	assert_string_equal(
		hv_ctx_value_name(HV_CTX_OS, ctx.value[HV_CTX_OS], NULL, 0),
		"2025");
}

static void test_conditions(void **state)
{
	static const struct {
		const char *cond, *fact;
		bool holds;
	} cases[] = {
		{"os>=2016", "os=2016", true},
		{"os>=2016", "os=2012r2", false},
		{"os<=2012r2", "os=2012", true},
		{"os!=2019", "os=2019", false},
		{"auth=credssp", "auth=kerberos", false},
		{"percent>=90", "percent=90", true},
		{"percent<=10", "percent=11", false},
		/* a fact not given holds nothing, not even an inequality */
		{"storage!=yes", NULL, false},
	};
	struct hv_error err;

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct hv_ctx_condition cond;
		struct hv_context ctx = {0};
		char text[64];

		assert_int_equal(
			hv_ctx_condition_parse(cases[i].cond, &cond, &err), 0);
		if (cases[i].fact)
			set_ctx(&ctx, cases[i].fact);
		if (hv_ctx_condition_holds(&ctx, &cond) != cases[i].holds)
			fail_msg("%s with %s", cases[i].cond,
				 cases[i].fact ? cases[i].fact : "nothing");
		hv_ctx_condition_format(&cond, text, sizeof(text));
		assert_string_equal(text, cases[i].cond);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_kinds),
		cmocka_unit_test(test_information),
		cmocka_unit_test(test_strongest_leads),
		cmocka_unit_test(test_containers_alone),
		cmocka_unit_test(test_containers_not_evidence),
		cmocka_unit_test(test_rules_and_verdicts),
		cmocka_unit_test(test_context_from_text),
		cmocka_unit_test(test_context_alone),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_outside_silences_headline),
	};
	const struct CMUnitTest context_tests[] = {
		cmocka_unit_test(test_context_parse),
		cmocka_unit_test(test_conditions),
	};
	int failed = cmocka_run_group_tests_name("ranking", tests,
						 setup_test_kb, teardown_kb);

	failed += cmocka_run_group_tests_name("context", context_tests, NULL,
					      NULL);
	return failed;
}
