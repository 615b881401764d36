/* Recognising what admins really paste (issue 13): event ids under Event
 * Viewer's labels in other languages and in its XML view, bare numbers
 * only where a line names Hyper-V, the strongest sighting of a signature
 * kept, wording that was not understood said plainly, the facts a text
 * states, and the one rule for 8 hex digits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kb_fixture.h"

#include "diagnosis/symptoms.h"
#include "knowledge/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char test_kb[] =
	"cause: kcd-a\ntitle: t\nseverity: error\nexplain: x\nconfirm: x\n"
	"fix: x\nverify: x\nchecked-by: none\n\n"
	"signature: hr-no-creds\nkind: hresult\ncode: 0x8009030E\n"
	"fragment: No credentials are available in the security package\n"
	"meaning: m\ncauses: kcd-a\n\n"
	"signature: ev-21502\nkind: event\nevent: 21502\nchannel: c\n"
	"fragment: Live migration of 'Virtual Machine\n"
	"meaning: m\ncauses: kcd-a\n\n"
	"signature: msg-at-source\nkind: message\n"
	"fragment: failed at migration source\nmeaning: m\ncauses: kcd-a\n\n"
	"signature: msg-not-configured\nkind: message\n"
	"fragment: Host %1 is not configured for live migration\n"
	"meaning: m\ncauses: kcd-a\n";

static int setup_kb(void **state)
{
	return kb_setup_text(state, test_kb);
}

static int teardown_kb(void **state)
{
	return kb_teardown(state);
}

static const struct hv_symptom *
find_sig(const struct hv_kb *kb, const struct hv_symptoms *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(kb->sigs[s->items[i].sig].id, id) == 0)
			return &s->items[i];
	return NULL;
}

static void expect_sig(const struct hv_kb *kb, const char *input,
		       const char *id, const char *as)
{
	struct hv_symptoms s = {0};
	const struct hv_symptom *hit;

	hv_symptoms_scan(kb, input, 1, &s);
	hit = find_sig(kb, &s, id);
	if (!hit)
		fail_msg("'%s' should fire %s", input, id);
	if (as && !strstr(hit->as, as))
		fail_msg("'%s' read as '%s', expected '%s'", input, hit->as,
			 as);
	hv_symptoms_release(&s);
}

/* Event Viewer labels the id in the UI's language; the XML view has an
 * element with or without qualifiers. */
static void test_event_id_labels(void **state)
{
	static const char *const inputs[] = {
		"Ereignis-ID:   21502\nQuelle: x",
		"Olay Kimli\xC4\x9Fi:  21502\nD\xC3\xBCzey: Hata",
		"ID de l\xE2\x80\x99\xC3\xA9v\xC3\xA9nement\xC2\xA0: 21502",
		"Id. del evento: 21502 ok",
		"Gebeurtenis-id: 21502 ok",
		"<EventID>21502</EventID> <Level>2</Level>",
		"<EventID Qualifiers=\"49152\">21502</EventID>",
		"Error 3/2/2025 Hyper-V-High-Availability 21502 None",
	};
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++)
		expect_sig(kb, inputs[i], "ev-21502", "event id 21502");
}

/* A bare number is an event id only in a line that names Hyper-V. */
static void test_bare_numbers(void **state)
{
	static const char *const inputs[] = {
		"we saw 21502 failures last week",
		"<EventRecordID>21502</EventRecordID> <Level>2</Level>",
		"Error FailoverClustering 21502 None",
	};
	const struct hv_kb *kb = *state;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(*inputs); i++) {
		struct hv_symptoms s = {0};

		hv_symptoms_scan(kb, inputs[i], 1, &s);
		if (find_sig(kb, &s, "ev-21502"))
			fail_msg("'%s' fired ev-21502", inputs[i]);
		hv_symptoms_release(&s);
	}
}

/* A signature seen several ways is one symptom, kept at its strongest:
 * a code over Microsoft's words over a bare event id. */
static void test_strongest_sighting(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};
	const struct hv_symptom *hit;

	hv_symptoms_scan(kb,
			 "No credentials are available in the security "
			 "package. Later: (0x8009030E)",
			 1, &s);
	hit = find_sig(kb, &s, "hr-no-creds");
	assert_non_null(hit);
	assert_int_equal(hit->how, HV_MATCH_CODE);
	assert_string_equal(hit->matched, "0x8009030E");
	hv_symptoms_release(&s);
	hv_symptoms_scan(kb, "Event ID: 21502", 1, &s);
	assert_int_equal(s.items[0].how, HV_MATCH_EVENT_ID);
	hv_symptoms_scan(kb, "Live migration of 'Virtual Machine X' failed", 2,
			 &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.items[0].how, HV_MATCH_TEXT);
	assert_int_equal(s.items[0].input, 2);
	hv_symptoms_release(&s);
}

/* Codes found in wording that is not understood: said plainly. */
static void test_words_unread(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};

	hv_symptoms_scan(kb,
			 "'HV02' ana bilgisayar\xC4\xB1yla ba\xC4\x9Flant\xC4"
			 "\xB1 kurulamad\xC4\xB1 (0x8009030E).",
			 1, &s);
	assert_int_equal(s.n, 1);
	assert_true(hv_symptoms_words_unread(&s));
	hv_symptoms_release(&s);
	/* the same code with wording that is known */
	hv_symptoms_scan(kb,
			 "failed at migration source 'HV01' with (0x8009030E)",
			 1, &s);
	assert_false(hv_symptoms_words_unread(&s));
	hv_symptoms_release(&s);
	/* a code alone is not text */
	hv_symptoms_scan(kb, "0x8009030E", 1, &s);
	assert_false(hv_symptoms_words_unread(&s));
	hv_symptoms_release(&s);
}

static void expect_fact(const struct hv_kb *kb, const char *text,
			enum hv_ctx_key key, const char *value)
{
	struct hv_symptoms s = {0};
	char num[16];

	hv_symptoms_scan(kb, text, 1, &s);
	if (!value) {
		if (s.fact[key].known)
			fail_msg("'%s' gave %s", text, hv_ctx_key_name(key));
	} else if (!s.fact[key].known ||
		   strcmp(hv_ctx_value_name(key, s.fact[key].value, num,
					    sizeof(num)),
			  value) != 0) {
		fail_msg("'%s': %s not %s", text, hv_ctx_key_name(key), value);
	}
	hv_symptoms_release(&s);
}

/* Facts the text states fill context keys. */
static void test_facts_from_text(void **state)
{
	const struct hv_kb *kb = *state;

	expect_fact(kb, "canli gecis %37 tamamlandi", HV_CTX_PERCENT, "37");
	expect_fact(kb, "Source: Microsoft-Windows-Hyper-V-High-Availability x",
		    HV_CTX_CLUSTERED, "yes");
	expect_fact(kb, "Move-VM -Name A -DestinationHost B -IncludeStorage",
		    HV_CTX_STORAGE, "yes");
	expect_fact(kb, "Move-VM -ComputerName HV1 -Name A", HV_CTX_INITIATED,
		    "remote");
	expect_fact(kb, "Error (12700) VMM cannot complete the host operation",
		    HV_CTX_INITIATED, "remote");
	expect_fact(kb, "after the upgrade to Windows Server 2025 it fails",
		    HV_CTX_OS, "2025");
	expect_fact(kb, "hosts on Windows Server 2012 R2 only", HV_CTX_OS,
		    "2012r2");
	/* two releases decide nothing */
	expect_fact(kb, "from Windows Server 2019 to Windows Server 2022",
		    HV_CTX_OS, NULL);
	expect_fact(kb, "code %1000 is no percentage", HV_CTX_PERCENT, NULL);
	expect_fact(kb, "no cluster words here at all", HV_CTX_CLUSTERED, NULL);
}

/* The one rule for 8 hex digits: the severity bit set. */
static void test_hresult_word(void **state)
{
	static const char *const good[] = {"80070005", "8009030E", "C03A0014",
					   "c03a0014"};
	static const char *const bad[] = {"12345678", "DEADBEEF",  "0009030E",
					  "8009030",  "8009030EE", "8009030G"};
	uint32_t hr;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(hv_hresult_word(good[i], strlen(good[i]), &hr));
	assert_true(hv_hresult_word("80070005", 8, &hr));
	assert_int_equal(hr, 0x80070005u);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (hv_hresult_word(bad[i], strlen(bad[i]), &hr))
			fail_msg("'%s' read as an HRESULT", bad[i]);
}

/* Issue 23: the same message however a tool printed it. Fragments match
 * on the normal form (base/textnorm.h); the line reported is where the
 * match starts in the paste. */
static void test_normalised_matching(void **state)
{
	const struct hv_kb *kb = *state;

	/* PowerShell wraps inside a word */
	expect_sig(kb,
		   "Failed: No credentials are avail\nable in the security "
		   "package",
		   "hr-no-creds", "message text");
	/* curly quotes, as Word and web pages print them */
	expect_sig(kb,
		   "Live migration of \xE2\x80\x98Virtual Machine FS01\xE2\x80"
		   "\x99 failed.",
		   "ev-21502", "message text");
	/* a contraction, a name where the template has %1 */
	expect_sig(kb,
		   "Host \"\"HV-02.contoso.local\"\" isn't configured for "
		   "live migration.",
		   "msg-not-configured", "message text");
	expect_sig(kb, "Host <HOST> isn't configured for live migration.",
		   "msg-not-configured", "message text");
	/* between the lines of PowerShell's error record */
	expect_sig(kb,
		   "Move-VM : Virtual machine migration operation for 'VM1' "
		   "failed at migration\nsource 'HV1'.\nAt line:1 char:1\n"
		   "+ ~~~~~~~\n    + CategoryInfo : NotSpecified\n",
		   "msg-at-source", NULL);
}

static void test_normalised_line(void **state)
{
	const struct hv_kb *kb = *state;
	struct hv_symptoms s = {0};
	const struct hv_symptom *hit;

	hv_symptoms_scan(kb,
			 "Move-VM : x\nAt line:1 char:1\n\nHost 'A' is\n"
			 "not configured for live migration.",
			 1, &s);
	hit = find_sig(kb, &s, "msg-not-configured");
	assert_non_null(hit);
	assert_int_equal(hit->line, 4);
	hv_symptoms_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_id_labels),
		cmocka_unit_test(test_bare_numbers),
		cmocka_unit_test(test_strongest_sighting),
		cmocka_unit_test(test_words_unread),
		cmocka_unit_test(test_facts_from_text),
		cmocka_unit_test(test_hresult_word),
		cmocka_unit_test(test_normalised_matching),
		cmocka_unit_test(test_normalised_line),
	};

	return cmocka_run_group_tests_name("pasted text", tests, setup_kb,
					   teardown_kb);
}
