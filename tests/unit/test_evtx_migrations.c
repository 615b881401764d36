/* Migrations found in event logs, on the generated fixtures of
 * tests/fixtures/evtx (their scenario is written at the top of
 * tests/evtx/gen-fixtures.py): the moves and their outcomes, one failure
 * told by two logs counted once, the causes that must fire, the near
 * misses that must not, and input too thin to judge. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "diagnosis/migrations.h"
#include "knowledge/kb.h"
#include "render/render_events.h"
#include "sources/evtx/event.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fx {
	struct hv_kb kb;
	struct hv_evtx_event *events;
	size_t n, cap;
	size_t records;
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
	hv_kb_release(&fx->kb);
	free(fx);
	return 0;
}

/* Reads a fixture the way `hvdoctor events` does: provider, channel and
 * id first, the event only when it may matter. */
static void load(struct fx *fx, const char *name)
{
	const char *root = getenv("HVDOCTOR_SOURCE_DIR");
	struct hv_strbuf path = HV_STRBUF_INIT;
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems p = {0};
	struct hv_error err;

	hv_strbuf_addf(&path, "%s/tests/fixtures/evtx/%s", root ? root : ".",
		       name);
	assert_int_equal(hv_evtx_open(&f, hv_strbuf_str(&path), &err), 0);
	for (size_t c = 0; c < f.n_chunks; c++) {
		struct hv_evtx_record rec;

		hv_evtx_chunk_begin(r, &f, c, &p);
		while (hv_evtx_chunk_next(r, &rec)) {
			struct hv_strbuf prov = HV_STRBUF_INIT,
					 chan = HV_STRBUF_INIT;
			uint64_t id = 0;

			fx->records++;
			hv_evtx_field_text(&rec, HV_EVTX_F_PROVIDER, &prov);
			hv_evtx_field_text(&rec, HV_EVTX_F_CHANNEL, &chan);
			hv_evtx_field_uint(&rec, HV_EVTX_F_EVENT_ID, &id);
			if (hv_mig_wanted(&fx->kb, hv_strbuf_str(&prov),
					  hv_strbuf_str(&chan), (unsigned)id)) {
				HV_GROW(fx->events, fx->n, fx->cap);
				hv_evtx_event_read(&rec, 0,
						   &fx->events[fx->n++]);
			}
			hv_strbuf_release(&prov);
			hv_strbuf_release(&chan);
		}
	}
	assert_int_equal(p.n, 0);
	hv_evtx_problems_release(&p);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
	hv_strbuf_release(&path);
}

static void analyse(struct fx *fx, const struct hv_mig_filter *filter,
		    struct hv_mig_report *rep)
{
	hv_mig_analyse(&fx->kb, fx->events, fx->n, filter, rep);
	for (size_t i = 0; i < fx->n; i++)
		hv_evtx_event_release(&fx->events[i]);
	fx->n = 0;
}

static void load_cluster(struct fx *fx)
{
	load(fx, "hvc1n1-vmms-admin.evtx");
	load(fx, "hvc1n1-ha-admin.evtx");
	load(fx, "hvc1n1-system.evtx");
}

static const struct hv_mig_event *
find_event(const struct hv_mig_report *r, unsigned id, const char *vm, int nth)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct hv_mig_event *e = &r->events[i];

		if (e->ev.event_id == id &&
		    (!vm || (e->vm && !strcmp(e->vm, vm))) && nth-- == 0)
			return e;
	}
	return NULL;
}

static const char *top_cause(const struct hv_kb *kb,
			     const struct hv_mig_event *e)
{
	return e && e->n_causes ? kb->causes[e->causes[0].cause].id : NULL;
}

static bool has_cause(const struct hv_kb *kb, const struct hv_mig_event *e,
		      const char *id)
{
	for (size_t i = 0; e && i < e->n_causes; i++)
		if (!strcmp(kb->causes[e->causes[i].cause].id, id))
			return true;
	return false;
}

static uint64_t day(int d)
{
	/* 2026-11-DD 00:00 UTC */
	return hv_evtx_filetime_from_unix(1793491200 +
					  (int64_t)(d - 1) * 86400);
}

/* The scenario: 15 moves, 8 succeeded, 6 failed, 1 without outcome; a
 * failure logged by the cluster (21502) and by VMMS (21024) is one. */
static void test_moves_and_outcomes(void **state)
{
	struct fx *fx = *state;
	struct hv_mig_filter filter = {0};
	struct hv_mig_report r;
	const struct hv_mig_count *t = &r.summary.total;

	load_cluster(fx);
	analyse(fx, &filter, &r);
	assert_int_equal(t->started, 15);
	assert_int_equal(t->succeeded, 8);
	assert_int_equal(t->failed, 6);
	assert_int_equal(t->unknown, 1);
	assert_int_equal(r.slow, 1);
	assert_true(r.host_log_events > 0);
	/* both failure events of 2026-11-06 belong to one move */
	{
		const struct hv_mig_event *a =
			find_event(&r, 21502, "SQL01", 0);
		const struct hv_mig_event *b =
			find_event(&r, 21024, "SQL01", 0);

		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(a->move, b->move);
		assert_int_equal(r.moves[a->move].outcome, HV_MOVE_FAILED);
		assert_string_equal(r.moves[a->move].destination, "HVC1N2");
		assert_string_equal(a->vm_id,
				    "6A7F1E2B-4C3D-4E5F-8A9B-0C1D2E3F4A51");
	}
	assert_int_equal(r.summary.by_pair.n, 3);
	/* three moves fail with 0x8009030E; the first of them also
	 * carries the Kerberos KDC_ERR_BADOPTION logged a second before,
	 * joined to it, which puts kcd-missing-vsms first there, and the
	 * second the KRB_AP_ERR_MODIFIED (event 4) naming the destination's
	 * migration SPN, which puts spn-duplicate first, as explain does */
	assert_string_equal(r.summary.by_cause.items[0].key,
			    "kcd-kerberos-only-2016");
	assert_int_equal(r.summary.by_cause.items[0].failed, 1);
	assert_string_equal(r.summary.by_cause.items[1].key,
			    "kcd-missing-vsms");
	assert_int_equal(r.summary.by_cause.items[1].failed, 1);
	assert_string_equal(r.summary.by_cause.items[4].key, "spn-duplicate");
	assert_int_equal(r.summary.by_cause.items[4].failed, 1);
	hv_mig_report_release(&r);
}

/* The causes that must fire, from the event's id and its text alike. */
static void test_causes_fire(void **state)
{
	struct fx *fx = *state;
	struct hv_mig_filter filter = {0};
	struct hv_mig_report r;
	const struct hv_mig_event *e;

	load_cluster(fx);
	analyse(fx, &filter, &r);
	e = find_event(&r, 21502, "SQL01", 0); /* refused, 0x8007274D */
	assert_true(e->has_hresult);
	assert_int_equal(e->hresult, 0x8007274Du);
	assert_string_equal(top_cause(&fx->kb, e), "port-6600-refused");
	e = find_event(&r, 21502, "SQL01", 1); /* no credentials */
	assert_int_equal(e->hresult, 0x8009030Eu);
	assert_string_equal(top_cause(&fx->kb, e), "kcd-kerberos-only-2016");
	assert_string_equal(e->source, "HVC1N1");
	e = find_event(&r, 21159, "WEB02", 0);
	assert_string_equal(top_cause(&fx->kb, e), "vswitch-missing");
	e = find_event(&r, 21501, "DB06", 0);
	assert_string_equal(top_cause(&fx->kb, e), "migration-limit-reached");
	/* Kerberos KDC_ERR_BADOPTION: delegation refused */
	e = find_event(&r, 3, NULL, 0);
	assert_non_null(e);
	assert_int_equal(e->role, HV_MIG_CONTEXT);
	assert_true(has_cause(&fx->kb, e, "kcd-missing-vsms"));
	e = find_event(&r, 4, NULL, 0); /* KRB_AP_ERR_MODIFIED */
	assert_string_equal(top_cause(&fx->kb, e), "spn-duplicate");
	hv_mig_report_release(&r);
}

/* Near misses: successes carry no causes; the same id from another
 * provider, and a cluster id the kb does not know, are not taken. */
static void test_near_misses_do_not_fire(void **state)
{
	struct fx *fx = *state;
	struct hv_mig_filter filter = {0};
	struct hv_mig_report r;

	load(fx, "hvs01-vmms-ok.evtx");
	analyse(fx, &filter, &r);
	assert_int_equal(r.summary.total.started, 3);
	assert_int_equal(r.summary.total.failed, 0);
	for (size_t i = 0; i < r.n; i++)
		assert_int_equal(r.events[i].n_causes, 0);
	hv_mig_report_release(&r);
	assert_false(hv_mig_wanted(&fx->kb, "Microsoft-Windows-Kernel-General",
				   "System", 3));
	assert_false(hv_mig_wanted(&fx->kb,
				   "Microsoft-Windows-FailoverClustering",
				   "System", 1074));
	assert_true(hv_mig_wanted(
		&fx->kb, "Microsoft-Windows-Security-Kerberos", "System", 3));
	load(fx, "hvc1n1-system.evtx");
	analyse(fx, &filter, &r);
	assert_null(find_event(&r, 1074, NULL, 0));
	for (size_t i = 0; i < r.n; i++)
		assert_string_not_equal(r.events[i].ev.provider,
					"Microsoft-Windows-Kernel-General");
	hv_mig_report_release(&r);
}

/* Too thin to judge: a System log alone holds no migration outcome, and
 * a bare 21502 (no text) narrows nothing down. */
static void test_too_thin(void **state)
{
	struct fx *fx = *state;
	struct hv_mig_filter filter = {0};
	struct hv_mig_report r;
	struct hv_evtx_event *ev;
	const struct hv_signature *sig = NULL;

	load(fx, "hvc1n1-system.evtx");
	analyse(fx, &filter, &r);
	assert_int_equal(r.host_log_events, 0);
	assert_int_equal(r.summary.total.started, 0);
	assert_true(r.n > 0); /* the context is still shown */
	hv_mig_report_release(&r);

	HV_GROW(fx->events, fx->n, fx->cap);
	ev = &fx->events[fx->n++];
	memset(ev, 0, sizeof(*ev));
	ev->event_id = 21502;
	ev->level = 2;
	ev->time = day(12);
	ev->provider = hv_strdup("Microsoft-Windows-Hyper-V-High-Availability");
	ev->channel =
		hv_strdup("Microsoft-Windows-Hyper-V-High-Availability-Admin");
	ev->computer = hv_strdup("HVC1N1");
	analyse(fx, &filter, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.events[0].role, HV_MIG_FAILED);
	for (size_t i = 0; i < fx->kb.n_sigs; i++)
		if (!strcmp(fx->kb.sigs[i].id, "ev-ha-21502"))
			sig = &fx->kb.sigs[i];
	assert_non_null(sig);
	/* every candidate of the event, none singled out */
	assert_int_equal(r.events[0].n_causes, sig->n_causes);
	assert_false(r.events[0].has_hresult);
	hv_mig_report_release(&r);
}

/* --since keeps the events from then on and compares the failure rate
 * before and after (1 of 8, then 5 of 7). */
static void test_rate_before_and_after(void **state)
{
	struct fx *fx = *state;
	struct hv_mig_filter filter = {.since = day(10)};
	struct hv_mig_report r;

	load_cluster(fx);
	analyse(fx, &filter, &r);
	assert_true(r.summary.has_split);
	assert_int_equal(r.summary.before.started, 8);
	assert_int_equal(r.summary.before.failed, 1);
	assert_int_equal(r.summary.after.started, 7);
	assert_int_equal(r.summary.after.failed, 5);
	assert_int_equal(r.summary.total.started, 7);
	for (size_t i = 0; i < r.n; i++)
		if (r.events[i].in_window)
			assert_true(r.events[i].ev.time >= day(10));
	hv_mig_report_release(&r);
}

/* --vm and --host select moves, with all their events. */
static void test_filters(void **state)
{
	struct fx *fx = *state;
	struct hv_mig_filter by_vm = {.vm = "sql01"};
	struct hv_mig_filter by_host = {.host = "hvc1n4.corp.example.com"};
	struct hv_mig_filter by_id = {
		.vm = "{6a7f1e2b-4c3d-4e5f-8a9b-0c1d2e3f4a51}"};
	struct hv_mig_report r;

	load_cluster(fx);
	analyse(fx, &by_vm, &r);
	assert_int_equal(r.summary.total.started, 4);
	assert_int_equal(r.summary.total.failed, 3);
	hv_mig_report_release(&r);
	load_cluster(fx);
	analyse(fx, &by_id, &r);
	assert_int_equal(r.summary.total.started, 4);
	hv_mig_report_release(&r);
	load_cluster(fx);
	analyse(fx, &by_host, &r);
	assert_int_equal(r.summary.total.started, 1);
	assert_int_equal(r.summary.total.failed, 1);
	hv_mig_report_release(&r);
}

/* The Prometheus text: one series per pair and outcome, failures by
 * cause, the time of the last failure. */
static void test_prometheus(void **state)
{
	struct fx *fx = *state;
	struct hv_mig_filter filter = {0};
	struct hv_mig_report r;
	struct hv_events_file file = {"x.evtx", 38,    0, 3, 1,
				      false,	false, 0, 0};
	struct hv_events_view v;
	struct hv_strbuf out = HV_STRBUF_INIT;
	const char *s;

	load_cluster(fx);
	analyse(fx, &filter, &r);
	v = (struct hv_events_view){&fx->kb, &r, &file, 1, &filter, true, 80};
	hv_render_events_prom(&out, &v);
	s = hv_strbuf_str(&out);
	assert_non_null(strstr(s, "# TYPE hvdoctor_migrations gauge\n"));
	assert_non_null(strstr(s, "hvdoctor_migrations{source=\"HVC1N1\","
				  "destination=\"HVC1N3\",outcome=\"failed\"} "
				  "3\n"));
	assert_non_null(strstr(s, "hvdoctor_migration_failures{source="
				  "\"HVC1N1\",destination=\"HVC1N3\",cause="
				  "\"kcd-kerberos-only-2016\"} 1\n"));
	assert_non_null(strstr(s, "hvdoctor_migration_failures{source="
				  "\"HVC1N1\",destination=\"HVC1N3\",cause="
				  "\"spn-duplicate\"} 1\n"));
	assert_non_null(strstr(s, "hvdoctor_migration_failures{source="
				  "\"HVC1N1\",destination=\"HVC1N3\",cause="
				  "\"kcd-missing-vsms\"} 1\n"));
	/* 2026-11-13 08:00:06 UTC */
	assert_non_null(strstr(s, "hvdoctor_migration_last_failure_timestamp_"
				  "seconds{source=\"HVC1N1\",destination="
				  "\"HVC1N3\"} 1794556806\n"));
	assert_non_null(strstr(s, "hvdoctor_events_checked 1\n"));
	hv_strbuf_release(&out);
	hv_mig_report_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_moves_and_outcomes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_causes_fire, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_near_misses_do_not_fire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_thin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_before_and_after,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prometheus, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
