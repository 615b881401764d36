/* libFuzzer target for the migration side of `hvdoctor events`: events
 * as the EVTX reader hands them over (provider, id, level, computer,
 * time and name/value pairs), built from the input, go through
 * hv_mig_analyse (HRESULT forms, VM names and ids by name and type,
 * blackout times, moves, context joins, ranking) and the three
 * renderers. Beyond "no crash, no sanitizer report, no timeout" it
 * checks and aborts if:
 *  1. an event points at a move that does not exist, or a cause outside
 *     the knowledge base;
 *  2. a count does not add up (moves = failed + succeeded + unknown);
 *  3. the text (no colour) holds a control byte other than a newline;
 *  4. the JSON or the Prometheus text is not valid UTF-8, or a
 *     Prometheus label value is longer than 127 bytes.
 * Input: one event per line, fields separated by '|':
 *   P|ID|LEVEL|COMPUTER|SECONDS|NAME=VALUE|...   P: V (VMMS), H (High-
 * Availability), K (Kerberos, System), C (FailoverClustering), else
 * Worker. At most 64 events, 16 values each. Seeds: fuzz/corpus/
 * migrations. Run: tests/fuzz-run build-fuzz/fuzz_migrations */
#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/utf8.h"
#include "diagnosis/migrations.h"
#include "knowledge/kb.h"
#include "render/render_events.h"
#include "sources/evtx/event.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EVENTS 64
#define MAX_VALUES 16

static struct hv_kb kb;

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_migrations: %s\n", what);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct hv_error err;

	(void)argc;
	(void)argv;
	check(hv_kb_load(&kb, NULL, &err) == 0, "built-in kb does not load");
	return 0;
}

static const char *const providers[][2] = {
	{"Microsoft-Windows-Hyper-V-VMMS",
	 "Microsoft-Windows-Hyper-V-VMMS-Admin"},
	{"Microsoft-Windows-Hyper-V-High-Availability",
	 "Microsoft-Windows-Hyper-V-High-Availability-Admin"},
	{"Microsoft-Windows-Security-Kerberos", "System"},
	{"Microsoft-Windows-FailoverClustering", "System"},
	{"Microsoft-Windows-Hyper-V-Worker",
	 "Microsoft-Windows-Hyper-V-Worker-Admin"},
};

static unsigned number(const char *s, size_t n)
{
	unsigned v = 0;

	for (size_t i = 0; i < n && i < 9; i++)
		if (s[i] >= '0' && s[i] <= '9')
			v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

/* Field k (0-based) of line [s, s+n) into *out, *out_n. */
static void field(const char *s, size_t n, size_t k, const char **out,
		  size_t *out_n)
{
	const char *end = s + n, *p = s, *bar;

	for (; k > 0 && p < end; k--) {
		const char *bar = memchr(p, '|', (size_t)(end - p));

		p = bar ? bar + 1 : end;
	}
	bar = memchr(p, '|', (size_t)(end - p));
	*out = p;
	*out_n = (size_t)((bar ? bar : end) - p);
}

static void event_from_line(const char *s, size_t n, size_t record,
			    struct hv_evtx_event *e)
{
	const char *f;
	size_t fn;
	int p;

	memset(e, 0, sizeof(*e));
	e->record_id = record;
	p = n ? (s[0] == 'V'   ? 0
		 : s[0] == 'H' ? 1
		 : s[0] == 'K' ? 2
		 : s[0] == 'C' ? 3
			       : 4)
	      : 4;
	e->provider = hv_strdup(providers[p][0]);
	e->channel = hv_strdup(providers[p][1]);
	field(s, n, 1, &f, &fn);
	e->event_id = number(f, fn) & 0xffff;
	field(s, n, 2, &f, &fn);
	e->level = number(f, fn) & 0xff;
	field(s, n, 3, &f, &fn);
	e->computer = hv_strndup(f, fn);
	field(s, n, 4, &f, &fn);
	e->time =
		hv_evtx_filetime_from_unix(1794038400 + (int64_t)number(f, fn));
	for (size_t k = 5; k < 5 + MAX_VALUES; k++) {
		const char *eq;

		field(s, n, k, &f, &fn);
		if (f >= s + n)
			break;
		eq = memchr(f, '=', fn);
		HV_GROW(e->data.items, e->data.n, e->data.cap);
		e->data.items[e->data.n].name =
			hv_strndup(f, eq ? (size_t)(eq - f) : 0);
		e->data.items[e->data.n++].value =
			eq ? hv_strndup(eq + 1, fn - (size_t)(eq - f) - 1)
			   : hv_strndup(f, fn);
	}
}

static void check_report(const struct hv_mig_report *r)
{
	const struct hv_mig_count *t = &r->summary.total;

	check(t->started == t->failed + t->succeeded + t->unknown,
	      "counts do not add up");
	for (size_t i = 0; i < r->n; i++) {
		check(r->events[i].move == SIZE_MAX ||
			      r->events[i].move < r->n_moves,
		      "event in a move that does not exist");
		for (size_t c = 0; c < r->events[i].n_causes; c++)
			check(r->events[i].causes[c].cause < kb.n_causes,
			      "cause outside the knowledge base");
	}
	for (size_t m = 0; m < r->n_moves; m++)
		for (size_t c = 0; c < r->moves[m].n_causes; c++)
			check(r->moves[m].causes[c].cause < kb.n_causes,
			      "move cause outside the knowledge base");
}

static void check_outputs(const struct hv_events_view *v)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_style st = {false, 80};

	hv_render_events_text(&out, v, &st);
	for (size_t i = 0; i < out.len; i++)
		check((unsigned char)out.buf[i] >= 0x20 || out.buf[i] == '\n',
		      "control byte in the text");
	hv_strbuf_reset(&out);
	hv_render_events_json(&out, v);
	check(hv_utf8_valid(out.buf, out.len), "JSON is not valid UTF-8");
	hv_strbuf_reset(&out);
	hv_render_events_prom(&out, v);
	check(hv_utf8_valid(out.buf, out.len), "Prometheus not valid UTF-8");
	for (const char *p = strstr(hv_strbuf_str(&out), "=\""); p;
	     p = strstr(p + 2, "=\"")) {
		size_t n = 0;

		/* an escaped quote is two bytes of one character */
		for (const char *q = p + 2; *q && *q != '"'; q++, n++)
			if (*q == '\\' && q[1])
				q++;
		check(n <= 127, "Prometheus label value over 127 bytes");
	}
	hv_strbuf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	struct hv_evtx_event events[MAX_EVENTS];
	struct hv_mig_filter filter = {0};
	struct hv_events_file file = {"x.evtx", 0, 0, 1, 1, false, false, 0, 0};
	struct hv_mig_report r;
	struct hv_events_view v;
	size_t n = 0;

	while (s < end && n < MAX_EVENTS) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = (size_t)((nl ? nl : end) - s);

		event_from_line(s, len, n + 1, &events[n]);
		n++;
		s += len + (nl ? 1 : 0);
	}
	hv_mig_analyse(&kb, events, n, &filter, &r);
	for (size_t i = 0; i < n; i++)
		hv_evtx_event_release(&events[i]);
	check_report(&r);
	v = (struct hv_events_view){&kb, &r, &file, 1, &filter, true, 80};
	check_outputs(&v);
	hv_mig_report_release(&r);
	return 0;
}
