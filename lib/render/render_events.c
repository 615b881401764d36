/* `hvdoctor events` as text: the answer first (how many moves failed,
 * the most likely cause), then the timeline of migration events, then
 * the summary tables. Everything read from the logs is made safe for the
 * terminal (hv_term_clip) and cut to the width. */
#include "render/render_events.h"

#include "base/term.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *hv_events_time(uint64_t filetime, char *buf)
{
	hv_evtx_filetime_format(filetime, 0, buf);
	buf[10] = ' ';
	buf[19] = '\0'; /* drop the Z: every time here is UTC */
	return buf;
}

static size_t safe(struct hv_strbuf *out, const char *s, size_t cols)
{
	return hv_term_clip(out, s ? s : "?", s ? strlen(s) : 1, cols);
}

static size_t short_host(struct hv_strbuf *out, const char *host, size_t cols)
{
	const char *h = host && *host ? host : "?";

	return hv_term_clip(out, h, strcspn(h, "."), cols);
}

/* s in exactly cols columns: cut, or padded with spaces. */
static void padded(struct hv_strbuf *out, const char *s, size_t cols)
{
	size_t used = safe(out, s, cols);

	while (used++ < cols)
		hv_strbuf_addch(out, ' ');
}

/* strstr within the first n bytes of s. */
static bool strstr_n(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, needle, k) == 0)
			return true;
	return false;
}

static int percent(size_t part, size_t whole)
{
	return whole ? (int)((part * 100 + whole / 2) / whole) : 0;
}

/* "; S succeeded (success rate P%)." The one denominator of every rate
 * shown: the moves whose outcome was logged (failed + succeeded). */
static void rate_tail(struct hv_strbuf *out, const struct hv_mig_count *c)
{
	size_t decided = c->failed + c->succeeded;

	hv_strbuf_addf(out, "; %zu succeeded", c->succeeded);
	if (decided)
		hv_strbuf_addf(out, " (success rate %d%%)",
			       percent(c->succeeded, decided));
	hv_strbuf_adds(out, ".\n");
}

/* "F of N moves failed; S succeeded (success rate P%)." */
static void rate(struct hv_strbuf *out, const struct hv_mig_count *c,
		 const char *noun)
{
	hv_strbuf_addf(out, "%zu of %zu %s%s failed", c->failed, c->started,
		       noun, c->started == 1 ? "" : "s");
	rate_tail(out, c);
}

static enum hv_tone role_tone(enum hv_mig_role role)
{
	switch (role) {
	case HV_MIG_FAILED:
		return HV_TONE_RED;
	case HV_MIG_SLOW:
		return HV_TONE_YELLOW;
	case HV_MIG_SUCCEEDED:
		return HV_TONE_GREEN;
	default:
		return HV_TONE_DIM;
	}
}

static size_t col_width(const struct hv_events_view *v, size_t used)
{
	size_t w = v->width > 20 ? (size_t)v->width : 80;

	return w > used + 10 ? w - used : 10;
}

/* Said right after the answer: counts from damaged logs may miss
 * moves. */
static void incomplete(struct hv_strbuf *out, const struct hv_events_view *v,
		       const struct hv_style *st)
{
	size_t damaged = 0;

	for (size_t i = 0; i < v->n_files; i++)
		damaged += v->files[i].lost > 0;
	if (!damaged)
		return;
	hv_style_add(out, st, HV_TONE_YELLOW, "Incomplete: ");
	hv_strbuf_addf(out,
		       "%zu of %zu logs are damaged and records were lost "
		       "(see the\nmessages); the counts may miss moves.\n",
		       damaged, v->n_files);
}

/* "2 failures carry no evidence of a cause; possible causes (from the
 * event ids alone): a, b, c ..." within the width. */
static void possible(struct hv_strbuf *out, const struct hv_events_view *v,
		     const struct hv_mig_summary *s)
{
	size_t used, cols = col_width(v, 0);

	hv_strbuf_addf(out,
		       "%zu failure%s carr%s no evidence of a cause in the "
		       "logs; possible\ncauses (from the event ids alone):",
		       s->failed_without_evidence,
		       s->failed_without_evidence == 1 ? "" : "s",
		       s->failed_without_evidence == 1 ? "ies" : "y");
	used = 34;
	for (size_t i = 0; i < s->possible.n; i++) {
		const char *id = s->possible.items[i].key;
		size_t need = 2 + strlen(id);

		if (used + need + (i + 1 < s->possible.n ? 4 : 0) > cols) {
			hv_strbuf_adds(out, " ...");
			break;
		}
		hv_strbuf_addf(out, "%s %s", i ? "," : "", id);
		used += need;
	}
	hv_strbuf_adds(out, ".\n");
}

bool hv_events_filtered(const struct hv_mig_filter *f)
{
	return f->since || f->until || f->vm || f->host;
}

/* A selection that names nothing: never "no live migrations", which
 * would read as all clear (exit 3, cmd_events.c). */
static void nothing_matched(struct hv_strbuf *out,
			    const struct hv_events_view *v,
			    const struct hv_style *st)
{
	const struct hv_mig_filter *f = v->filter;
	char a[32], b[32];

	hv_style_add(out, st, HV_TONE_YELLOW, "Nothing matched: ");
	hv_strbuf_adds(out, "no live migration in these logs");
	if (f->vm) {
		hv_strbuf_adds(out, "\n  of VM ");
		safe(out, f->vm, 60);
	}
	if (f->host) {
		hv_strbuf_adds(out, "\n  from, to or logged by host ");
		safe(out, f->host, 40);
	}
	if (f->since || f->until)
		hv_strbuf_addf(
			out, "\n  between %s and %s UTC",
			f->since ? hv_events_time(f->since, a) : "the start",
			f->until ? hv_events_time(f->until, b) : "the end");
	hv_strbuf_adds(out, ".\nCheck the names and times, or leave out "
			    "--vm/--host/--since/--until\nto see every move "
			    "the logs hold.\n");
}

static void answer(struct hv_strbuf *out, const struct hv_events_view *v,
		   const struct hv_style *st)
{
	const struct hv_mig_summary *s = &v->report->summary;
	const struct hv_mig_count *t = &s->total;
	char line[256];

	if (!v->checked) {
		hv_style_add(out, st, HV_TONE_YELLOW, "Not checked: ");
		hv_strbuf_adds(out,
			       "these logs hold no Hyper-V host migration "
			       "events (VMMS or\nHigh-Availability). Give the "
			       "hosts' Microsoft-Windows-Hyper-V-VMMS-Admin\n"
			       "and Microsoft-Windows-Hyper-V-High-"
			       "Availability-Admin logs (.evtx files in\n"
			       "C:\\Windows\\System32\\winevt\\Logs).\n");
		return;
	}
	if (t->started == 0 && hv_events_filtered(v->filter)) {
		nothing_matched(out, v, st);
		return;
	}
	if (t->started == 0) {
		hv_strbuf_adds(out, "No live migrations in these logs.\n");
		return;
	}
	snprintf(line, sizeof(line), "%zu of %zu live migration%s failed",
		 t->failed, t->started, t->started == 1 ? "" : "s");
	hv_style_add(out, st, t->failed ? HV_TONE_RED : HV_TONE_GREEN, line);
	rate_tail(out, t);
	if (t->unknown)
		hv_strbuf_addf(out, "%zu started with no outcome logged.\n",
			       t->unknown);
	/* a headline cause needs evidence in the moves; event ids alone
	 * give possible causes only */
	if (s->by_cause.n)
		hv_strbuf_addf(out,
			       "Most likely cause: %s (%zu of %zu failures).\n",
			       s->by_cause.items[0].key,
			       s->by_cause.items[0].failed, t->failed);
	if (s->failed_without_evidence)
		possible(out, v, s);
	if (v->report->slow)
		hv_strbuf_addf(
			out,
			"%zu move%s had a long blackout (event 20417, or "
			"%u s and more).\n",
			v->report->slow, v->report->slow == 1 ? "" : "s",
			HV_MIG_LONG_BLACKOUT_MS / 1000);
}

static void event_head(struct hv_strbuf *out, const struct hv_events_view *v,
		       const struct hv_mig_event *e, const struct hv_style *st)
{
	char when[32], role[16], host[64];
	size_t used = 19 + 2 + 8 + 7 + 9; /* time, host, id, role */
	const char *src = e->source, *dst = e->destination;

	hv_strbuf_addf(out, "%s  ", hv_events_time(e->ev.time, when));
	snprintf(host, sizeof(host), "%.*s", (int)strcspn(e->ev.computer, "."),
		 e->ev.computer);
	padded(out, host, 8);
	hv_strbuf_addf(out, " %5u ", e->ev.event_id);
	/* the role padded only when more follows: no trailing blanks */
	snprintf(role, sizeof(role),
		 e->vm || src || dst || e->move != SIZE_MAX ? "%-9s" : "%s",
		 hv_mig_role_name(e->role));
	hv_style_add(out, st, role_tone(e->role), role);
	if (e->vm) {
		hv_strbuf_addch(out, ' ');
		used += 1 + safe(out, e->vm, 24);
	}
	/* what the event does not say, its move may (the start named the
	 * destination) */
	if (e->move != SIZE_MAX) {
		const struct hv_mig_move *m = &v->report->moves[e->move];

		src = src ? src : m->source;
		dst = dst ? dst : m->destination;
	}
	if (src || dst) {
		hv_strbuf_addch(out, ' ');
		used += 1 + short_host(out, src, 16);
		hv_strbuf_adds(out, " -> ");
		short_host(out, dst, col_width(v, used + 4));
	}
	hv_strbuf_addch(out, '\n');
}

/* The line of a long message worth showing: the one with the HRESULT
 * (Hyper-V puts the real reason last, with its code), else the last. */
static void message_line(const struct hv_mig_event *e, const char **start,
			 size_t *len)
{
	const char *m = e->message, *best = NULL;
	size_t best_len = 0;
	char code[16];

	snprintf(code, sizeof(code), "%08" PRIX32, e->hresult);
	while (*m) {
		size_t n = strcspn(m, "\r\n");

		if (n && (!best || !e->has_hresult ||
			  !strstr_n(best, best_len, code))) {
			best = m;
			best_len = n;
		}
		m += n;
		m += strspn(m, "\r\n");
	}
	*start = best ? best : e->message;
	*len = best ? best_len : 0;
}

/* What a context event carries: its provider, then its values. */
static void context_line(struct hv_strbuf *out, const struct hv_events_view *v,
			 const struct hv_mig_event *e)
{
	const char *p = e->ev.provider;
	size_t used = 4, cols = col_width(v, 0);

	if (strncmp(p, "Microsoft-Windows-", 18) == 0)
		p += 18;
	hv_strbuf_adds(out, "    ");
	used += safe(out, p, 30);
	for (size_t i = 0; i < e->ev.data.n && used + 8 < cols; i++) {
		const char *val = e->ev.data.items[i].value;

		if (!*val)
			continue;
		hv_strbuf_adds(out, i ? "; " : ": ");
		used += 2 + safe(out, val, cols - used - 2);
	}
	hv_strbuf_addch(out, '\n');
}

/* "    LABEL a b ..." within the width. */
static void cause_line(struct hv_strbuf *out, const struct hv_events_view *v,
		       const char *label, const struct hv_mig_cause *c,
		       size_t n)
{
	size_t used = 5 + strlen(label);

	if (!n)
		return;
	hv_strbuf_addf(out, "    %s", label);
	for (size_t i = 0; i < n; i++) {
		const char *id = v->kb->causes[c[i].cause].id;
		size_t need = 1 + strlen(id), room = i + 1 < n ? 4 : 0;

		/* room for " ..." unless this is the last */
		if (used + need + room > col_width(v, 0)) {
			hv_strbuf_adds(out, " ...");
			break;
		}
		hv_strbuf_addf(out, " %s", id);
		used += need;
	}
	hv_strbuf_addch(out, '\n');
}

static void event_detail(struct hv_strbuf *out, const struct hv_events_view *v,
			 const struct hv_mig_event *e, size_t index)
{
	size_t used;

	if (e->role == HV_MIG_CONTEXT) {
		context_line(out, v, e);
	} else if (e->has_hresult || e->message) {
		hv_strbuf_adds(out, "    ");
		used = 4;
		if (e->has_hresult) {
			hv_strbuf_addf(out, "0x%08" PRIX32 "  ", e->hresult);
			used += 12;
		}
		if (e->message) {
			const char *line;
			size_t len;

			message_line(e, &line, &len);
			hv_term_clip(out, line, len, col_width(v, used));
		}
		hv_strbuf_addch(out, '\n');
	}
	if (e->role == HV_MIG_CONTEXT) {
		cause_line(out, v, "causes:", e->causes, e->n_causes);
	} else if (e->move != SIZE_MAX &&
		   v->report->moves[e->move].failure == index) {
		/* the move's ranking, once, under the event that failed it */
		const struct hv_mig_move *m = &v->report->moves[e->move];

		cause_line(out, v,
			   m->evidence ? "likely causes:" : "possible causes:",
			   m->causes, m->n_causes);
	}
}

static void timeline(struct hv_strbuf *out, const struct hv_events_view *v,
		     const struct hv_style *st)
{
	const struct hv_mig_report *r = v->report;
	bool any = false;
	char secs[32];

	for (size_t i = 0; i < r->n; i++) {
		const struct hv_mig_event *e = &r->events[i];

		if (!e->in_window)
			continue;
		if (!any)
			hv_style_add(out, st, HV_TONE_BOLD,
				     "\nMigration events (UTC)\n");
		any = true;
		event_head(out, v, e, st);
		if (e->role == HV_MIG_FAILED || e->role == HV_MIG_CONTEXT)
			event_detail(out, v, e, i);
		if (e->has_blackout)
			hv_strbuf_addf(out, "    blackout %s s\n",
				       hv_mig_seconds(e->blackout_ms, secs));
	}
}

static void count_row(struct hv_strbuf *out, const struct hv_mig_count *c,
		      const char *label, int label_cols)
{
	size_t decided = c->succeeded + c->failed;

	hv_strbuf_adds(out, "  ");
	padded(out, label, (size_t)label_cols);
	hv_strbuf_addf(out, " %6zu %6zu %9zu %7zu", c->started, c->failed,
		       c->succeeded, c->unknown);
	if (decided)
		hv_strbuf_addf(out, " %6d%%\n", percent(c->succeeded, decided));
	else
		hv_strbuf_adds(out, "       -\n");
}

static void table(struct hv_strbuf *out, const struct hv_style *st,
		  const char *title, const struct hv_mig_counts *c)
{
	if (!c->n)
		return;
	hv_strbuf_addch(out, '\n');
	hv_style_add(out, st, HV_TONE_BOLD, title);
	hv_strbuf_adds(out, "\n  ");
	hv_strbuf_addf(out, "%-24s %6s %6s %9s %7s %7s\n", "", "moves",
		       "failed", "succeeded", "unknown", "success");
	for (size_t i = 0; i < c->n; i++)
		count_row(out, &c->items[i], c->items[i].key, 24);
}

static void ranking(struct hv_strbuf *out, const struct hv_style *st,
		    const char *title, const struct hv_mig_counts *c)
{
	bool any = false;

	for (size_t i = 0; i < c->n; i++) {
		if (!c->items[i].failed)
			continue;
		if (!any) {
			hv_strbuf_addch(out, '\n');
			hv_style_add(out, st, HV_TONE_BOLD, title);
			hv_strbuf_addch(out, '\n');
		}
		any = true;
		hv_strbuf_addf(out, "  %4zu  ", c->items[i].failed);
		safe(out, c->items[i].key, 60);
		hv_strbuf_addch(out, '\n');
	}
}

static void change(struct hv_strbuf *out, const struct hv_events_view *v,
		   const struct hv_style *st)
{
	const struct hv_mig_summary *s = &v->report->summary;
	char when[32];

	if (!s->has_split)
		return;
	hv_strbuf_addch(out, '\n');
	hv_style_add(out, st, HV_TONE_BOLD, "Failure rate before and after ");
	hv_style_add(out, st, HV_TONE_BOLD,
		     hv_events_time(v->filter->since, when));
	hv_strbuf_adds(out, "\n  before: ");
	rate(out, &s->before, "move");
	hv_strbuf_adds(out, "  after:  ");
	rate(out, &s->after, "move");
}

/* Blackout times the shown moves logged: how many, the longest. */
static void blackouts(struct hv_strbuf *out, const struct hv_events_view *v)
{
	const struct hv_mig_report *r = v->report;
	size_t n = 0;
	uint32_t longest = 0;
	char secs[32];

	for (size_t i = 0; i < r->n_moves; i++) {
		if (!r->moves[i].in_window || !r->moves[i].has_blackout)
			continue;
		n++;
		if (r->moves[i].blackout_ms > longest)
			longest = r->moves[i].blackout_ms;
	}
	if (n)
		hv_strbuf_addf(
			out,
			"  Blackout logged for %zu move%s; longest %s s; "
			"%zu long.\n",
			n, n == 1 ? "" : "s", hv_mig_seconds(longest, secs),
			r->slow);
}

static void summary(struct hv_strbuf *out, const struct hv_events_view *v,
		    const struct hv_style *st)
{
	const struct hv_mig_summary *s = &v->report->summary;
	char a[32], b[32];

	if (!s->total.started)
		return;
	hv_strbuf_addch(out, '\n');
	hv_style_add(out, st, HV_TONE_BOLD, "Summary");
	hv_strbuf_addf(out, ", %s to %s UTC\n  ", hv_events_time(s->first, a),
		       hv_events_time(s->last, b));
	hv_strbuf_addf(out, "%-24s %6s %6s %9s %7s %7s\n", "", "moves",
		       "failed", "succeeded", "unknown", "success");
	count_row(out, &s->total, "all", 24);
	blackouts(out, v);
	table(out, st, "By source host", &s->by_host);
	table(out, st, "By source -> destination", &s->by_pair);
	ranking(out, st, "Failures by signature", &s->by_signature);
	ranking(out, st, "Failures by most likely cause", &s->by_cause);
	ranking(out, st, "Possible causes of failures without evidence",
		&s->possible);
	table(out, st, "Per day", &s->by_day);
	change(out, v, st);
}

void hv_render_events_text(struct hv_strbuf *out,
			   const struct hv_events_view *view,
			   const struct hv_style *style)
{
	answer(out, view, style);
	incomplete(out, view, style);
	timeline(out, view, style);
	summary(out, view, style);
}
