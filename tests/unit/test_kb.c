/* The knowledge-base reader (kb/README.md): a good record of each kind,
 * every error naming the exact file:line, --kb overrides by id, and the
 * built-in knowledge base: it loads, validates, and covers every cause
 * of the shared reference table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "knowledge/kb.h"
#include "shared_dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A complete cause record, lines 1-9. */
#define CAUSE_A                                                                \
	"cause: cause-a\n"                                                     \
	"title: Cause A\n"                                                     \
	"severity: error\n"                                                    \
	"explain: What is wrong.\n"                                            \
	"confirm: Get-Thing\n"                                                 \
	"fix: Set-Thing\n"                                                     \
	"verify: Get-Thing again\n"                                            \
	"checked-by: none\n"                                                   \
	"source: MS Learn\n"

/* The same record without its first line, to build variants. */
#define CAUSE_BODY                                                             \
	"title: Cause B\n"                                                     \
	"severity: warning\n"                                                  \
	"explain: x\n"                                                         \
	"confirm: x\n"                                                         \
	"fix: x\n"                                                             \
	"verify: x\n"                                                          \
	"checked-by: none\n"

static int parse(struct hv_kb *kb, const char *name, const char *text,
		 struct hv_error *err)
{
	return hv_kb_parse(kb, name, text, strlen(text), err);
}

static void test_good_cause(void **state)
{
	static const char text[] =
		"# a comment line\n"
		"cause: kcd-test\n"
		"title: Delegation is missing\n"
		"severity: warning\n"
		"explain: The source may not delegate.\n"
		"  Second line of the explanation.\n"
		"confirm: Get-ADComputer SRC\n"
		"fix: Set-ADComputer SRC\n"
		"verify: audit again\n"
		"checked-by: hvdoctor audit --ldap URI\n"
		"context: auth=credssp,os>=2016 -50 CredSSP needs no KCD\n"
		"context: percent<=10 +20 it failed early\n"
		"source: MS Learn (VERIFIED)\n";
	struct hv_kb kb = {0};
	struct hv_error err;
	const struct hv_cause *c;

	(void)state;
	assert_int_equal(parse(&kb, "t.kb", text, &err), 0);
	assert_int_equal(hv_kb_validate(&kb, &err), 0);
	assert_int_equal(kb.n_causes, 1);
	c = hv_kb_cause(&kb, "kcd-test");
	assert_non_null(c);
	assert_ptr_equal(c, &kb.causes[0]);
	assert_int_equal(hv_kb_cause_index(&kb, "kcd-test"), 0);
	assert_int_equal(hv_kb_cause_index(&kb, "nope"), -1);
	assert_null(hv_kb_cause(&kb, "nope"));
	assert_string_equal(c->title, "Delegation is missing");
	assert_int_equal(c->severity, HV_SEV_WARNING);
	assert_string_equal(c->explain, "The source may not delegate.\n"
					"Second line of the explanation.");
	assert_string_equal(c->checked_by, "hvdoctor audit --ldap URI");
	assert_string_equal(c->source, "MS Learn (VERIFIED)");
	assert_string_equal(c->origin, "t.kb:2");
	assert_int_equal(c->n_rules, 2);
	assert_int_equal(c->rules[0].n_cond, 2);
	assert_int_equal(c->rules[0].cond[0].key, HV_CTX_AUTH);
	assert_int_equal(c->rules[0].cond[0].op, HV_CTX_EQ);
	assert_int_equal(c->rules[0].cond[1].key, HV_CTX_OS);
	assert_int_equal(c->rules[0].cond[1].op, HV_CTX_GE);
	assert_int_equal(c->rules[0].score, -50);
	assert_string_equal(c->rules[0].reason, "CredSSP needs no KCD");
	assert_int_equal(c->rules[1].cond[0].key, HV_CTX_PERCENT);
	assert_int_equal(c->rules[1].cond[0].op, HV_CTX_LE);
	assert_int_equal(c->rules[1].cond[0].value, 10);
	assert_int_equal(c->rules[1].score, 20);
	assert_string_equal(hv_severity_name(c->severity), "warning");
	hv_kb_release(&kb);
	assert_int_equal(kb.n_causes, 0);
	assert_null(kb.causes);
}

/* The fields issue 13 added: context rules that rule a cause out,
 * checked-by as data, containers, fragments folded once at load, and
 * each signature's information. */
static void test_issue13_fields(void **state)
{
	static const char text[] =
		"cause: one\ntitle: t\nseverity: error\nexplain: x\n"
		"confirm: x\nfix: x\nverify: x\n"
		"checked-by: hvdoctor audit --ldap URI\n"
		"  (or --ldif FILE)\n"
		"  hvdoctor prove --to DST\n"
		"context: auth=credssp out CredSSP uses no delegation\n\n"
		"cause: two\ntitle: t\nseverity: error\nexplain: x\n"
		"confirm: x\nfix: x\nverify: x\nchecked-by: none\n\n"
		"signature: msg-head\nkind: message\n"
		"fragment: failed  at\n  migration source\n"
		"container: yes\nmeaning: m\ncauses: one two\n\n"
		"signature: msg-one\nkind: message\nfragment: only one here\n"
		"container: no\nmeaning: m\ncauses: one\n";
	struct hv_kb kb = {0};
	struct hv_error err;
	const struct hv_cause *c;

	(void)state;
	assert_int_equal(parse(&kb, "t.kb", text, &err), 0);
	assert_int_equal(hv_kb_validate(&kb, &err), 0);
	c = hv_kb_cause(&kb, "one");
	assert_true(c->rules[0].out);
	assert_int_equal(c->rules[0].score, 0);
	assert_string_equal(c->rules[0].reason, "CredSSP uses no delegation");
	assert_int_equal(c->n_checks, 2);
	assert_string_equal(c->checks[0].command, "audit");
	assert_string_equal(c->checks[0].text,
			    "hvdoctor audit --ldap URI\n(or --ldif FILE)");
	assert_string_equal(c->checks[1].command, "prove");
	assert_int_equal(hv_kb_cause(&kb, "two")->n_checks, 0);
	assert_true(kb.sigs[0].container);
	assert_false(kb.sigs[1].container);
	/* folded to the normal form text is matched in (base/textnorm.h) */
	assert_string_equal(kb.sigs[0].folded[0], "failedatmigrationsource");
	/* one of two causes says less than one cause, which says all */
	assert_true(kb.sigs[1].info > 0.999 && kb.sigs[1].info < 1.001);
	assert_true(kb.sigs[0].info < 0.001);
	hv_kb_release(&kb);
}

static void test_fold(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		/* blanks go (text is matched however it was wrapped) */
		{"  a \t b\r\n c  ", "abc"},
		{"", ""},
		{" \n\t ", ""},
		/* one word is matched as a word (HV_TEXTNORM_WORD) */
		{"one", "\x1bone"},
		/* ASCII letters fold to lower case, other bytes stay */
		{"Failed At \xC3\x9C", "failedat\xC3\x9C"},
		/* a placeholder and its quotes take any name */
		{"for '%1' failed", "for\x1a"
				    "failed"},
		{"doesn't", "doesnot"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *f = hv_kb_fold(cases[i].in);

		assert_string_equal(f, cases[i].out);
		free(f);
	}
}

static void test_good_signatures(void **state)
{
	static const char text[] = CAUSE_A
		"\n"
		"cause: cause-b\n" CAUSE_BODY "\r\n"
		"signature: hr-test\r\n"
		"kind: hresult\r\n"
		"code: 0x8009030e\r\n"
		"name: SEC_E_NO_CREDENTIALS\r\n"
		"name: SEC_E_OTHER_NAME\r\n"
		"fragment: No credentials are available\r\n"
		"  in the security package\r\n"
		"meaning: No credentials.\r\n"
		"phase: source\r\n"
		"causes: cause-b cause-a\r\n"
		"note: a caveat\r\n"
		"status: verified\r\n"
		"\n"
		"signature: ev-test\n"
		"kind: event\n"
		"event: 21502\n"
		"channel: Microsoft-Windows-Hyper-V-High-Availability-Admin\n"
		"meaning: Live migration failed.\n"
		"causes: cause-a\n"
		"\n"
		"signature: krb-test\n"
		"kind: kerberos\n"
		"code: 13\n"
		"name: KDC_ERR_BADOPTION\n"
		"meaning: KDC cannot accommodate requested option.\n"
		"causes: cause-a\n"
		"  cause-b\n"
		"\n"
		"signature: msg-test\n"
		"kind: message\n"
		"fragment: failed at migration source\n"
		"meaning: The source gave up.\n"
		"causes: none\n"
		"\n"
		"signature: win-test\n"
		"kind: win32\n"
		"code: 10061\n"
		"meaning: Refused.\n"
		"causes: cause-b\n";
	struct hv_kb kb = {0};
	struct hv_error err;
	const struct hv_signature *s;

	(void)state;
	assert_int_equal(parse(&kb, "sigs.kb", text, &err), 0);
	assert_int_equal(hv_kb_validate(&kb, &err), 0);
	assert_int_equal(kb.n_causes, 2);
	assert_int_equal(kb.n_sigs, 5);

	s = &kb.sigs[0];
	assert_string_equal(s->id, "hr-test");
	assert_int_equal(s->kind, HV_SIG_HRESULT);
	assert_int_equal(s->code, 0x8009030Eu);
	assert_int_equal(s->n_names, 2);
	assert_string_equal(s->names[0], "SEC_E_NO_CREDENTIALS");
	assert_string_equal(s->names[1], "SEC_E_OTHER_NAME");
	assert_int_equal(s->n_fragments, 1);
	assert_string_equal(s->fragments[0], "No credentials are available\n"
					     "in the security package");
	assert_string_equal(s->phase, "source");
	assert_string_equal(s->note, "a caveat");
	assert_string_equal(s->status, "verified");
	assert_int_equal(s->n_causes, 2);
	assert_string_equal(s->cause_ids[0], "cause-b");
	assert_int_equal(s->cause_index[0], 1);
	assert_int_equal(s->cause_index[1], 0);
	assert_string_equal(s->origin, "sigs.kb:20");
	assert_string_equal(hv_sig_kind_name(s->kind), "hresult");

	s = &kb.sigs[1];
	assert_int_equal(s->kind, HV_SIG_EVENT);
	assert_int_equal(s->event, 21502);
	assert_string_equal(s->channel, "Microsoft-Windows-Hyper-V-"
					"High-Availability-Admin");
	assert_int_equal(s->n_names, 0);

	s = &kb.sigs[2];
	assert_int_equal(s->kind, HV_SIG_KERBEROS);
	assert_int_equal(s->code, 13);
	/* causes may continue on the next line */
	assert_int_equal(s->n_causes, 2);
	assert_string_equal(s->cause_ids[1], "cause-b");

	s = &kb.sigs[3];
	assert_int_equal(s->kind, HV_SIG_MESSAGE);
	assert_int_equal(s->n_causes, 0);
	assert_null(s->cause_index);

	s = &kb.sigs[4];
	assert_int_equal(s->kind, HV_SIG_WIN32);
	assert_int_equal(s->code, 10061);
	hv_kb_release(&kb);
}

struct bad_case {
	const char *what;
	const char *text;
	const char *where;   /* exact err.where */
	const char *message; /* a part of err.message */
};

#define SIG_HEAD(id, kind) "signature: " id "\nkind: " kind "\n"

static const struct bad_case bad_cases[] = {
	{"outside with causes",
	 CAUSE_A
	 "\n" SIG_HEAD("hr-x", "hresult") "code: 0x80070070\nmeaning: m\n"
					  "causes: cause-a\noutside: storage\n",
	 "t.kb:16", "outside"},
	{"unknown field in a cause", CAUSE_A "colour: red\n", "t.kb:10",
	 "colour"},
	{"unknown field in a signature",
	 CAUSE_A
	 "\n" SIG_HEAD("hr-x", "hresult") "code: 0x80070005\nmeaning: "
					  "m\nwhatever: 1\ncauses: cause-a\n",
	 "t.kb:15", "whatever"},
	{"repeated field", "cause: cause-b\n" CAUSE_BODY "title: Again\n",
	 "t.kb:9", "title"},
	{"repeated meaning",
	 CAUSE_A
	 "\n" SIG_HEAD("hr-x", "hresult") "code: 0x80070005\nmeaning: "
					  "m\nmeaning: n\ncauses: cause-a\n",
	 "t.kb:15", "meaning"},
	{"missing fix",
	 CAUSE_A "\ncause: cause-b\ntitle: B\nseverity: error\n"
		 "explain: x\nconfirm: x\nverify: x\nchecked-by: none\n",
	 "t.kb:11", "fix"},
	{"empty required field",
	 CAUSE_A
	 "\ncause: cause-b\ntitle:\nseverity: error\n"
	 "explain: x\nconfirm: x\nfix: x\nverify: x\nchecked-by: none\n",
	 "t.kb:11", "title"},
	{"missing meaning",
	 CAUSE_A
	 "\n" SIG_HEAD("hr-x", "hresult") "code: 0x80070005\ncauses: cause-a\n",
	 "t.kb:11", "meaning"},
	{"missing causes",
	 CAUSE_A
	 "\n" SIG_HEAD("hr-x", "hresult") "code: 0x80070005\nmeaning: m\n",
	 "t.kb:11", "causes"},
	{"missing code",
	 CAUSE_A
	 "\n" SIG_HEAD("hr-x", "hresult") "meaning: m\ncauses: cause-a\n",
	 "t.kb:11", "code"},
	{"missing channel of an event",
	 CAUSE_A "\n" SIG_HEAD(
		 "ev-x", "event") "event: 21502\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:11", "channel"},
	{"message without a fragment",
	 CAUSE_A
	 "\n" SIG_HEAD("msg-x", "message") "meaning: m\ncauses: cause-a\n",
	 "t.kb:11", "fragment"},
	{"fragment too short",
	 CAUSE_A "\n" SIG_HEAD(
		 "msg-x",
		 "message") "fragment: short\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:11", "short"},
	{"blank fragment",
	 CAUSE_A
	 "\n" SIG_HEAD("msg-x", "message") "fragment:           \nmeaning: "
					   "m\ncauses: cause-a\n",
	 "t.kb:11", "too short"},
	{"fragment of short words",
	 CAUSE_A
	 "\n" SIG_HEAD("msg-x", "message") "fragment: a b c d e f g\nmeaning: "
					   "m\ncauses: cause-a\n",
	 "t.kb:11", "too short"},
	{"bad severity",
	 "cause: cause-b\ntitle: B\nseverity: fatal\nexplain: x\n"
	 "confirm: x\nfix: x\nverify: x\nchecked-by: none\n",
	 "t.kb:3", "error, warning or info, not 'fatal'"},
	{"missing severity",
	 "cause: cause-b\ntitle: B\nexplain: x\n"
	 "confirm: x\nfix: x\nverify: x\nchecked-by: none\n",
	 "t.kb:1", "lacks required field 'severity'"},
	{"missing kind", CAUSE_A "\nsignature: x-y\ncode: 0x80070005\n",
	 "t.kb:11", "lacks required field 'kind'"},
	{"bad kind", CAUSE_A "\nsignature: x-y\nkind: ntstatus\n", "t.kb:12",
	 "ntstatus"},
	{"HRESULT without 0x",
	 CAUSE_A "\n" SIG_HEAD(
		 "hr-x",
		 "hresult") "meaning: m\ncode: 8009030E\ncauses: cause-a\n",
	 "t.kb:14", "8009030E"},
	{"HRESULT with 7 digits",
	 CAUSE_A "\n" SIG_HEAD(
		 "hr-x",
		 "hresult") "code: 0x8009030\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "0x8009030"},
	{"HRESULT with 9 digits",
	 CAUSE_A "\n" SIG_HEAD(
		 "hr-x",
		 "hresult") "code: 0x8009030E0\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "0x8009030E0"},
	{"HRESULT with a non-hex digit",
	 CAUSE_A "\n" SIG_HEAD(
		 "hr-x",
		 "hresult") "code: 0x8009030G\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "0x8009030G"},
	{"HRESULT with upper-case 0X",
	 CAUSE_A "\n" SIG_HEAD(
		 "hr-x",
		 "hresult") "code: 0X8009030E\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "0X8009030E"},
	{"HRESULT with a sign",
	 CAUSE_A "\n" SIG_HEAD(
		 "hr-x",
		 "hresult") "code: 0x+8009030\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "0x+8009030"},
	{"HRESULT with a blank",
	 CAUSE_A "\n" SIG_HEAD(
		 "hr-x",
		 "hresult") "code: 0x 8009030\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "0x 8009030"},
	{"HRESULT in decimal",
	 CAUSE_A "\n" SIG_HEAD(
		 "hr-x",
		 "hresult") "code: -2146893042\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "-2146893042"},
	{"Win32 code in hex",
	 CAUSE_A "\n" SIG_HEAD(
		 "w-x", "win32") "code: 0x274D\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "0x274D"},
	{"negative Kerberos code",
	 CAUSE_A "\n" SIG_HEAD(
		 "k-x", "kerberos") "code: -13\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:13", "-13"},
	{"event id too large",
	 CAUSE_A
	 "\n" SIG_HEAD("ev-x", "event") "channel: c\nevent: 99999\nmeaning: "
					"m\ncauses: cause-a\n",
	 "t.kb:14", "0..65535"},
	{"unknown cause reference",
	 CAUSE_A
	 "\n" SIG_HEAD("hr-x", "hresult") "code: 0x80070005\nmeaning: "
					  "m\ncauses: cause-a no-such-cause\n",
	 "t.kb:11", "no-such-cause"},
	{"duplicate cause in a signature",
	 CAUSE_A
	 "\n" SIG_HEAD("hr-x", "hresult") "code: 0x80070005\nmeaning: "
					  "m\ncauses: cause-a cause-a\n",
	 "t.kb:11", "twice"},
	{"signature id equal to a cause id",
	 CAUSE_A "\n" SIG_HEAD(
		 "cause-a",
		 "hresult") "code: 0x80070005\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:11", "cause-a"},
	{"continuation at the start of the file", "  continued\n" CAUSE_A,
	 "t.kb:1", "continuation"},
	{"continuation after a blank line", CAUSE_A "\n  continued\n",
	 "t.kb:11", "continuation"},
	{"continuation with a tab", CAUSE_A "\tcontinued\n", "t.kb:10",
	 "two spaces"},
	{"continuation with one space", CAUSE_A " continued\n", "t.kb:10",
	 "two spaces"},
	{"upper-case field name", CAUSE_A "Title: x\n", "t.kb:10", "field"},
	{"line without a colon", CAUSE_A "\ncause cause-b\n", "t.kb:11",
	 "field"},
	{"record of an unknown type", CAUSE_A "\nsolution: x\n", "t.kb:11",
	 "solution"},
	{"cause id not a slug", "cause: Cause_B\n" CAUSE_BODY, "t.kb:1",
	 "Cause_B"},
	{"signature id not a slug",
	 CAUSE_A "\n" SIG_HEAD(
		 "HR X",
		 "hresult") "code: 0x80070005\nmeaning: m\ncauses: cause-a\n",
	 "t.kb:11", "HR X"},
	{"context rule without a score", CAUSE_A "context: auth=credssp\n",
	 "t.kb:10", "score"},
	{"context rule without a reason", CAUSE_A "context: auth=credssp 10\n",
	 "t.kb:10", "reason"},
	{"context rule with a score out of range",
	 CAUSE_A "context: auth=credssp 5000 too much\n", "t.kb:10", "score"},
	{"context rule with a word for a score",
	 CAUSE_A "context: auth=credssp ten points\n", "t.kb:10", "score"},
	{"context rule with too many conditions",
	 CAUSE_A "context: os=2016,auth=kerberos,clustered=no,storage=no,"
		 "phase=source 10 x\n",
	 "t.kb:10", "conditions"},
	{"context rule with an empty condition",
	 CAUSE_A "context: os=2016,,auth=kerberos 10 x\n", "t.kb:10",
	 "context key"},
	{"context rule with an unknown key",
	 CAUSE_A "context: colour=red 10 x\n", "t.kb:10", "colour"},
	{"context rule with an unknown value",
	 CAUSE_A "context: auth=ntlm 10 x\n", "t.kb:10", "ntlm"},
	{"context rule with a bad os", CAUSE_A "context: os>=2017 10 x\n",
	 "t.kb:10", "2017"},
	{"context rule with a bad percent",
	 CAUSE_A "context: percent>=101 10 x\n", "t.kb:10", "101"},
	{"context rule ordering a non-ordered key",
	 CAUSE_A "context: auth>=credssp 10 x\n", "t.kb:10", "ordered"},
	{"context rule without an operator", CAUSE_A "context: auth 10 x\n",
	 "t.kb:10", "KEY=VALUE"},
	{"context rule on the second line of a record",
	 "cause: cause-b\ncontext: auth=nope 10 x\n" CAUSE_BODY, "t.kb:2",
	 "nope"},
	{"context rule scored neither number nor out",
	 CAUSE_A "context: auth=credssp maybe x\n", "t.kb:10", "'out'"},
	{"checked-by that names no hvdoctor command",
	 "cause: cause-b\ntitle: t\nseverity: error\nexplain: x\n"
	 "confirm: x\nfix: x\nverify: x\nchecked-by: run audit\n",
	 "t.kb:8", "checked-by is 'none'"},
	{"container neither yes nor no",
	 CAUSE_A "\nsignature: msg-x\nkind: message\nfragment: a long "
		 "fragment\nmeaning: m\ncauses: cause-a\ncontainer: maybe\n",
	 "t.kb:16", "container is yes or no"},
	{"NUL byte", NULL, "t.kb:1", "NUL"},
};

/* Returns true when the case fails as it should; says why not. */
static bool check_bad(const struct bad_case *bc, const char *text, size_t len)
{
	bool ok;

	struct hv_kb kb = {0};
	struct hv_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = hv_kb_parse(&kb, "t.kb", text, len, &err);
	if (rc == 0)
		rc = hv_kb_validate(&kb, &err);
	ok = rc == HV_ERR_INPUT && err.category == HV_ERR_INPUT &&
	     strcmp(err.where, bc->where) == 0 &&
	     strstr(err.message, bc->message);
	if (!ok)
		print_error("%s: rc %d, where '%s' (want '%s'), message '%s' "
			    "(want '%s' in it)\n",
			    bc->what, rc, err.where, bc->where, err.message,
			    bc->message);
	hv_kb_release(&kb);
	return ok;
}

/* A signature outside what hvdoctor diagnoses says where the cause is
 * instead (issue 23). */
static void test_outside(void **state)
{
	static const char text[] = CAUSE_A "\n" SIG_HEAD(
		"hr-disk-full",
		"hresult") "code: 0x80070070\n"
			   "meaning: The disk is full.\ncauses: none\n"
			   "outside: the destination's storage, not the move\n";
	struct hv_kb kb = {0};
	struct hv_error err;

	(void)state;
	assert_int_equal(hv_kb_parse(&kb, "t.kb", text, strlen(text), &err), 0);
	assert_string_equal(kb.sigs[0].outside,
			    "the destination's storage, not the move");
	hv_kb_release(&kb);
}

static void test_errors_name_file_and_line(void **state)
{
	static const char nul[] = "cause: a\0b\n";
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(*bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];
		bool ok = bc->text ? check_bad(bc, bc->text, strlen(bc->text))
				   : check_bad(bc, nul, sizeof(nul) - 1);

		failed += !ok;
	}
	assert_int_equal(failed, 0);
}

/* The text need not end in a newline, nor in a NUL: the length rules. */
static void test_unterminated_text(void **state)
{
	static const char text[] = CAUSE_A "\n   ";
	size_t len = sizeof(text) - 1;
	char *copy = malloc(len);
	struct hv_kb kb = {0};
	struct hv_error err;

	(void)state;
	assert_non_null(copy);
	memcpy(copy, text, len);
	assert_int_equal(hv_kb_parse(&kb, "t.kb", copy, len, &err), 0);
	assert_int_equal(kb.n_causes, 1);
	hv_kb_release(&kb);
	/* Up to the record's last byte, without its final newline. */
	assert_int_equal(
		hv_kb_parse(&kb, "t.kb", copy, sizeof(CAUSE_A) - 2, &err), 0);
	assert_string_equal(kb.causes[0].source, "MS Learn");
	hv_kb_release(&kb);
	free(copy);
	/* Nothing at all is an empty knowledge base, which validation
	 * refuses: it would explain nothing. */
	assert_int_equal(hv_kb_parse(&kb, "t.kb", "", 0, &err), 0);
	assert_int_equal(hv_kb_validate(&kb, &err), HV_ERR_INPUT);
	hv_kb_release(&kb);
}

static void test_override_by_id(void **state)
{
	static const char base[] = CAUSE_A
		"\n"
		"cause: cause-b\n" CAUSE_BODY
		"\n" SIG_HEAD("hr-x", "hresult") "code: 0x80070005\nmeaning: "
						 "old\ncauses: cause-a\n";
	static const char over[] =
		"cause: cause-a\ntitle: Cause A, corrected\nseverity: info\n"
		"explain: x\nconfirm: x\nfix: x\nverify: x\n"
		"checked-by: none\n\n" SIG_HEAD(
			"hr-x", "hresult") "code: 0x80070005\nmeaning: "
					   "new\ncauses: cause-b cause-a\n";
	struct hv_kb kb = {0};
	struct hv_error err;

	(void)state;
	assert_int_equal(parse(&kb, "base.kb", base, &err), 0);
	assert_int_equal(parse(&kb, "local/over.kb", over, &err), 0);
	assert_int_equal(hv_kb_validate(&kb, &err), 0);
	assert_int_equal(kb.n_causes, 2);
	assert_int_equal(kb.n_sigs, 1);
	/* replaced in place: the order of the causes does not change */
	assert_string_equal(kb.causes[0].id, "cause-a");
	assert_string_equal(kb.causes[0].title, "Cause A, corrected");
	assert_int_equal(kb.causes[0].severity, HV_SEV_INFO);
	assert_null(kb.causes[0].source);
	assert_string_equal(kb.causes[0].origin, "local/over.kb:1");
	assert_string_equal(kb.sigs[0].meaning, "new");
	assert_int_equal(kb.sigs[0].n_causes, 2);
	assert_int_equal(kb.sigs[0].cause_index[0], 1);
	assert_string_equal(kb.sigs[0].origin, "local/over.kb:10");
	hv_kb_release(&kb);
}

static char *make_temp_dir(void)
{
	char tmpl[] = "/tmp/hvdoctor-test-kb-XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return strdup(dir);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	struct hv_strbuf path = HV_STRBUF_INIT;
	FILE *f;

	hv_strbuf_addf(&path, "%s/%s", dir, name);
	f = fopen(hv_strbuf_str(&path), "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	hv_strbuf_release(&path);
}

static void remove_file(const char *dir, const char *name)
{
	struct hv_strbuf path = HV_STRBUF_INIT;

	hv_strbuf_addf(&path, "%s/%s", dir, name);
	unlink(hv_strbuf_str(&path));
	hv_strbuf_release(&path);
}

/* `--kb DIR` on top of the built-in knowledge base. */
static void test_load_dir_overrides_builtin(void **state)
{
	struct hv_kb builtin = {0}, kb = {0};
	struct hv_error err;
	struct hv_strbuf text = HV_STRBUF_INIT;
	struct hv_strbuf where = HV_STRBUF_INIT;
	char *dir = make_temp_dir();
	const char *id;
	long idx;

	(void)state;
	assert_int_equal(hv_kb_load(&builtin, NULL, &err), 0);
	id = builtin.causes[0].id;
	hv_strbuf_addf(&text,
		       "# local correction\n"
		       "cause: %s\ntitle: Replaced locally\nseverity: info\n"
		       "explain: x\nconfirm: x\nfix: x\nverify: x\n"
		       "checked-by: none\n\n"
		       "cause: local-extra\n" CAUSE_BODY,
		       id);
	write_file(dir, "10-local.kb", hv_strbuf_str(&text));
	write_file(dir, "README.txt", "not a kb file: ignored\n");
	assert_int_equal(hv_kb_load(&kb, dir, &err), 0);
	assert_int_equal(kb.n_causes, builtin.n_causes + 1);
	assert_int_equal(kb.n_sigs, builtin.n_sigs);
	idx = hv_kb_cause_index(&kb, id);
	assert_int_equal(idx, 0);
	assert_string_equal(kb.causes[idx].title, "Replaced locally");
	assert_non_null(hv_kb_cause(&kb, "local-extra"));
	hv_kb_release(&kb);

	/* A broken file in the directory names its path and line. */
	write_file(dir, "20-broken.kb",
		   "cause: broken\ntitle: t\nseverity: bad\n");
	assert_int_equal(hv_kb_load(&kb, dir, &err), HV_ERR_INPUT);
	hv_strbuf_addf(&where, "%s/20-broken.kb:3", dir);
	assert_string_equal(err.where, hv_strbuf_str(&where));
	hv_kb_release(&kb);

	/* A directory without any *.kb file is a mistake, not a no-op. */
	remove_file(dir, "10-local.kb");
	remove_file(dir, "20-broken.kb");
	assert_int_equal(hv_kb_load(&kb, dir, &err), HV_ERR_INPUT);
	assert_string_equal(err.where, dir);
	hv_kb_release(&kb);
	remove_file(dir, "README.txt");
	rmdir(dir);
	assert_int_equal(hv_kb_load(&kb, dir, &err), HV_ERR_IO);
	hv_kb_release(&kb);

	hv_kb_release(&builtin);
	hv_strbuf_release(&text);
	hv_strbuf_release(&where);
	free(dir);
}

static void test_builtin_loads(void **state)
{
	struct hv_kb kb = {0};
	struct hv_error err;

	(void)state;
	memset(&err, 0, sizeof(err));
	if (hv_kb_load(&kb, NULL, &err) != 0)
		fail_msg("built-in kb: %s: %s", err.where, err.message);
	assert_true(kb.n_causes > 0);
	assert_true(kb.n_sigs > 0);
	for (size_t i = 0; i < kb.n_causes; i++) {
		const struct hv_cause *c = &kb.causes[i];

		assert_true(*c->title && *c->explain && *c->confirm &&
			    *c->fix && *c->verify && *c->checked_by);
		assert_int_equal(hv_kb_cause_index(&kb, c->id), (long)i);
	}
	for (size_t i = 0; i < kb.n_sigs; i++) {
		const struct hv_signature *s = &kb.sigs[i];

		for (size_t j = 0; j < i; j++)
			if (strcmp(kb.sigs[j].id, s->id) == 0)
				fail_msg("signature %s twice", s->id);
		for (size_t c = 0; c < s->n_causes; c++) {
			assert_true(s->cause_index[c] < kb.n_causes);
			assert_string_equal(kb.causes[s->cause_index[c]].id,
					    s->cause_ids[c]);
		}
		if (s->kind == HV_SIG_EVENT)
			assert_non_null(s->channel);
		if (s->kind == HV_SIG_MESSAGE)
			assert_true(s->n_fragments > 0);
	}
	hv_kb_release(&kb);
}

/* Reads the first column of a TSV file (after its header) into list. */
static size_t read_first_column(FILE *f, char ***out)
{
	char line[8192];
	char **ids = NULL;
	size_t n = 0;
	bool header = true;

	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\t\r\n");

		if (header) {
			header = false;
			continue;
		}
		if (len == 0)
			continue;
		ids = realloc(ids, (n + 1) * sizeof(*ids));
		assert_non_null(ids);
		ids[n] = strndup(line, len);
		assert_non_null(ids[n]);
		n++;
	}
	*out = ids;
	return n;
}

/* Every cause of the research table must be known, so `explain` can
 * name all of them. The table lives next to the repository (../shared);
 * shared_dir.h says what happens without it. */
static void test_builtin_has_reference_causes(void **state)
{
	struct hv_strbuf missing = HV_STRBUF_INIT;
	struct hv_kb kb = {0};
	struct hv_error err;
	char **ids = NULL;
	char *path;
	size_t n;
	FILE *f;

	(void)state;
	path = shared_path_or_skip("reference/causes.tsv",
				   "the built-in causes are not checked "
				   "against the reference table");
	if (!path)
		return;
	f = fopen(path, "r");
	free(path);
	assert_non_null(f);
	n = read_first_column(f, &ids);
	fclose(f);
	assert_true(n > 0);
	assert_int_equal(hv_kb_load(&kb, NULL, &err), 0);
	for (size_t i = 0; i < n; i++) {
		if (!hv_kb_cause(&kb, ids[i]))
			hv_strbuf_addf(&missing, " %s", ids[i]);
		free(ids[i]);
	}
	free(ids);
	hv_kb_release(&kb);
	if (missing.len)
		fail_msg("causes.tsv ids missing from the built-in kb:%s",
			 hv_strbuf_str(&missing));
	hv_strbuf_release(&missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_cause),
		cmocka_unit_test(test_good_signatures),
		cmocka_unit_test(test_issue13_fields),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_outside),
		cmocka_unit_test(test_errors_name_file_and_line),
		cmocka_unit_test(test_unterminated_text),
		cmocka_unit_test(test_override_by_id),
		cmocka_unit_test(test_load_dir_overrides_builtin),
		cmocka_unit_test(test_builtin_loads),
		cmocka_unit_test(test_builtin_has_reference_causes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
