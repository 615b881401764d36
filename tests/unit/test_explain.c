/* Ranking causes: how specific a symptom is, where a signature lists a
 * cause, symptoms agreeing, ties, and the context rules. Mechanics use a
 * small knowledge base written here; then every context rule of the
 * built-in knowledge base is fired (and not fired) generically, and the
 * issue's three 0x8009030E scenarios are checked against it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "knowledge/context.h"
#include "diagnosis/explain.h"
#include "base/strbuf.h"
#include "knowledge/kb.h"
#include "render/render_explain.h"
#include "diagnosis/symptoms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAUSE(id, sev)                                                         \
	"cause: " id "\ntitle: " id "\nseverity: " sev "\n"                    \
	"explain: x\nconfirm: x\nfix: x\nverify: x\nchecked-by: none\n"

#define SIG(id, kind, code, causes)                                            \
	"signature: " id "\nkind: " kind "\n" code "meaning: m\n"              \
	"causes: " causes "\n\n"

static const char test_kb[] =
	CAUSE("c-hresult", "error") "\n" CAUSE("c-event", "error") "\n" CAUSE("c-message", "error") "\n" CAUSE(
		"c-kerberos",
		"error") "\n" CAUSE("p0",
				    "error") "\n" CAUSE("p1",
							"error") "\n" CAUSE("p"
									    "2",
									    "er"
									    "ro"
									    "r") "\n" CAUSE("p3",
											    "error") "\n" CAUSE("p4",
														"error") "\n" CAUSE("tie-w",
																    "warning") "\n" CAUSE("tie-b",
																			  "error") "\n" CAUSE("tie-a",
																					      "error") "\n" CAUSE("tie-i",
																								  "info") "\n" CAUSE("ruled", "error") "context: auth=credssp 50 CredSSP is in use\n"
																												       "context: auth=kerberos,os>=2016 -130 Kerberos on 2016 and later\n"
																												       "context: phase=destination 25 it failed at the destination\n"
																												       "context: percent<=10 20 it failed early\n\n" CAUSE("other",
																																			   "error") "\n" CAUSE("clock-skew", "warning") "\n" CAUSE("port-6600-refused", "error") "\n" CAUSE("kcd-missing-vsms",
																																															    "error") "\n" SIG("hr-x", "hresult", "code: 0x80070005\n", "c-hresult") SIG("ev-x", "event", "event: 21502\nchannel: c\n", "c-event") SIG("msg-x",
																																																																      "message",
																																																																      "fragment: failed at migration source\n", "c-message") SIG("krb-x",
																																																																								 "kerberos",
																																																																								 "code: 13\n", "c-kerberos") SIG("hr-list",
																																																																												 "hresult", "code: 0x80070006\n", "p0 p1 p2 p3 p4") SIG("hr-agree1", "hresult", "code: 0x80070007\n", "p0 p1") SIG("hr-agree2", "hresult", "code: 0x80070008\n", "p2 p1") SIG("hr-t1",
																																																																																																	      "hresult",
																																																																																																	      "code: 0x80070009\n",
																																																																																																	      "tie-w") SIG("hr-t2",
																																																																																																			   "hresult", "code: 0x8007000A\n", "tie-b") SIG("hr-t3", "hresult", "code: 0x8007000B\n",
																																																																																																									 "tie-a") SIG("hr-t4",
																																																																																																										      "hresult",
																																																																																																										      "code: 0x8007000C\n",
																																																																																																										      "tie-i")
																													       SIG("hr-rule",
																														   "hresult",
																														   "code: 0x8007000D\n",
																														   "other ruled");

static int setup_test_kb(void **state)
{
	struct hv_kb *kb = calloc(1, sizeof(*kb));
	struct hv_error err;

	if (!kb ||
	    hv_kb_parse(kb, "test.kb", test_kb, strlen(test_kb), &err) != 0 ||
	    hv_kb_validate(kb, &err) != 0) {
		fprintf(stderr, "test kb: %s: %s\n", err.where, err.message);
		free(kb);
		return -1;
	}
	*state = kb;
	return 0;
}

static int setup_builtin(void **state)
{
	struct hv_kb *kb = calloc(1, sizeof(*kb));
	struct hv_error err;

	if (!kb || hv_kb_load(kb, NULL, &err) != 0) {
		fprintf(stderr, "built-in kb: %s: %s\n", err.where,
			err.message);
		free(kb);
		return -1;
	}
	*state = kb;
	return 0;
}

static int teardown_kb(void **state)
{
	hv_kb_release(*state);
	free(*state);
	return 0;
}

static size_t sig_index(const struct hv_kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->n_sigs; i++)
		if (strcmp(kb->sigs[i].id, id) == 0)
			return i;
	fail_msg("no signature %s", id);
	return 0;
}

/* Symptoms as the scanner would report them, one per signature id. */
struct fake {
	struct hv_symptom items[8];
	char matched[8][32];
	char as[8];
	struct hv_symptoms sym;
};

static void fake_symptoms(struct fake *f, const struct hv_kb *kb,
			  const char *const *ids, size_t n)
{
	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		snprintf(f->matched[i], sizeof(f->matched[i]), "%s", ids[i]);
		f->items[i].sig = sig_index(kb, ids[i]);
		f->items[i].matched = f->matched[i];
		f->items[i].as = f->as;
		f->items[i].input = 1;
		f->items[i].line = 1;
	}
	f->sym.items = f->items;
	f->sym.n = n;
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

static const char *rank_id(const struct hv_kb *kb,
			   const struct hv_explanation *ex, size_t i)
{
	assert_true(i < ex->n);
	return kb->causes[ex->items[i].cause].id;
}

static bool has_why(const struct hv_ranked *r, const char *line)
{
	for (size_t i = 0; r && i < r->n_why; i++)
		if (strcmp(r->why[i], line) == 0)
			return true;
	return false;
}

static void rank(const struct hv_kb *kb, const char *const *ids, size_t n,
		 const struct hv_context *ctx, struct hv_explanation *out)
{
	struct fake f;

	memset(out, 0, sizeof(*out));
	fake_symptoms(&f, kb, ids, n);
	hv_explain_rank(kb, &f.sym, ctx, out);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* An exact code says more than a message text, a message more than an
 * event id that any failure carries. */
static void test_specificity(void **state)
{
	static const char *const ids[] = {"ev-x", "msg-x", "hr-x", "krb-x"};
	const struct hv_kb *kb = *state;
	struct hv_context ctx = {0};
	struct hv_explanation ex;

	rank(kb, ids, N(ids), &ctx, &ex);
	assert_int_equal(ex.n, 4);
	assert_int_equal(score_of(kb, &ex, "c-hresult"), 100);
	assert_int_equal(score_of(kb, &ex, "c-kerberos"), 100);
	assert_int_equal(score_of(kb, &ex, "c-message"), 60);
	assert_int_equal(score_of(kb, &ex, "c-event"), 30);
	/* equal scores and severities: by id */
	assert_string_equal(rank_id(kb, &ex, 0), "c-hresult");
	assert_string_equal(rank_id(kb, &ex, 1), "c-kerberos");
	assert_string_equal(rank_id(kb, &ex, 2), "c-message");
	assert_string_equal(rank_id(kb, &ex, 3), "c-event");
	assert_true(has_why(ranked(kb, &ex, "c-event"),
			    "ev-x lists it first of 1 (+30)"));
	hv_explanation_release(&ex);
	assert_int_equal(ex.n, 0);
}

static void test_position_weights(void **state)
{
	static const char *const ids[] = {"hr-list"};
	static const struct {
		const char *cause, *why;
		int score;
	} want[] = {
		{"p0", "hr-list lists it first of 5 (+100)", 100},
		{"p1", "hr-list lists it second of 5 (+71)", 71},
		{"p2", "hr-list lists it third of 5 (+55)", 55},
		{"p3", "hr-list lists it fourth of 5 (+45)", 45},
		{"p4", "hr-list lists it fifth of 5 (+38)", 38},
	};
	const struct hv_kb *kb = *state;
	struct hv_context ctx = {0};
	struct hv_explanation ex;

	rank(kb, ids, N(ids), &ctx, &ex);
	assert_int_equal(ex.n, N(want));
	for (size_t i = 0; i < N(want); i++) {
		const struct hv_ranked *r = &ex.items[i];

		assert_string_equal(kb->causes[r->cause].id, want[i].cause);
		assert_int_equal(r->score, want[i].score);
		assert_int_equal(r->n_why, 1);
		assert_string_equal(r->why[0], want[i].why);
	}
	hv_explanation_release(&ex);
}

/* Two symptoms naming the same cause second outrank one naming another
 * cause first. */
static void test_symptoms_agree(void **state)
{
	static const char *const ids[] = {"hr-agree1", "hr-agree2"};
	const struct hv_kb *kb = *state;
	struct hv_context ctx = {0};
	struct hv_explanation ex;
	const struct hv_ranked *r;

	rank(kb, ids, N(ids), &ctx, &ex);
	assert_int_equal(ex.n, 3);
	assert_string_equal(rank_id(kb, &ex, 0), "p1");
	assert_int_equal(ex.items[0].score, 142);
	r = &ex.items[0];
	assert_int_equal(r->n_why, 2);
	assert_string_equal(r->why[0], "hr-agree1 lists it second of 2 (+71)");
	assert_string_equal(r->why[1], "hr-agree2 lists it second of 2 (+71)");
	assert_string_equal(rank_id(kb, &ex, 1), "p0");
	assert_string_equal(rank_id(kb, &ex, 2), "p2");
	hv_explanation_release(&ex);
}

static void test_ties(void **state)
{
	static const char *const ids[] = {"hr-t4", "hr-t1", "hr-t2", "hr-t3"};
	const struct hv_kb *kb = *state;
	struct hv_context ctx = {0};
	struct hv_explanation ex;

	rank(kb, ids, N(ids), &ctx, &ex);
	assert_int_equal(ex.n, 4);
	assert_string_equal(rank_id(kb, &ex, 0), "tie-a");
	assert_string_equal(rank_id(kb, &ex, 1), "tie-b");
	assert_string_equal(rank_id(kb, &ex, 2), "tie-w");
	assert_string_equal(rank_id(kb, &ex, 3), "tie-i");
	hv_explanation_release(&ex);
}

static void set_ctx(struct hv_context *ctx, const char *assignment)
{
	struct hv_error err;

	if (hv_context_set(ctx, assignment, &err) != 0)
		fail_msg("%s: %s", assignment, err.message);
}

static void test_rules(void **state)
{
	static const char *const ids[] = {"hr-rule"};
	const struct hv_kb *kb = *state;
	struct hv_context ctx = {0};
	struct hv_explanation ex;
	const struct hv_ranked *r;

	/* without context: the list order decides */
	rank(kb, ids, N(ids), &ctx, &ex);
	assert_string_equal(rank_id(kb, &ex, 0), "other");
	assert_int_equal(score_of(kb, &ex, "ruled"), 71);
	assert_int_equal(ranked(kb, &ex, "ruled")->n_why, 1);
	hv_explanation_release(&ex);

	/* a rule lifts its cause above the first-listed one */
	set_ctx(&ctx, "auth=credssp");
	rank(kb, ids, N(ids), &ctx, &ex);
	assert_string_equal(rank_id(kb, &ex, 0), "ruled");
	r = &ex.items[0];
	assert_int_equal(r->score, 121);
	assert_int_equal(r->n_why, 2);
	assert_string_equal(r->why[1], "auth=credssp: CredSSP is in use (+50)");
	hv_explanation_release(&ex);

	/* both conditions must hold; an ordered condition compares
	 * releases, and the reason shows the rule as written */
	memset(&ctx, 0, sizeof(ctx));
	set_ctx(&ctx, "auth=kerberos");
	set_ctx(&ctx, "os=2012r2");
	rank(kb, ids, N(ids), &ctx, &ex);
	assert_int_equal(score_of(kb, &ex, "ruled"), 71);
	hv_explanation_release(&ex);
	set_ctx(&ctx, "os=2019");
	rank(kb, ids, N(ids), &ctx, &ex);
	assert_int_equal(score_of(kb, &ex, "ruled"), 71 - 130);
	assert_string_equal(rank_id(kb, &ex, 1), "ruled");
	assert_true(has_why(ranked(kb, &ex, "ruled"),
			    "auth=kerberos,os>=2016: Kerberos on 2016 and "
			    "later (-130)"));
	hv_explanation_release(&ex);

	/* several rules add up */
	memset(&ctx, 0, sizeof(ctx));
	set_ctx(&ctx, "auth=credssp");
	set_ctx(&ctx, "phase=destination");
	set_ctx(&ctx, "percent=10");
	rank(kb, ids, N(ids), &ctx, &ex);
	assert_int_equal(score_of(kb, &ex, "ruled"), 71 + 50 + 25 + 20);
	assert_int_equal(ranked(kb, &ex, "ruled")->n_why, 4);
	/* a cause without rules is untouched by context */
	assert_int_equal(score_of(kb, &ex, "other"), 100);
	assert_int_equal(ranked(kb, &ex, "other")->n_why, 1);
	hv_explanation_release(&ex);
	set_ctx(&ctx, "percent=11");
	rank(kb, ids, N(ids), &ctx, &ex);
	assert_int_equal(score_of(kb, &ex, "ruled"), 71 + 50 + 25);
	hv_explanation_release(&ex);
}

/* Phase and percent found in pasted text fill the context, unless the
 * admin said otherwise. */
static void test_context_from_text(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms sym = {0};
	struct hv_context ctx = {0};
	struct hv_explanation ex = {0};

	hv_symptoms_scan(kb,
			 "failed at migration destination 'HV2' at 5 %"
			 " with 0x8007000D",
			 1, &sym);
	assert_true(sym.has_phase);
	assert_true(sym.has_percent);
	hv_explain_rank(kb, &sym, &ctx, &ex);
	assert_true(ex.context.known[HV_CTX_PHASE]);
	assert_true(ex.context_from_text[HV_CTX_PHASE]);
	assert_true(ex.context_from_text[HV_CTX_PERCENT]);
	assert_int_equal(ex.context.value[HV_CTX_PERCENT], 5);
	assert_int_equal(score_of(kb, &ex, "ruled"), 71 + 25 + 20);
	hv_explanation_release(&ex);

	set_ctx(&ctx, "phase=source");
	set_ctx(&ctx, "percent=50");
	hv_explain_rank(kb, &sym, &ctx, &ex);
	assert_false(ex.context_from_text[HV_CTX_PHASE]);
	assert_false(ex.context_from_text[HV_CTX_PERCENT]);
	assert_int_equal(ex.context.value[HV_CTX_PERCENT], 50);
	assert_int_equal(score_of(kb, &ex, "ruled"), 71);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
}

static void test_common_causes(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_explanation ex = {0};

	hv_explain_common(kb, &ex);
	/* the known ones, in the order to rule them out, unscored */
	assert_int_equal(ex.n, 3);
	assert_string_equal(rank_id(kb, &ex, 0), "kcd-missing-vsms");
	assert_string_equal(rank_id(kb, &ex, 1), "port-6600-refused");
	assert_string_equal(rank_id(kb, &ex, 2), "clock-skew");
	for (size_t i = 0; i < ex.n; i++) {
		assert_int_equal(ex.items[i].score, 0);
		assert_int_equal(ex.items[i].n_why, 0);
	}
	hv_explanation_release(&ex);
}

static void test_render(void **state)
{
	static const char *const ids[] = {"hr-rule"};
	const struct hv_kb *kb = *state;
	struct hv_context ctx = {0};
	struct hv_explanation ex;
	struct fake f;
	struct hv_explain_view view;
	struct hv_strbuf text = HV_STRBUF_INIT, json = HV_STRBUF_INIT;
	struct hv_style plain = {false, 80}, color = {true, 80};

	set_ctx(&ctx, "auth=credssp");
	memset(&ex, 0, sizeof(ex));
	fake_symptoms(&f, kb, ids, N(ids));
	hv_explain_rank(kb, &f.sym, &ctx, &ex);
	view = (struct hv_explain_view){kb, &f.sym, &ex, true, 1};
	hv_render_explain_text(&text, &view, &plain);
	assert_non_null(strstr(text.buf, "Likely causes, most likely first"));
	assert_non_null(strstr(text.buf, "  1  ruled  error  score 121\n"));
	assert_non_null(strstr(text.buf, "auth=credssp: CredSSP is in use "
					 "(+50)"));
	assert_non_null(strstr(text.buf, "  auth=credssp\n"));
	assert_null(strchr(text.buf, '\033'));
	hv_strbuf_reset(&text);
	hv_render_explain_text(&text, &view, &color);
	assert_non_null(strchr(text.buf, '\033'));
	hv_render_explain_json(&json, &view);
	assert_non_null(strstr(json.buf, "\"schema\": \"hvdoctor.explain/1\""));
	assert_non_null(strstr(json.buf, "\"matched\": true"));
	assert_non_null(strstr(json.buf, "\"auth\": \"credssp\""));
	assert_non_null(strstr(json.buf, "\"score\": 121"));
	assert_int_equal(json.buf[json.len - 1], '\n');
	hv_strbuf_release(&text);
	hv_strbuf_release(&json);
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
		{"os:2016", "unknown context key"},
		{"os=2017", "'2017' is not a value of os"},
		{"os=", "'' is not a value of os"},
		{"os=Server2016", "accepted: 2012|2012r2|2016|2019|2022|2025"},
		{"auth=ntlm", "accepted: credssp|kerberos"},
		{"auth=Kerberos", "not a value of auth"},
		{"initiated=elsewhere", "not a value of initiated"},
		{"clustered=true", "accepted: no|yes"},
		{"phase=transfer", "not a value of phase"},
		{"storage=maybe", "not a value of storage"},
		{"percent=101", "a number from 0 to 100"},
		{"percent=-1", "a number from 0 to 100"},
		{"percent=abc", "a number from 0 to 100"},
		{"percent=5x", "a number from 0 to 100"},
		{"percent= 5", "a number from 0 to 100"},
		{"percent=+5", "a number from 0 to 100"},
		{"percent=", "a number from 0 to 100"},
		/* a fact is an equality; orderings are for rules */
		{"os>=2016", "a context fact is KEY=VALUE"},
		{"auth!=credssp", "a context fact is KEY=VALUE"},
		/* only os and percent are ordered */
		{"auth>=kerberos", "only os and percent are ordered"},
		{"clustered<=yes", "only os and percent are ordered"},
		{"phase>=source", "only os and percent are ordered"},
	};
	struct hv_context ctx = {0};
	struct hv_error err;
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < N(bad); i++) {
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
	set_ctx(&ctx, "percent=0");
	set_ctx(&ctx, "percent=100");
	assert_true(ctx.known[HV_CTX_OS]);
	assert_int_equal(ctx.value[HV_CTX_PERCENT], 100);
	/* the last value given wins */
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
		{"os>=2016", "os=2025", true},
		{"os>=2016", "os=2012r2", false},
		{"os<=2012r2", "os=2012", true},
		{"os<=2012r2", "os=2016", false},
		{"os!=2019", "os=2019", false},
		{"os!=2019", "os=2022", true},
		{"auth=credssp", "auth=credssp", true},
		{"auth=credssp", "auth=kerberos", false},
		{"auth!=credssp", "auth=kerberos", true},
		{"percent>=90", "percent=90", true},
		{"percent>=90", "percent=89", false},
		{"percent<=10", "percent=0", true},
		{"clustered=yes", "clustered=no", false},
		/* a fact the admin did not give holds nothing, not even
		 * an inequality */
		{"storage!=yes", NULL, false},
		{"percent<=100", NULL, false},
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

static void test_key_names(void **state)
{
	static const char *const names[HV_CTX_COUNT] = {
		[HV_CTX_OS] = "os",
		[HV_CTX_AUTH] = "auth",
		[HV_CTX_INITIATED] = "initiated",
		[HV_CTX_CLUSTERED] = "clustered",
		[HV_CTX_PHASE] = "phase",
		[HV_CTX_PERCENT] = "percent",
		[HV_CTX_STORAGE] = "storage",
	};
	enum hv_ctx_key key;

	(void)state;
	for (int k = 0; k < HV_CTX_COUNT; k++) {
		assert_string_equal(hv_ctx_key_name((enum hv_ctx_key)k),
				    names[k]);
		assert_int_equal(
			hv_ctx_key_parse(names[k], strlen(names[k]), &key), 0);
		assert_int_equal(key, k);
	}
	assert_int_equal(hv_ctx_key_parse("osx", 3, &key), HV_ERR_INPUT);
	assert_int_equal(hv_ctx_key_parse("o", 1, &key), HV_ERR_INPUT);
	/* only the given length counts */
	assert_int_equal(hv_ctx_key_parse("os=2016", 2, &key), 0);
}

/* --- The built-in knowledge base's rules, generically. --- */

/* Every value of every key, spelled as an admin writes it. */
static const char *const *spellings(enum hv_ctx_key key)
{
	static const char *const os[] = {"2012", "2012r2", "2016", "2019",
					 "2022", "2025",   NULL};
	static const char *const auth[] = {"credssp", "kerberos", NULL};
	static const char *const initiated[] = {"source", "remote", NULL};
	static const char *const yes_no[] = {"no", "yes", NULL};
	static const char *const phase[] = {"source", "destination", NULL};

	switch (key) {
	case HV_CTX_OS:
		return os;
	case HV_CTX_AUTH:
		return auth;
	case HV_CTX_INITIATED:
		return initiated;
	case HV_CTX_CLUSTERED:
	case HV_CTX_STORAGE:
		return yes_no;
	case HV_CTX_PHASE:
		return phase;
	case HV_CTX_PERCENT:
	case HV_CTX_COUNT:
		break;
	}
	return NULL;
}

/* Sets key to its i-th value; false when there is none. */
static bool set_nth(struct hv_context *ctx, enum hv_ctx_key key, int i)
{
	const char *const *names = spellings(key);
	struct hv_strbuf fact = HV_STRBUF_INIT;
	struct hv_error err;
	int rc;

	if (names) {
		for (int n = 0; n <= i; n++)
			if (!names[n])
				return false;
		hv_strbuf_addf(&fact, "%s=%s", hv_ctx_key_name(key), names[i]);
	} else {
		if (i > 100)
			return false;
		hv_strbuf_addf(&fact, "%s=%d", hv_ctx_key_name(key), i);
	}
	rc = hv_context_set(ctx, hv_strbuf_str(&fact), &err);
	if (rc != 0)
		fail_msg("%s: %s", hv_strbuf_str(&fact), err.message);
	hv_strbuf_release(&fact);
	return true;
}

/* The test's own reading of a condition: the value's position among
 * the spellings (or the number) compared as the README says. */
static bool my_holds(const struct hv_context *ctx,
		     const struct hv_ctx_condition *c)
{
	int v = ctx->value[c->key];

	if (!ctx->known[c->key])
		return false;
	switch (c->op) {
	case HV_CTX_EQ:
		return v == c->value;
	case HV_CTX_NE:
		return v != c->value;
	case HV_CTX_GE:
		return v >= c->value;
	case HV_CTX_LE:
		return v <= c->value;
	}
	return false;
}

static bool rule_holds(const struct hv_context *ctx, const struct hv_rule *rule)
{
	for (size_t c = 0; c < rule->n_cond; c++)
		if (!my_holds(ctx, &rule->cond[c]))
			return false;
	return true;
}

/* A context in which every condition of rule holds: for each key the
 * rule names, the first value satisfying all its conditions on it. */
static bool satisfy(const struct hv_rule *rule, struct hv_context *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t c = 0; c < rule->n_cond; c++) {
		enum hv_ctx_key key = rule->cond[c].key;
		bool found = false;

		if (out->known[key])
			continue;
		for (int i = 0; !found && set_nth(out, key, i); i++) {
			found = true;
			for (size_t d = 0; d < rule->n_cond; d++)
				if (rule->cond[d].key == key &&
				    !my_holds(out, &rule->cond[d]))
					found = false;
		}
		if (!found)
			return false;
	}
	return true;
}

/* "auth=credssp,os>=2016: REASON (+50)", spelled by the test. */
static void why_line(const struct hv_rule *rule, struct hv_strbuf *out)
{
	static const char *const ops[] = {"=", "!=", ">=", "<="};

	for (size_t c = 0; c < rule->n_cond; c++) {
		const struct hv_ctx_condition *cond = &rule->cond[c];
		const char *const *names = spellings(cond->key);

		hv_strbuf_addf(out, "%s%s%s", c ? "," : "",
			       hv_ctx_key_name(cond->key), ops[cond->op]);
		if (names)
			hv_strbuf_adds(out, names[cond->value]);
		else
			hv_strbuf_addf(out, "%d", cond->value);
	}
	hv_strbuf_addf(out, ": %s (%s%d)", rule->reason,
		       rule->score >= 0 ? "+" : "", rule->score);
}

/* A signature that lists the cause, or -1. */
static long sig_listing(const struct hv_kb *kb, size_t cause)
{
	for (size_t i = 0; i < kb->n_sigs; i++)
		for (size_t c = 0; c < kb->sigs[i].n_causes; c++)
			if (kb->sigs[i].cause_index[c] == cause)
				return (long)i;
	return -1;
}

struct rule_check {
	const struct hv_kb *kb;
	size_t cause, rule;
	struct hv_symptoms *sym;
	int base; /* the score with no context */
	size_t failed;
};

/* Ranks under ctx; checks the score against every rule of the cause
 * that holds, and whether the rule under test fired. */
static void check_under(struct rule_check *rc, const struct hv_context *ctx,
			bool want_fired, const char *what)
{
	const struct hv_cause *cause = &rc->kb->causes[rc->cause];
	const struct hv_rule *rule = &cause->rules[rc->rule];
	struct hv_explanation ex = {0};
	struct hv_strbuf why = HV_STRBUF_INIT;
	const struct hv_ranked *r;
	int want = rc->base;

	for (size_t k = 0; k < cause->n_rules; k++)
		if (rule_holds(ctx, &cause->rules[k]))
			want += cause->rules[k].score;
	why_line(rule, &why);
	hv_explain_rank(rc->kb, rc->sym, ctx, &ex);
	r = ranked(rc->kb, &ex, cause->id);
	if (!r || r->score != want ||
	    has_why(r, hv_strbuf_str(&why)) != want_fired) {
		print_error("%s (%s): rule '%s' %s: score %d, want %d; "
			    "fired %d, want %d\n",
			    cause->id, cause->origin, hv_strbuf_str(&why), what,
			    r ? r->score : -9999, want,
			    has_why(r, hv_strbuf_str(&why)), want_fired);
		rc->failed++;
	}
	hv_explanation_release(&ex);
	hv_strbuf_release(&why);
}

/* The rule does not fire when any one of its conditions fails: its key
 * unknown, or given a value that breaks it. */
static void check_each_condition_needed(struct rule_check *rc,
					const struct hv_context *good)
{
	const struct hv_rule *rule = &rc->kb->causes[rc->cause].rules[rc->rule];

	for (size_t c = 0; c < rule->n_cond; c++) {
		enum hv_ctx_key key = rule->cond[c].key;
		struct hv_context ctx = *good;

		ctx.known[key] = false;
		check_under(rc, &ctx, false, "with its key unknown");
		for (int i = 0; set_nth(&ctx, key, i); i++) {
			if (my_holds(&ctx, &rule->cond[c]))
				continue;
			check_under(rc, &ctx, false, "with a key broken");
			break;
		}
	}
}

static void test_builtin_every_rule(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_context none = {0};
	size_t failed = 0, rules = 0, unlisted = 0;

	for (size_t ci = 0; ci < kb->n_causes; ci++) {
		const struct hv_cause *cause = &kb->causes[ci];
		long si = cause->n_rules ? sig_listing(kb, ci) : -1;
		const char *id = si >= 0 ? kb->sigs[si].id : NULL;
		struct fake f;
		struct hv_explanation ex = {0};
		struct rule_check rc = {kb, ci, 0, &f.sym, 0, 0};

		if (!cause->n_rules)
			continue;
		if (si < 0) {
			/* rules that no symptom can ever bring into play */
			print_message("note: %s has context rules but no "
				      "signature lists it\n",
				      cause->id);
			unlisted++;
			continue;
		}
		fake_symptoms(&f, kb, &id, 1);
		hv_explain_rank(kb, &f.sym, &none, &ex);
		rc.base = score_of(kb, &ex, cause->id);
		assert_int_equal(ranked(kb, &ex, cause->id)->n_why, 1);
		hv_explanation_release(&ex);
		for (size_t k = 0; k < cause->n_rules; k++) {
			struct hv_context ctx;

			rules++;
			rc.rule = k;
			if (!satisfy(&cause->rules[k], &ctx)) {
				print_error("%s (%s): rule %zu can never "
					    "hold\n",
					    cause->id, cause->origin, k + 1);
				rc.failed++;
				continue;
			}
			check_under(&rc, &ctx, true, "when it holds");
			check_each_condition_needed(&rc, &ctx);
		}
		failed += rc.failed;
	}
	print_message("%zu rules checked (%zu causes with rules unlisted)\n",
		      rules, unlisted);
	assert_true(rules > 0);
	assert_int_equal(failed, 0);
}

static void expect_first(const struct hv_kb *kb, const char *input,
			 const char *const *facts, size_t n_facts,
			 const char *first)
{
	struct hv_symptoms sym = {0};
	struct hv_context ctx = {0};
	struct hv_explanation ex = {0};

	for (size_t i = 0; i < n_facts; i++)
		set_ctx(&ctx, facts[i]);
	hv_symptoms_scan(kb, input, 1, &sym);
	assert_false(hv_symptoms_empty(&sym));
	hv_explain_rank(kb, &sym, &ctx, &ex);
	assert_true(ex.n > 1);
	if (strcmp(rank_id(kb, &ex, 0), first) != 0)
		fail_msg("%s with %s: first is %s (%d), want %s (%d)", input,
			 facts[0], rank_id(kb, &ex, 0), ex.items[0].score,
			 first,
			 ranked(kb, &ex, first) ? ranked(kb, &ex, first)->score
						: -9999);
	/* the winner leads by a margin, not by the tie-break */
	assert_true(ex.items[0].score > ex.items[1].score);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
}

static void test_builtin_scenarios(void **state)
{
	static const char *const remote[] = {"auth=credssp",
					     "initiated=remote"};
	static const char *const kerberos2016[] = {"auth=kerberos", "os=2016"};
	static const char *const cg2025[] = {"os=2025", "auth=credssp"};
	const struct hv_kb *kb = *state;

	expect_first(kb, "0x8009030E", remote, N(remote),
		     "credssp-remote-initiation");
	expect_first(kb, "0x8009030E", kerberos2016, N(kerberos2016),
		     "kcd-kerberos-only-2016");
	expect_first(kb, "0x8009030E", cg2025, N(cg2025),
		     "credssp-credential-guard");
	/* the same facts, the code in another spelling */
	expect_first(kb, "-2146893042", cg2025, N(cg2025),
		     "credssp-credential-guard");
}

static void test_builtin_common(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_explanation ex = {0};

	hv_explain_common(kb, &ex);
	assert_true(ex.n >= 8);
	for (size_t i = 0; i < ex.n; i++)
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(ex.items[i].cause,
					     ex.items[j].cause);
	hv_explanation_release(&ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specificity),
		cmocka_unit_test(test_position_weights),
		cmocka_unit_test(test_symptoms_agree),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_context_from_text),
		cmocka_unit_test(test_common_causes),
		cmocka_unit_test(test_render),
	};
	const struct CMUnitTest context_tests[] = {
		cmocka_unit_test(test_context_parse),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_key_names),
	};
	const struct CMUnitTest builtin_tests[] = {
		cmocka_unit_test(test_builtin_every_rule),
		cmocka_unit_test(test_builtin_scenarios),
		cmocka_unit_test(test_builtin_common),
	};
	int failed = cmocka_run_group_tests_name("ranking", tests,
						 setup_test_kb, teardown_kb);

	failed += cmocka_run_group_tests_name("context", context_tests, NULL,
					      NULL);
	failed += cmocka_run_group_tests_name("built-in kb", builtin_tests,
					      setup_builtin, teardown_kb);
	return failed;
}
