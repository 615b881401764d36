/* Ranking with the built-in knowledge base: every context rule fired and
 * not fired; the three properties of issue 13 over all signatures (a
 * one-cause message beats any set of containers; adding a container never
 * changes a winner chosen by a specific signature; adding a symptom that
 * names a cause never lowers it); and the scenarios. The corpus
 * of real pastes (tests/corpus/score) measures accuracy; these assert
 * what must hold whatever the knowledge base says. */
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
#define MAX_SYMPTOMS 16

static int setup_builtin(void **state)
{
	return kb_setup_builtin(state);
}

static int teardown_kb(void **state)
{
	return kb_teardown(state);
}

/* Symptoms as the scanner would report them. */
struct fake {
	struct hv_symptom items[MAX_SYMPTOMS];
	char as[8];
	struct hv_symptoms sym;
};

static enum hv_match natural(const struct hv_signature *sig)
{
	if (sig->kind == HV_SIG_MESSAGE)
		return HV_MATCH_TEXT;
	if (sig->kind == HV_SIG_EVENT)
		return sig->n_fragments ? HV_MATCH_TEXT : HV_MATCH_EVENT_ID;
	return HV_MATCH_CODE;
}

static void fake_reset(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->sym.items = f->items;
}

static void fake_add(struct fake *f, const struct hv_kb *kb, size_t sig)
{
	struct hv_symptom *s = &f->items[f->sym.n++];

	assert_true(f->sym.n <= MAX_SYMPTOMS);
	s->sig = sig;
	s->matched = (char *)"seen";
	s->as = f->as;
	s->how = natural(&kb->sigs[sig]);
	s->input = 1;
	s->line = 1;
}

static void rank(const struct hv_kb *kb, const struct fake *f,
		 const struct hv_context *ctx, struct hv_explanation *out)
{
	memset(out, 0, sizeof(*out));
	hv_explain_rank(kb, &f->sym, ctx, out);
}

static const struct hv_ranked *ranked_index(const struct hv_explanation *ex,
					    size_t cause)
{
	for (size_t i = 0; i < ex->n; i++)
		if (ex->items[i].cause == cause)
			return &ex->items[i];
	return NULL;
}

static const struct hv_ranked *ranked(const struct hv_kb *kb,
				      const struct hv_explanation *ex,
				      const char *cause)
{
	long c = hv_kb_cause_index(kb, cause);

	if (c < 0)
		fail_msg("no cause %s", cause);
	return ranked_index(ex, (size_t)c);
}

static bool has_why(const struct hv_ranked *r, const char *line)
{
	for (size_t i = 0; r && i < r->n_why; i++)
		if (strcmp(r->why[i], line) == 0)
			return true;
	return false;
}

static void set_ctx(struct hv_context *ctx, const char *assignment)
{
	struct hv_error err;

	if (hv_context_set(ctx, assignment, &err) != 0)
		fail_msg("%s: %s", assignment, err.message);
}

/* Contexts the properties are checked under: none, and some that move
 * causes up, down and out. */
static void contexts(struct hv_context out[5])
{
	memset(out, 0, 5 * sizeof(*out));
	set_ctx(&out[1], "auth=kerberos");
	set_ctx(&out[2], "auth=credssp");
	set_ctx(&out[2], "os=2025");
	set_ctx(&out[3], "percent=50");
	set_ctx(&out[3], "phase=destination");
	set_ctx(&out[4], "clustered=no");
	set_ctx(&out[4], "initiated=remote");
}

static bool is_container(const struct hv_kb *kb, size_t s)
{
	return kb->sigs[s].container && kb->sigs[s].n_causes;
}

static bool is_specific(const struct hv_kb *kb, size_t s)
{
	return !kb->sigs[s].container && kb->sigs[s].n_causes;
}

/* The containers that name causes, and the subsets of them to try: every
 * one of up to three, and all together. */
struct subsets {
	size_t sig[16];
	size_t n;
};

static void containers(const struct hv_kb *kb, struct subsets *c)
{
	c->n = 0;
	for (size_t s = 0; s < kb->n_sigs; s++)
		if (is_container(kb, s) && c->n < N(c->sig))
			c->sig[c->n++] = s;
	assert_true(c->n >= 4);
}

static bool subset_wanted(unsigned mask, size_t n)
{
	return __builtin_popcount(mask) <= 3 || mask == (1u << n) - 1;
}

static void add_subset(struct fake *f, const struct hv_kb *kb,
		       const struct subsets *c, unsigned mask)
{
	for (size_t i = 0; i < c->n; i++)
		if (mask & (1u << i))
			fake_add(f, kb, c->sig[i]);
}

/* --- Every context rule, fired and not fired. --- */

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
	set_ctx(ctx, hv_strbuf_str(&fact));
	hv_strbuf_release(&fact);
	return true;
}

/* The test's own reading of a condition, as kb/README.md words it. */
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

/* A context in which every condition of rule holds. */
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

/* "auth=credssp,os>=2016: REASON (+50)" or "... (ruled out)". */
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
	if (rule->out)
		hv_strbuf_addf(out, ": %s (ruled out)", rule->reason);
	else
		hv_strbuf_addf(out, ": %s (%s%d)", rule->reason,
			       rule->score >= 0 ? "+" : "", rule->score);
}

/* A signature that names the cause, specific ones first; -1 if none. */
static long sig_listing(const struct hv_kb *kb, size_t cause)
{
	long container = -1;

	for (size_t i = 0; i < kb->n_sigs; i++)
		for (size_t c = 0; c < kb->sigs[i].n_causes; c++)
			if (kb->sigs[i].cause_index[c] == cause) {
				if (!kb->sigs[i].container)
					return (long)i;
				container = (long)i;
			}
	return container;
}

struct rule_check {
	const struct hv_kb *kb;
	size_t cause, rule;
	const struct fake *f;
	int base; /* the score with no context */
	size_t failed;
};

/* Ranks under ctx; checks score and verdict against every rule of the
 * cause that holds, and whether the rule under test fired. */
static void check_under(struct rule_check *rc, const struct hv_context *ctx,
			bool want_fired, const char *what)
{
	const struct hv_cause *cause = &rc->kb->causes[rc->cause];
	struct hv_explanation ex;
	struct hv_strbuf why = HV_STRBUF_INIT;
	const struct hv_ranked *r;
	int want = rc->base;
	bool out = false;
	enum hv_verdict verdict;

	for (size_t k = 0; k < cause->n_rules; k++) {
		if (!rule_holds(ctx, &cause->rules[k]))
			continue;
		want += cause->rules[k].score;
		out |= cause->rules[k].out;
	}
	verdict = out ? HV_RULED_OUT : want > 0 ? HV_LIKELY : HV_UNLIKELY;
	if (out)
		want = 0;
	why_line(&cause->rules[rc->rule], &why);
	rank(rc->kb, rc->f, ctx, &ex);
	r = ranked_index(&ex, rc->cause);
	if (!r || r->score != want || r->verdict != verdict ||
	    has_why(r, hv_strbuf_str(&why)) != want_fired) {
		print_error("%s (%s): rule '%s' %s: score %d, want %d; "
			    "verdict %d, want %d; fired %d, want %d\n",
			    cause->id, cause->origin, hv_strbuf_str(&why), what,
			    r ? r->score : -9999, want,
			    r ? (int)r->verdict : -1, (int)verdict,
			    has_why(r, hv_strbuf_str(&why)), want_fired);
		rc->failed++;
	}
	hv_explanation_release(&ex);
	hv_strbuf_release(&why);
}

/* The rule does not fire when any one of its conditions fails. */
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

static size_t check_cause_rules(const struct hv_kb *kb, size_t ci, long si,
				size_t *rules)
{
	const struct hv_cause *cause = &kb->causes[ci];
	struct hv_context none = {0};
	struct hv_explanation ex;
	struct fake f;
	struct rule_check rc = {kb, ci, 0, &f, 0, 0};

	fake_reset(&f);
	fake_add(&f, kb, (size_t)si);
	rank(kb, &f, &none, &ex);
	assert_non_null(ranked_index(&ex, ci));
	rc.base = ranked_index(&ex, ci)->evidence;
	hv_explanation_release(&ex);
	for (size_t k = 0; k < cause->n_rules; k++) {
		struct hv_context ctx;

		(*rules)++;
		rc.rule = k;
		if (!satisfy(&cause->rules[k], &ctx)) {
			print_error("%s (%s): rule %zu can never hold\n",
				    cause->id, cause->origin, k + 1);
			rc.failed++;
			continue;
		}
		check_under(&rc, &ctx, true, "when it holds");
		check_each_condition_needed(&rc, &ctx);
	}
	return rc.failed;
}

static void test_builtin_every_rule(void **state)
{
	const struct hv_kb *kb = *state;
	size_t failed = 0, rules = 0, unlisted = 0;

	for (size_t ci = 0; ci < kb->n_causes; ci++) {
		long si = kb->causes[ci].n_rules ? sig_listing(kb, ci) : -1;

		if (!kb->causes[ci].n_rules)
			continue;
		if (si < 0) {
			print_message("note: %s has context rules but no "
				      "signature names it\n",
				      kb->causes[ci].id);
			unlisted++;
			continue;
		}
		failed += check_cause_rules(kb, ci, si, &rules);
	}
	print_message("%zu rules checked (%zu causes with rules unlisted)\n",
		      rules, unlisted);
	assert_true(rules > 0);
	assert_int_equal(failed, 0);
}

/* --- The properties. --- */

/* A one-cause message (or code, or event) beats any set of container
 * signatures, without context. */
static void test_property_one_cause_beats_containers(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_context none = {0};
	struct subsets c;
	size_t checked = 0, failed = 0;

	containers(kb, &c);
	for (size_t s = 0; s < kb->n_sigs; s++) {
		if (!is_specific(kb, s) || kb->sigs[s].n_causes != 1)
			continue;
		for (unsigned mask = 0; mask < (1u << c.n); mask++) {
			struct fake f;
			struct hv_explanation ex;

			if (!subset_wanted(mask, c.n))
				continue;
			fake_reset(&f);
			add_subset(&f, kb, &c, mask);
			fake_add(&f, kb, s);
			rank(kb, &f, &none, &ex);
			checked++;
			if (!ex.n_likely ||
			    ex.items[0].cause != kb->sigs[s].cause_index[0]) {
				print_error(
					"%s with containers 0x%x: first is "
					"%s\n",
					kb->sigs[s].id, mask,
					ex.n_likely
						? kb->causes[ex.items[0].cause]
							  .id
						: "nothing");
				failed++;
			}
			hv_explanation_release(&ex);
		}
	}
	print_message("%zu rankings checked\n", checked);
	assert_true(checked > 100);
	assert_int_equal(failed, 0);
}

/* The winner a specific signature chooses (strictly ahead) stays the
 * winner whatever containers are added, under each context. */
static void test_property_container_keeps_winner(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_context ctx[5];
	struct subsets c;
	size_t checked = 0, failed = 0;

	contexts(ctx);
	containers(kb, &c);
	for (size_t s = 0; s < kb->n_sigs; s++) {
		for (size_t k = 0; is_specific(kb, s) && k < N(ctx); k++) {
			struct fake f;
			struct hv_explanation ex;
			size_t winner;

			fake_reset(&f);
			fake_add(&f, kb, s);
			rank(kb, &f, &ctx[k], &ex);
			if (!ex.n_likely ||
			    (ex.n_likely > 1 &&
			     ex.items[0].score == ex.items[1].score)) {
				hv_explanation_release(&ex);
				continue;
			}
			winner = ex.items[0].cause;
			hv_explanation_release(&ex);
			for (unsigned mask = 1; mask < (1u << c.n); mask++) {
				if (!subset_wanted(mask, c.n))
					continue;
				fake_reset(&f);
				add_subset(&f, kb, &c, mask);
				fake_add(&f, kb, s);
				rank(kb, &f, &ctx[k], &ex);
				checked++;
				if (!ex.n_likely ||
				    ex.items[0].cause != winner) {
					print_error("%s, context %zu, "
						    "containers 0x%x: winner "
						    "changed\n",
						    kb->sigs[s].id, k, mask);
					failed++;
				}
				hv_explanation_release(&ex);
			}
		}
	}
	print_message("%zu rankings checked\n", checked);
	assert_true(checked > 1000);
	assert_int_equal(failed, 0);
}

/* Compares every cause the added signature names, before and after. */
static size_t compare_causes(const struct hv_kb *kb, size_t added,
			     const struct hv_explanation *before,
			     const struct hv_explanation *after,
			     const char *base)
{
	size_t failed = 0;

	for (size_t c = 0; c < kb->sigs[added].n_causes; c++) {
		size_t cause = kb->sigs[added].cause_index[c];
		const struct hv_ranked *b = ranked_index(before, cause);
		const struct hv_ranked *a = ranked_index(after, cause);

		if (!b)
			continue;
		if (!a || a->score < b->score) {
			print_error("adding %s to %s lowers %s: %d -> %d\n",
				    kb->sigs[added].id, base,
				    kb->causes[cause].id, b->score,
				    a ? a->score : -9999);
			failed++;
		}
	}
	return failed;
}

/* Adding a symptom that names a cause never lowers that cause: from no
 * symptom and from every single signature, under each context. */
static void test_property_symptom_never_lowers(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_context ctx[5];
	size_t checked = 0, failed = 0;

	contexts(ctx);
	for (size_t k = 0; k < N(ctx); k++) {
		for (size_t b = 0; b <= kb->n_sigs; b++) {
			struct fake base;
			struct hv_explanation before;

			fake_reset(&base);
			if (b < kb->n_sigs)
				fake_add(&base, kb, b);
			rank(kb, &base, &ctx[k], &before);
			for (size_t s = 0; s < kb->n_sigs; s++) {
				struct fake f = base;
				struct hv_explanation after;

				f.sym.items = f.items;
				if (s == b || !kb->sigs[s].n_causes)
					continue;
				fake_add(&f, kb, s);
				rank(kb, &f, &ctx[k], &after);
				checked++;
				failed += compare_causes(
					kb, s, &before, &after,
					b < kb->n_sigs ? kb->sigs[b].id
						       : "nothing");
				hv_explanation_release(&after);
			}
			hv_explanation_release(&before);
		}
	}
	print_message("%zu rankings checked\n", checked);
	assert_true(checked > 1000);
	assert_int_equal(failed, 0);
}

/* --- The scenarios of issue 13, from text as an admin pastes it. --- */

static void rank_text(const struct hv_kb *kb, const char *text,
		      const char *const *facts, struct hv_symptoms *sym,
		      struct hv_explanation *ex)
{
	struct hv_context ctx = {0};

	for (; facts && *facts; facts++)
		set_ctx(&ctx, *facts);
	memset(sym, 0, sizeof(*sym));
	memset(ex, 0, sizeof(*ex));
	if (text)
		hv_symptoms_scan(kb, text, 1, sym);
	hv_explain_rank(kb, sym, &ctx, ex);
}

static void expect_first(const struct hv_kb *kb, const char *text,
			 const char *const *facts, const char *first)
{
	struct hv_symptoms sym;
	struct hv_explanation ex;

	rank_text(kb, text, facts, &sym, &ex);
	if (!ex.n_likely ||
	    strcmp(kb->causes[ex.items[0].cause].id, first) != 0)
		fail_msg("'%.60s': first is %s, want %s", text ? text : "",
			 ex.n_likely ? kb->causes[ex.items[0].cause].id
				     : "nothing",
			 first);
	/* the winner leads by a margin, not by the tie-break */
	if (ex.n_likely > 1)
		assert_true(ex.items[0].score > ex.items[1].score);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
}

static void test_builtin_scenarios(void **state)
{
	static const char *const remote[] = {"auth=credssp", "initiated=remote",
					     NULL};
	static const char *const kerberos2016[] = {"auth=kerberos", "os=2016",
						   NULL};
	static const char *const cg2025[] = {"os=2025", "auth=credssp", NULL};
	const struct hv_kb *kb = *state;

	expect_first(kb, "0x8009030E", remote, "credssp-remote-initiation");
	expect_first(kb, "0x8009030E", kerberos2016, "kcd-kerberos-only-2016");
	expect_first(kb, "0x8009030E", cg2025, "credssp-credential-guard");
	expect_first(kb, "-2146893042", cg2025, "credssp-credential-guard");
	/* context alone, with no text at all (issue 23: text that says
	 * only "it broke" is tested in test_builtin_unrecognised_text) */
	expect_first(kb, NULL, cg2025, "credssp-credential-guard");
	expect_first(kb,
		     "Event 21502 Live migration of 'Virtual Machine VM1' "
		     "failed. Virtual machine migration operation for 'VM1' "
		     "failed at migration source 'HV01'. Virtual machine "
		     "'VM1' is using processor-specific features not "
		     "supported on host 'HV02'.",
		     NULL, "cpu-incompatible");
	expect_first(kb,
		     "Move-VM : Virtual machine migration operation for 'VM1' "
		     "failed at migration source 'HV01'. The operation cannot "
		     "be performed because the virtual machine migration "
		     "limit \"2\" was reached, please wait for completion of "
		     "an ongoing migration operation.",
		     NULL, "migration-limit-reached");
	expect_first(kb,
		     "There is a time and/or date difference between the "
		     "client and server (0x80070576)",
		     NULL, "clock-skew");
	expect_first(kb,
		     "A specified logon session does not exist (0x80070520)",
		     remote, "credssp-remote-initiation");
	expect_first(kb,
		     "A specified logon session does not exist (0x80070520)",
		     cg2025, "credssp-credential-guard");
	expect_first(kb, "Could not find Ethernet switch 'External'.", NULL,
		     "vswitch-missing");
}

/* Order inside one code (issue 23): a cause that needs a move between
 * clusters does not outrank the general one on a cluster alone; a code
 * two causes share is decided by the message beside it. */
static void test_builtin_order_in_one_code(void **state)
{
	static const char *const clustered[] = {"clustered=yes", NULL};
	const struct hv_kb *kb = *state;

	expect_first(kb, "0x80090322", clustered, "spn-duplicate");
	expect_first(kb, "0x80048054", NULL, "smb-filer-oplocks");
	expect_first(kb,
		     "Unknown error (0x80048054). Virtual machine 'WEB01' is "
		     "using processor-specific features not supported on "
		     "physical computer 'HV02'.",
		     NULL, "cpu-incompatible");
	expect_first(kb, "0x8007274D", NULL, "port-6600-refused");
}

/* The Move-VM paste with 0x8009030E and auth=credssp: the delegation
 * causes are ruled out, and a cause only the headline names (port 6600
 * refused) is no candidate at all. */
static void test_builtin_credssp_rules_out_kerberos(void **state)
{
	static const char *const credssp[] = {"auth=credssp", NULL};
	static const char *const kerberos[] = {"auth=kerberos", NULL};
	static const char paste[] =
		"Move-VM : Virtual machine migration operation for 'VM01' "
		"failed at migration source 'HV01'.\n"
		"The Virtual Machine Management Service failed to establish a "
		"connection for a Virtual Machine migration with host 'HV02': "
		"No credentials are available in the security package "
		"(0x8009030E).\n";
	const struct hv_kb *kb = *state;
	struct hv_symptoms sym;
	struct hv_explanation ex;

	rank_text(kb, paste, credssp, &sym, &ex);
	for (size_t i = 0; i < ex.n_likely; i++)
		assert_null(strstr(kb->causes[ex.items[i].cause].id, "kcd-"));
	assert_int_equal(ranked(kb, &ex, "kcd-kerberos-only-2016")->verdict,
			 HV_RULED_OUT);
	assert_int_equal(ranked(kb, &ex, "kcd-missing-vsms")->verdict,
			 HV_RULED_OUT);
	assert_null(ranked(kb, &ex, "port-6600-refused"));
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);

	rank_text(kb, paste, kerberos, &sym, &ex);
	assert_int_equal(ranked(kb, &ex, "credssp-remote-initiation")->verdict,
			 HV_RULED_OUT);
	assert_int_equal(ranked(kb, &ex, "credssp-credential-guard")->verdict,
			 HV_RULED_OUT);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
}

/* The cluster paste of the old golden: the switch named in the text,
 * not the memory cause its headline lists first. */
static void test_builtin_cluster_paste(void **state)
{
	const struct hv_kb *kb = *state;
	const char *dir = getenv("HVDOCTOR_SOURCE_DIR");
	struct hv_strbuf path = HV_STRBUF_INIT, text = HV_STRBUF_INIT;
	struct hv_symptoms sym;
	struct hv_explanation ex;
	char chunk[4096];
	size_t n;
	FILE *f;

	if (!dir)
		skip();
	hv_strbuf_addf(&path, "%s/tests/cli/cases/explain-cluster-21502.in",
		       dir);
	f = fopen(hv_strbuf_str(&path), "r");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		hv_strbuf_add(&text, chunk, n);
	fclose(f);
	rank_text(kb, hv_strbuf_str(&text), NULL, &sym, &ex);
	assert_true(ex.n_likely > 0);
	assert_string_equal(kb->causes[ex.items[0].cause].id,
			    "vswitch-missing");
	assert_null(ranked(kb, &ex, "dest-insufficient-memory"));
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
	hv_strbuf_release(&path);
	hv_strbuf_release(&text);
}

/* Events that name no cause give no likely cause, never an empty list
 * of guesses. */
static void test_builtin_no_cause_events(void **state)
{
	static const char *const inputs[] = {"1069",
					     "1205",
					     "Event ID: 20415",
					     "Event ID 1069 and Event ID 1205",
					     "20413",
					     "Event ID: 20413",
					     "20415"};
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < N(inputs); i++) {
		struct hv_symptoms sym;
		struct hv_explanation ex;

		rank_text(kb, inputs[i], NULL, &sym, &ex);
		assert_false(hv_symptoms_empty(&sym));
		if (ex.n_likely)
			fail_msg("'%s' names %s", inputs[i],
				 kb->causes[ex.items[0].cause].id);
		hv_explanation_release(&ex);
		hv_symptoms_release(&sym);
	}
}

/* Every fact an admin can give, one at a time (issue 23). */
static const char *const every_fact[] = {
	"os=2012",	    "os=2012r2",	 "os=2016",
	"os=2019",	    "os=2022",		 "os=2025",
	"auth=kerberos",    "auth=credssp",	 "initiated=source",
	"initiated=remote", "clustered=yes",	 "clustered=no",
	"phase=source",	    "phase=destination", "percent=0",
	"percent=50",	    "percent=100",	 "storage=yes",
	"storage=no",
};

/* Text in which nothing is recognised names no cause, whatever the
 * context: context says which causes can apply, not that one happened. */
static void test_builtin_unrecognised_text(void **state)
{
	static const char *const texts[] = {
		"live migration failed",
		"live migration stopped working after the upgrade",
		"The move of VM01 did not complete, please try again later.",
	};
	const struct hv_kb *kb = *state;

	for (size_t t = 0; t < N(texts); t++) {
		for (size_t i = 0; i < N(every_fact); i++) {
			const char *facts[] = {every_fact[i], NULL};
			struct hv_symptoms sym;
			struct hv_explanation ex;

			rank_text(kb, texts[t], facts, &sym, &ex);
			assert_true(hv_symptoms_empty(&sym));
			if (ex.n_likely || ex.basis != HV_BASIS_NOTHING)
				fail_msg("'%.30s' with %s names %s", texts[t],
					 every_fact[i],
					 ex.n_likely
						 ? kb->causes[ex.items[0].cause]
							   .id
						 : "(basis)");
			hv_explanation_release(&ex);
			hv_symptoms_release(&sym);
		}
	}
}

/* With no text at all, each fact alone ranks only the causes its rules
 * speak of, and says so: the basis is the context, never evidence. */
static void test_builtin_context_without_text(void **state)
{
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < N(every_fact); i++) {
		const char *facts[] = {every_fact[i], NULL};
		struct hv_symptoms sym;
		struct hv_explanation ex;

		rank_text(kb, NULL, facts, &sym, &ex);
		assert_int_equal(ex.basis, HV_BASIS_CONTEXT);
		for (size_t c = 0; c < ex.n; c++)
			assert_int_equal(ex.items[c].evidence, 0);
		hv_explanation_release(&ex);
		hv_symptoms_release(&sym);
	}
}

/* An event that names no cause is no symptom of a cause, and the
 * context does not turn it into one. */
static void test_builtin_no_cause_event_with_context(void **state)
{
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < N(every_fact); i++) {
		const char *facts[] = {every_fact[i], NULL};
		struct hv_symptoms sym;
		struct hv_explanation ex;

		rank_text(kb, "Event ID: 1069", facts, &sym, &ex);
		if (ex.n_likely)
			fail_msg("1069 with %s names %s", every_fact[i],
				 kb->causes[ex.items[0].cause].id);
		hv_explanation_release(&ex);
		hv_symptoms_release(&sym);
	}
}

/* Issue 17 item 6: a signature the knowledge base files as progress or
 * success never names a cause (20413 starts every migration and named
 * system-drive-letter-mismatch with exit 0). */
static void test_builtin_progress_names_no_cause(void **state)
{
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < kb->n_sigs; i++) {
		const char *m = kb->sigs[i].meaning;

		if (strncmp(m, "Progress", 8) != 0 &&
		    strncmp(m, "Success", 7) != 0)
			continue;
		if (kb->sigs[i].n_causes)
			fail_msg("%s is progress or success but names "
				 "%s",
				 kb->sigs[i].id,
				 kb->causes[kb->sigs[i].cause_index[0]].id);
	}
}

/* Issue 17 item 6: a cause whose only evidence is an unverified
 * signature (22038) carries the warning on itself; one with verified
 * evidence too does not. */
static void test_builtin_unverified_evidence_warns(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms sym;
	struct hv_explanation ex;
	const struct hv_ranked *r;

	rank_text(kb, "22038", NULL, &sym, &ex);
	assert_true(ex.n_likely > 0);
	for (size_t i = 0; i < ex.n_likely; i++) {
		r = &ex.items[i];
		if (!r->caveat || !strstr(r->caveat, "unverified"))
			fail_msg("%s ranks likely on 22038 alone, "
				 "without a "
				 "warning",
				 kb->causes[r->cause].id);
	}
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
	rank_text(kb, "22038 0x8009030E", NULL, &sym, &ex);
	r = ranked(kb, &ex, "kcd-missing-vsms");
	assert_non_null(r);
	assert_null(r->caveat);
	hv_explanation_release(&ex);
	hv_symptoms_release(&sym);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_every_rule),
		cmocka_unit_test(test_property_one_cause_beats_containers),
		cmocka_unit_test(test_property_container_keeps_winner),
		cmocka_unit_test(test_property_symptom_never_lowers),
		cmocka_unit_test(test_builtin_scenarios),
		cmocka_unit_test(test_builtin_credssp_rules_out_kerberos),
		cmocka_unit_test(test_builtin_cluster_paste),
		cmocka_unit_test(test_builtin_no_cause_events),
		cmocka_unit_test(test_builtin_order_in_one_code),
		cmocka_unit_test(test_builtin_unrecognised_text),
		cmocka_unit_test(test_builtin_context_without_text),
		cmocka_unit_test(test_builtin_no_cause_event_with_context),
		cmocka_unit_test(test_builtin_progress_names_no_cause),
		cmocka_unit_test(test_builtin_unverified_evidence_warns),
	};

	return cmocka_run_group_tests_name("built-in kb", tests, setup_builtin,
					   teardown_kb);
}
