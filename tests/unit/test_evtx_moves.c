/* Moves, HRESULTs, blackout times and causes from events built here
 * field by field, as the reader hands them over (names from the
 * template, values as text), so the logic is tested whatever order and
 * names a log uses: issue 19 items 4-7, issue 18.10. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "diagnosis/migrations.h"
#include "knowledge/kb.h"
#include "render/render_events.h"
#include "sources/evtx/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VMMS "Microsoft-Windows-Hyper-V-VMMS"
#define HA "Microsoft-Windows-Hyper-V-High-Availability"
#define KERB "Microsoft-Windows-Security-Kerberos"
#define SEC 10000000ull
#define VMID "6A7F1E2B-4C3D-4E5F-8A9B-0C1D2E3F4A51"
#define VMID2 "11111111-2222-4333-8444-555555555555"
#define LMSPN "Microsoft Virtual System Migration Service/"

struct fx {
	struct hv_kb kb;
	struct hv_evtx_event *events;
	size_t n, cap;
	struct hv_mig_report r;
	bool analysed;
};

static int setup(void **state)
{
	struct fx *fx = hv_calloc(1, sizeof(*fx));
	struct hv_error err;

	assert_int_equal(hv_kb_load(&fx->kb, NULL, &err), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	for (size_t i = 0; i < fx->n; i++)
		hv_evtx_event_release(&fx->events[i]);
	free(fx->events);
	if (fx->analysed)
		hv_mig_report_release(&fx->r);
	hv_kb_release(&fx->kb);
	free(fx);
	return 0;
}

/* 2026-11-02 08:00 UTC plus s seconds. */
static uint64_t at(int64_t s)
{
	return hv_evtx_filetime_from_unix(1794038400 + s);
}

/* An event of `provider` (its Admin channel, or System for Kerberos)
 * with name/value pairs, NULL-terminated. */
static void add(struct fx *fx, const char *provider, unsigned id,
		unsigned level, const char *computer, int64_t s, ...)
{
	struct hv_evtx_event *e;
	struct hv_strbuf chan = HV_STRBUF_INIT;
	const char *name;
	va_list ap;

	HV_GROW(fx->events, fx->n, fx->cap);
	e = &fx->events[fx->n];
	memset(e, 0, sizeof(*e));
	e->record_id = ++fx->n;
	e->event_id = id;
	e->level = level;
	e->time = at(s);
	e->provider = hv_strdup(provider);
	if (strcmp(provider, KERB) == 0)
		hv_strbuf_adds(&chan, "System");
	else
		hv_strbuf_addf(&chan, "%s-Admin", provider);
	e->channel = hv_strbuf_detach(&chan);
	e->computer = hv_strdup(computer);
	va_start(ap, s);
	while ((name = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);

		HV_GROW(e->data.items, e->data.n, e->data.cap);
		e->data.items[e->data.n].name = hv_strdup(name);
		e->data.items[e->data.n++].value = hv_strdup(value);
	}
	va_end(ap);
}

static const struct hv_mig_report *analyse(struct fx *fx,
					   const struct hv_mig_filter *f)
{
	static const struct hv_mig_filter none = {0};

	if (fx->analysed)
		hv_mig_report_release(&fx->r);
	hv_mig_analyse(&fx->kb, fx->events, fx->n, f ? f : &none, &fx->r);
	for (size_t i = 0; i < fx->n; i++)
		hv_evtx_event_release(&fx->events[i]);
	fx->n = 0;
	fx->analysed = true;
	return &fx->r;
}

static const char *cause_id(const struct fx *fx, const struct hv_mig_cause *c,
			    size_t n)
{
	return n ? fx->kb.causes[c[0].cause].id : NULL;
}

/* --- item 4: HRESULTs in every form ------------------------------ */

/* One HA 21502 carrying `value` in a field of its own. */
static const struct hv_mig_event *one_value(struct fx *fx, const char *name,
					    const char *value)
{
	add(fx, HA, 21502, 2, "HVA", 0, "Parameter0", "Virtual Machine VM1",
	    name, value, NULL);
	return &analyse(fx, NULL)->events[0];
}

static void test_hresult_forms(void **state)
{
	struct fx *fx = *state;
	static const struct {
		const char *value;
		uint32_t want;
	} forms[] = {
		{"0x8007274D", 0x8007274Du},
		{"8007274D", 0x8007274Du},
		{"2147952461", 0x8007274Du},
		{"-2147014835", 0x8007274Du},
		{"%%2147952461", 0x8007274Du},
		{"%%10061", 0x8007274Du}, /* a Win32 code: HRESULT_FROM_WIN32 */
		{"failed with error %%2147952461.", 0x8007274Du},
		{"The operation failed (0x8009030E).", 0x8009030Eu},
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
		const struct hv_mig_event *e =
			one_value(fx, "Parameter2", forms[i].value);

		if (!e->has_hresult || e->hresult != forms[i].want)
			fail_msg("%s: read as %s0x%08X", forms[i].value,
				 e->has_hresult ? "" : "nothing, ",
				 (unsigned)e->hresult);
	}
	/* the code gives the cause, whatever form it came in */
	one_value(fx, "Parameter2", "%%10061");
	assert_string_equal(
		cause_id(fx, fx->r.moves[0].causes, fx->r.moves[0].n_causes),
		"port-6600-refused");
}

/* Must not fire: numbers that are not HRESULTs, GUID parts, a code past
 * the scanned prefix. */
static void test_hresult_near_misses(void **state)
{
	struct fx *fx = *state;
	static const char *const none[] = {
		"37",	       "12345678",   "-1",
		"%%0",	       "0x0000274D", "ID " VMID,
		"1234567890",  "%%",	     "%%99999999999999999999",
		"0x8007274D5", /* nine digits: no code */
	};
	struct hv_strbuf big = HV_STRBUF_INIT;
	const struct hv_mig_event *e;

	for (size_t i = 0; i < sizeof(none) / sizeof(*none); i++) {
		e = one_value(fx, "Parameter2", none[i]);
		if (e->has_hresult)
			fail_msg("'%s' read as 0x%08X", none[i],
				 (unsigned)e->hresult);
	}
	/* bounded: a code far into a huge value is not looked for */
	for (size_t i = 0; i < 40000; i++)
		hv_strbuf_addch(&big, 'a');
	hv_strbuf_adds(&big, " 0x8007274D");
	e = one_value(fx, "Parameter2", hv_strbuf_str(&big));
	assert_false(e->has_hresult);
	hv_strbuf_release(&big);
}

/* --- item 5: one move is one move -------------------------------- */

/* A VM name with spaces, quotes and non-ASCII; the destination's clock
 * 2 s behind; the failure told by VMMS 21024 and HA 21502 on the source
 * and by VMMS on the destination: one move, one failure. */
#define ODD_VM "Web 'front' caf\xc3\xa9 01"

static void one_failed_move(struct fx *fx)
{
	add(fx, VMMS, 20413, 4, "HVA.corp.example.com", 0, "VmName", ODD_VM,
	    "VmId", VMID, "Parameter2", "HVB", NULL);
	add(fx, VMMS, 21024, 2, "HVB.corp.example.com", -2, "VmId", VMID,
	    "ErrorCode", "0x8007274D", NULL);
	add(fx, HA, 21502, 2, "HVA.corp.example.com", 5, "Parameter0",
	    "Virtual Machine " ODD_VM, "Parameter1", VMID, NULL);
	add(fx, VMMS, 21024, 2, "HVA.corp.example.com", 6, "VmName", ODD_VM,
	    "VmId", VMID, "Parameter2", "-2147014835", NULL);
}

static void test_one_move_one_failure(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	one_failed_move(fx);
	r = analyse(fx, NULL);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->n_moves, 1);
	assert_int_equal(r->summary.total.started, 1);
	assert_int_equal(r->summary.total.failed, 1);
	assert_string_equal(r->moves[0].vm, ODD_VM);
	assert_string_equal(r->moves[0].vm_id, VMID);
	assert_string_equal(r->moves[0].destination, "HVB");
	for (size_t i = 0; i < r->n; i++)
		assert_int_equal(r->events[i].move, 0);
	assert_int_equal(r->summary.by_cause.n, 1);
	assert_int_equal(r->summary.by_cause.items[0].failed, 1);
}

/* Must not join: another VM of the same name (other id), and the same
 * VM five hours later, are other moves. */
static void test_other_moves_stay_apart(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	add(fx, VMMS, 20413, 4, "HVA", 0, "VmName", "VM1", "VmId", VMID, NULL);
	add(fx, VMMS, 20413, 4, "HVC", 10, "VmName", "VM1", "VmId", VMID2,
	    NULL);
	add(fx, VMMS, 20415, 4, "HVA", 40, "VmName", "VM1", "VmId", VMID,
	    "BlackoutTime", "1", NULL);
	add(fx, VMMS, 21024, 2, "HVC", 41, "VmName", "VM1", "VmId", VMID2,
	    NULL);
	add(fx, VMMS, 20413, 4, "HVA", 5 * 3600, "VmName", "VM1", "VmId", VMID,
	    NULL);
	r = analyse(fx, NULL);
	assert_int_equal(r->n_moves, 3);
	assert_int_equal(r->summary.total.succeeded, 1);
	assert_int_equal(r->summary.total.failed, 1);
	assert_int_equal(r->summary.total.unknown, 1);
	/* a refusal logged without a start, then a retry 40 s later that
	 * succeeds: two moves, not one failed one */
	add(fx, HA, 21501, 2, "HVA", 0, "VmName", "VM1", "VmId", VMID, NULL);
	add(fx, VMMS, 20413, 4, "HVA", 40, "VmName", "VM1", "VmId", VMID,
	    "Parameter2", "HVB", NULL);
	add(fx, VMMS, 20415, 4, "HVA", 80, "VmName", "VM1", "VmId", VMID,
	    "BlackoutTime", "1", NULL);
	r = analyse(fx, NULL);
	assert_int_equal(r->n_moves, 2);
	assert_int_equal(r->summary.total.failed, 1);
	assert_int_equal(r->summary.total.succeeded, 1);
}

/* Names the reader does not know: the VM id by its type (a GUID), the
 * VM name as the value logged right before it (VMMS logs name, then
 * id); a sentence is never taken for a name. */
static void test_vm_by_type(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	add(fx, VMMS, 21024, 2, "HVA", 0, "Name", ODD_VM, "Id", VMID, NULL);
	add(fx, HA, 21502, 2, "HVA", 3, "Text",
	    "Live migration of 'Virtual Machine X1' failed.", "Guid", VMID2,
	    NULL);
	r = analyse(fx, NULL);
	assert_string_equal(r->events[0].vm, ODD_VM);
	assert_string_equal(r->events[0].vm_id, VMID);
	assert_string_not_equal(r->events[1].vm ? r->events[1].vm : "",
				"Live migration of 'Virtual Machine X1' "
				"failed.");
	assert_int_equal(r->n_moves, 2);
	/* a cluster event of unnamed values: the resource names the VM,
	 * quotes and all; the sentence around it does not */
	add(fx, HA, 21502, 2, "HVA", 3, "", "Virtual Machine " ODD_VM, "", VMID,
	    "", "Live migration of 'Virtual Machine " ODD_VM "' failed.", NULL);
	add(fx, HA, 21502, 2, "HVB", 3, "", VMID, "", "Virtual Machine " ODD_VM,
	    "", "Live migration of 'Virtual Machine " ODD_VM "' failed.", NULL);
	r = analyse(fx, NULL);
	assert_string_equal(r->events[0].vm, ODD_VM);
	assert_string_equal(r->events[1].vm, ODD_VM);
	/* a start of unknown field names: the host after the VM's id is
	 * the destination */
	add(fx, VMMS, 20413, 4, "HVA", 0, "A", ODD_VM, "B", VMID, "C",
	    "HVB.corp.example.com", NULL);
	r = analyse(fx, NULL);
	assert_string_equal(r->events[0].vm, ODD_VM);
	assert_string_equal(r->events[0].destination, "HVB.corp.example.com");
}

/* --- item 6: blackout time --------------------------------------- */

static void test_blackout(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	/* 20415 as Get-WinEvent shows it: name, id, seconds */
	add(fx, VMMS, 20413, 4, "HVA", 0, "Parameter0", "VM1", "Parameter1",
	    VMID, "Parameter2", "HVB", NULL);
	add(fx, VMMS, 20415, 4, "HVA", 30, "Parameter0", "VM1", "Parameter1",
	    VMID, "Parameter2", "3", NULL);
	/* another order, other names: the number is the blackout */
	add(fx, VMMS, 20417, 3, "HVA", 100, "VmId", VMID2, "Seconds", "37",
	    "VmName", "VM2", NULL);
	r = analyse(fx, NULL);
	assert_int_equal(r->n_moves, 2);
	assert_true(r->moves[0].has_blackout);
	assert_int_equal(r->moves[0].blackout_ms, 3000);
	assert_false(r->moves[0].slow);
	assert_true(r->moves[1].has_blackout);
	assert_int_equal(r->moves[1].blackout_ms, 37000);
	assert_true(r->moves[1].slow);
	assert_int_equal(r->slow, 1);
	/* a long blackout logged as 20415 counts as long too; a start
	 * carries none */
	add(fx, VMMS, 20415, 4, "HVA", 30, "VmName", "VM1", "VmId", VMID,
	    "BlackoutTime", "25.5", NULL);
	r = analyse(fx, NULL);
	assert_int_equal(r->moves[0].blackout_ms, 25500);
	assert_int_equal(r->slow, 1);
	add(fx, VMMS, 20413, 4, "HVA", 0, "VmName", "VM1", "VmId", VMID,
	    "Parameter2", "7", NULL);
	r = analyse(fx, NULL);
	assert_false(r->moves[0].has_blackout);
}

static void test_blackout_rendered(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;
	struct hv_mig_filter f = {0};
	struct hv_events_file file = {"x.evtx", 2, 0, 1, 1, false, false, 0, 0};
	struct hv_events_view v;
	struct hv_style st = {false, 80};
	struct hv_strbuf out = HV_STRBUF_INIT;

	add(fx, VMMS, 20413, 4, "HVA", 0, "VmName", "VM1", "VmId", VMID,
	    "Parameter2", "HVB", NULL);
	add(fx, VMMS, 20417, 3, "HVA", 30, "VmName", "VM1", "VmId", VMID,
	    "BlackoutTime", "37", NULL);
	r = analyse(fx, &f);
	v = (struct hv_events_view){&fx->kb, r, &file, 1, &f, true, 80};
	hv_render_events_text(&out, &v, &st);
	assert_non_null(strstr(hv_strbuf_str(&out), "blackout 37 s"));
	hv_strbuf_reset(&out);
	hv_render_events_json(&out, &v);
	assert_non_null(strstr(hv_strbuf_str(&out), "\"blackout_ms\": 37000"));
	hv_strbuf_reset(&out);
	hv_render_events_prom(&out, &v);
	assert_non_null(strstr(hv_strbuf_str(&out),
			       "# TYPE hvdoctor_migration_blackout_seconds "
			       "histogram\n"));
	assert_non_null(strstr(hv_strbuf_str(&out),
			       "hvdoctor_migration_blackout_seconds_bucket{"
			       "le=\"20\"} 0\n"));
	assert_non_null(strstr(hv_strbuf_str(&out),
			       "hvdoctor_migration_blackout_seconds_bucket{"
			       "le=\"60\"} 1\n"));
	assert_non_null(strstr(hv_strbuf_str(&out),
			       "hvdoctor_migration_blackout_seconds_sum 37\n"));
	assert_non_null(strstr(hv_strbuf_str(&out),
			       "hvdoctor_migration_long_blackouts 1\n"));
	hv_strbuf_release(&out);
}

/* --- item 7: causes from evidence only ---------------------------- */

/* A bare 21502 (no text, no code): its id's candidates are possible
 * causes, and no cause is "most likely". */
static void test_bare_id_is_only_possible(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	add(fx, VMMS, 20413, 4, "HVA", 0, "VmName", "VM1", "VmId", VMID,
	    "Parameter2", "HVB", NULL);
	add(fx, HA, 21502, 2, "HVA", 5, "Parameter0", "Virtual Machine VM1",
	    NULL);
	r = analyse(fx, NULL);
	assert_int_equal(r->n_moves, 1);
	assert_false(r->moves[0].evidence);
	assert_true(r->moves[0].n_causes > 1);
	assert_int_equal(r->summary.by_cause.n, 0);
	assert_int_equal(r->summary.failed_without_evidence, 1);
	assert_true(r->summary.possible.n > 1);
	{
		struct hv_mig_filter f = {0};
		struct hv_events_file file = {"x.evtx", 2,     0, 1, 1,
					      false,	false, 0, 0};
		struct hv_events_view v = {&fx->kb, r, &file, 1, &f, true, 80};
		struct hv_style st = {false, 80};
		struct hv_strbuf out = HV_STRBUF_INIT;

		hv_render_events_text(&out, &v, &st);
		assert_null(strstr(hv_strbuf_str(&out), "Most likely cause"));
		assert_null(strstr(hv_strbuf_str(&out), "likely causes:"));
		assert_non_null(strstr(hv_strbuf_str(&out),
				       "1 failure carries no evidence of a "
				       "cause in the logs; possible\ncauses "
				       "(from the event ids alone): "));
		assert_non_null(
			strstr(hv_strbuf_str(&out), "    possible causes: "));
		hv_strbuf_reset(&out);
		hv_render_events_prom(&out, &v);
		assert_non_null(
			strstr(hv_strbuf_str(&out), "cause=\"unknown\"} 1\n"));
		hv_strbuf_release(&out);
	}
}

/* A Kerberos KRB_AP_ERR_MODIFIED naming the destination's migration SPN
 * a second before the failure is evidence for spn-duplicate. */
static void test_context_joins_the_move(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	add(fx, VMMS, 20413, 4, "HVA", 0, "VmName", "VM1", "VmId", VMID,
	    "Parameter2", "HVB", NULL);
	add(fx, KERB, 4, 2, "HVA", 4, "Server", "HVB$", "TargetName",
	    LMSPN "HVB.corp.example.com", NULL);
	add(fx, HA, 21502, 2, "HVA", 5, "Parameter0", "Virtual Machine VM1",
	    NULL);
	r = analyse(fx, NULL);
	assert_int_equal(r->n_moves, 1);
	assert_int_equal(r->events[1].move, 0);
	assert_true(r->moves[0].evidence);
	assert_string_equal(
		cause_id(fx, r->moves[0].causes, r->moves[0].n_causes),
		"spn-duplicate");
	assert_string_equal(r->summary.by_cause.items[0].key, "spn-duplicate");
}

/* Must not join: the same error naming a third host's SPN, or an hour
 * before. */
static void test_context_near_misses(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	add(fx, VMMS, 20413, 4, "HVA", 0, "VmName", "VM1", "VmId", VMID,
	    "Parameter2", "HVB", NULL);
	add(fx, KERB, 4, 2, "HVA", 4, "Server", "HVC$", "TargetName",
	    LMSPN "HVC.corp.example.com", NULL);
	add(fx, KERB, 4, 2, "HVA", -3600, "Server", "HVB$", "TargetName",
	    LMSPN "HVB.corp.example.com", NULL);
	add(fx, HA, 21502, 2, "HVA", 5, "Parameter0", "Virtual Machine VM1",
	    NULL);
	r = analyse(fx, NULL);
	for (size_t i = 0; i < r->n; i++)
		if (r->events[i].role == HV_MIG_CONTEXT)
			assert_int_equal(r->events[i].move, SIZE_MAX);
	assert_false(r->moves[0].evidence);
}

/* The move's own code outranks the id's prior: a 21502 with
 * 0x8007274D in its text says port-6600-refused, not the id's first. */
static void test_move_code_ranks(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	add(fx, HA, 21502, 2, "HVA", 5, "Parameter0", "Virtual Machine VM1",
	    "Parameter1", VMID, "Parameter2",
	    "Live migration of 'Virtual Machine VM1' failed. "
	    "(0x8007274D)",
	    NULL);
	r = analyse(fx, NULL);
	assert_true(r->moves[0].evidence);
	assert_string_equal(
		cause_id(fx, r->moves[0].causes, r->moves[0].n_causes),
		"port-6600-refused");
}

/* --- the sentence of a VMMS event: its kb message template -------- */

/* VMMS logs bare values; the sentence comes from the knowledge base's
 * template for the event, filled with the facts read from the values
 * (whatever their order), and is never scanned as evidence. */
static void test_message_from_template(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;

	add(fx, VMMS, 20415, 4, "HVA", 30, "Parameter0", ODD_VM, "Parameter1",
	    VMID, "Parameter2", "3", NULL);
	add(fx, VMMS, 20413, 4, "HVA", 0, "Parameter2", "HVB", "Parameter1",
	    VMID, "Parameter0", "VM1", NULL);
	r = analyse(fx, NULL);
	assert_string_equal(r->events[0].message,
			    "The Virtual Machine Management Service initiated "
			    "the live migration of virtual machine 'VM1' to "
			    "destination host 'HVB'.");
	assert_string_equal(r->events[1].message,
			    "The Virtual Machine Management service "
			    "successfully completed the live migration of "
			    "virtual machine '" ODD_VM "' with a blackout time "
			    "of 3 seconds (VMID " VMID ").");
	/* too thin: without the destination the start has no sentence */
	add(fx, VMMS, 20413, 4, "HVA", 0, "VmName", "VM1", NULL);
	r = analyse(fx, NULL);
	assert_null(r->events[0].message);
	/* the rendered "failed at migration source" adds no evidence: a
	 * bare 21024 keeps possible causes only */
	add(fx, VMMS, 21024, 2, "HVA", 0, "VmName", "VM1", "VmId", VMID,
	    "Source", "HVA", NULL);
	r = analyse(fx, NULL);
	assert_false(r->moves[0].evidence);
}

/* --- issue 18.10: Prometheus labels ------------------------------- */

/* Runs promtool check metrics on text when promtool is installed (the
 * test suite's dependencies include it: scripts/install-deps --test). */
static void promtool(const char *text)
{
	char path[] = "/tmp/hvdoctor-prom.XXXXXX";
	int fd = mkstemp(path);
	char cmd[128];
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		unlink(path);
		if (getenv("CI") && !strcmp(getenv("CI"), "true"))
			fail_msg("promtool is missing (prometheus package)");
		print_message("promtool not installed: not run\n");
		return;
	}
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
}

static void test_prom_labels_utf8(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;
	struct hv_mig_filter f = {0};
	struct hv_events_file file = {"x.evtx", 2, 0, 1, 1, false, false, 0, 0};
	struct hv_events_view v;
	struct hv_strbuf out = HV_STRBUF_INIT, host = HV_STRBUF_INIT;
	const char *s, *p;

	/* 2 + 100 * 2 bytes: any 127-byte cut falls inside a character;
	 * then a stray byte, a quote, a backslash and a line feed */
	hv_strbuf_adds(&host, "H");
	for (int i = 0; i < 100; i++)
		hv_strbuf_adds(&host, "\xc3\xa9");
	add(fx, VMMS, 20413, 4, hv_strbuf_str(&host), 0, "VmName", "VM1",
	    "VmId", VMID, "Parameter2", "bad\xff\"\\\nname", NULL);
	add(fx, VMMS, 21024, 2, hv_strbuf_str(&host), 5, "VmName", "VM1",
	    "VmId", VMID, NULL);
	r = analyse(fx, &f);
	v = (struct hv_events_view){&fx->kb, r, &file, 1, &f, true, 80};
	hv_render_events_prom(&out, &v);
	s = hv_strbuf_str(&out);
	assert_true(hv_utf8_valid(s, out.len));
	/* every label value at most 127 bytes */
	for (p = strstr(s, "source=\""); p; p = strstr(p + 1, "source=\""))
		assert_true(strcspn(p + 8, "\"") <= 127);
	assert_non_null(
		strstr(s, "destination=\"bad\xef\xbf\xbd\\\"\\\\\\nname\""));
	/* the failure is counted under the host that logged it, in
	 * Prometheus as in the text and JSON */
	assert_null(strstr(s, "source=\"unknown\""));
	promtool(s);
	hv_strbuf_release(&out);
	hv_strbuf_release(&host);
}

/* Issue 17: the host a failure is counted under when no event names the
 * source is the same in every output. */
static void test_prom_host_as_in_text(void **state)
{
	struct fx *fx = *state;
	const struct hv_mig_report *r;
	struct hv_mig_filter f = {0};
	struct hv_events_file file = {"x.evtx", 2, 0, 1, 1, false, false, 0, 0};
	struct hv_events_view v;
	struct hv_strbuf out = HV_STRBUF_INIT;

	add(fx, HA, 21502, 2, "HVC1N1.corp.example.com", 5, "Parameter0",
	    "Virtual Machine VM1", NULL);
	r = analyse(fx, &f);
	assert_string_equal(r->summary.by_host.items[0].key, "HVC1N1");
	v = (struct hv_events_view){&fx->kb, r, &file, 1, &f, true, 80};
	hv_render_events_prom(&out, &v);
	assert_non_null(strstr(hv_strbuf_str(&out),
			       "hvdoctor_migrations{source=\"HVC1N1\","));
	promtool(hv_strbuf_str(&out));
	hv_strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hresult_forms, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hresult_near_misses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_move_one_failure,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_moves_stay_apart,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_vm_by_type, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_blackout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blackout_rendered, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bare_id_is_only_possible,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_joins_the_move,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_near_misses, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_move_code_ranks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_message_from_template,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_prom_labels_utf8, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prom_host_as_in_text,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
