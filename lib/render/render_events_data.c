/* `hvdoctor events` for machines: JSON (schema "hvdoctor.events/1") and
 * the Prometheus text exposition format
 * (prometheus.io/docs/instrumenting/exposition_formats/) for a textfile
 * collector. Both carry what the text report does. */
#include "render/render_events.h"

#include "base/alloc.h"
#include "base/json.h"
#include "base/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void time_value(struct hv_json *js, const char *key, uint64_t ft)
{
	char buf[32];

	hv_json_key(js, key);
	if (!ft) {
		hv_json_null(js);
		return;
	}
	hv_evtx_filetime_format(ft, 7, buf);
	hv_json_string(js, buf);
}

static void json_count(struct hv_json *js, const char *key_name,
		       const struct hv_mig_count *c)
{
	size_t decided = c->succeeded + c->failed;

	hv_json_object_begin(js);
	if (key_name)
		hv_json_kv_string(js, key_name, c->key);
	hv_json_kv_int(js, "moves", (int64_t)c->started);
	hv_json_kv_int(js, "failed", (int64_t)c->failed);
	hv_json_kv_int(js, "succeeded", (int64_t)c->succeeded);
	hv_json_kv_int(js, "unknown", (int64_t)c->unknown);
	hv_json_key(js, "success_percent");
	if (decided)
		hv_json_int(js, (int64_t)((c->succeeded * 100 + decided / 2) /
					  decided));
	else
		hv_json_null(js);
	time_value(js, "last_failure", c->last_failure);
	hv_json_object_end(js);
}

static void json_counts(struct hv_json *js, const char *key,
			const char *key_name, const struct hv_mig_counts *c)
{
	hv_json_key(js, key);
	hv_json_array_begin(js);
	for (size_t i = 0; i < c->n; i++)
		json_count(js, key_name, &c->items[i]);
	hv_json_array_end(js);
}

static void blackout_value(struct hv_json *js, bool has, uint32_t ms)
{
	hv_json_key(js, "blackout_ms");
	if (has)
		hv_json_int(js, ms);
	else
		hv_json_null(js);
}

static void json_causes(struct hv_json *js, const struct hv_kb *kb,
			const struct hv_mig_cause *c, size_t n)
{
	hv_json_key(js, "causes");
	hv_json_array_begin(js);
	for (size_t i = 0; i < n; i++) {
		hv_json_object_begin(js);
		hv_json_kv_string(js, "id", kb->causes[c[i].cause].id);
		hv_json_kv_int(js, "score", c[i].score);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

static void json_event(struct hv_json *js, const struct hv_events_view *v,
		       const struct hv_mig_event *e)
{
	const struct hv_kb *kb = v->kb;
	char hr[16];

	hv_json_object_begin(js);
	time_value(js, "time", e->ev.time);
	hv_json_kv_string(js, "host", e->ev.computer);
	hv_json_kv_string(js, "file", v->files[e->ev.file].path);
	hv_json_kv_int(js, "record_id", (int64_t)e->ev.record_id);
	hv_json_kv_int(js, "offset", (int64_t)e->ev.offset);
	hv_json_kv_string(js, "provider", e->ev.provider);
	hv_json_kv_string(js, "channel", e->ev.channel);
	hv_json_kv_int(js, "event_id", e->ev.event_id);
	hv_json_kv_string(js, "role", hv_mig_role_name(e->role));
	hv_json_kv_string(js, "vm", e->vm);
	hv_json_kv_string(js, "vm_id", e->vm_id);
	hv_json_kv_string(js, "source", e->source);
	hv_json_kv_string(js, "destination", e->destination);
	snprintf(hr, sizeof(hr), "0x%08" PRIX32, e->hresult);
	hv_json_kv_string(js, "hresult", e->has_hresult ? hr : NULL);
	hv_json_kv_string(js, "message", e->message);
	blackout_value(js, e->has_blackout, e->blackout_ms);
	hv_json_key(js, "signatures");
	hv_json_array_begin(js);
	for (size_t i = 0; i < e->n_sigs; i++)
		hv_json_string(js, kb->sigs[e->sigs[i]].id);
	hv_json_array_end(js);
	json_causes(js, kb, e->causes, e->n_causes);
	hv_json_key(js, "move");
	if (e->move == SIZE_MAX)
		hv_json_null(js);
	else
		hv_json_int(js, (int64_t)e->move);
	hv_json_key(js, "data");
	hv_json_object_begin(js);
	for (size_t i = 0; i < e->ev.data.n; i++)
		hv_json_kv_string(js, e->ev.data.items[i].name,
				  e->ev.data.items[i].value);
	hv_json_object_end(js);
	hv_json_object_end(js);
}

static void json_move(struct hv_json *js, const struct hv_kb *kb,
		      const struct hv_mig_move *m, size_t index)
{
	hv_json_object_begin(js);
	hv_json_kv_int(js, "id", (int64_t)index);
	hv_json_kv_string(js, "vm", m->vm);
	hv_json_kv_string(js, "vm_id", m->vm_id);
	hv_json_kv_string(js, "source", m->source);
	hv_json_kv_string(js, "destination", m->destination);
	time_value(js, "first", m->first);
	time_value(js, "last", m->last);
	hv_json_kv_string(js, "outcome", hv_mig_outcome_name(m->outcome));
	hv_json_kv_bool(js, "long_blackout", m->slow);
	blackout_value(js, m->has_blackout, m->blackout_ms);
	/* ranked over the move's events and the context joined to it;
	 * from evidence, or possible causes from event ids alone */
	json_causes(js, kb, m->causes, m->n_causes);
	hv_json_kv_bool(js, "causes_from_evidence", m->evidence);
	hv_json_object_end(js);
}

static void json_files(struct hv_json *js, const struct hv_events_view *v)
{
	hv_json_key(js, "files");
	hv_json_array_begin(js);
	for (size_t i = 0; i < v->n_files; i++) {
		const struct hv_events_file *f = &v->files[i];

		hv_json_object_begin(js);
		hv_json_kv_string(js, "path", f->path);
		hv_json_kv_int(js, "records", (int64_t)f->records);
		hv_json_kv_int(js, "records_lost", (int64_t)f->records_bad);
		hv_json_kv_int(js, "chunks", (int64_t)f->chunks);
		hv_json_kv_int(js, "header_chunks", f->header_chunks);
		hv_json_kv_bool(js, "dirty", f->dirty);
		hv_json_kv_int(js, "problems", (int64_t)f->problems);
		hv_json_kv_int(js, "problems_losing_data", (int64_t)f->lost);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

static void json_summary(struct hv_json *js, const struct hv_events_view *v)
{
	const struct hv_mig_summary *s = &v->report->summary;

	hv_json_key(js, "summary");
	hv_json_object_begin(js);
	hv_json_key(js, "total");
	json_count(js, NULL, &s->total);
	hv_json_kv_int(js, "long_blackouts", (int64_t)v->report->slow);
	time_value(js, "first", s->first);
	time_value(js, "last", s->last);
	json_counts(js, "by_host", "host", &s->by_host);
	json_counts(js, "by_pair", "pair", &s->by_pair);
	json_counts(js, "by_day", "day", &s->by_day);
	json_counts(js, "by_signature", "signature", &s->by_signature);
	json_counts(js, "by_cause", "cause", &s->by_cause);
	hv_json_kv_int(js, "failed_without_evidence",
		       (int64_t)s->failed_without_evidence);
	json_counts(js, "possible_causes", "cause", &s->possible);
	hv_json_key(js, "change");
	if (s->has_split) {
		hv_json_object_begin(js);
		time_value(js, "at", v->filter->since);
		hv_json_key(js, "before");
		json_count(js, NULL, &s->before);
		hv_json_key(js, "after");
		json_count(js, NULL, &s->after);
		hv_json_object_end(js);
	} else {
		hv_json_null(js);
	}
	hv_json_object_end(js);
}

void hv_render_events_json(struct hv_strbuf *out,
			   const struct hv_events_view *v)
{
	const struct hv_mig_report *r = v->report;
	struct hv_json js;

	hv_json_init(&js, out, true);
	hv_json_object_begin(&js);
	hv_json_kv_string(&js, "schema", HV_EVENTS_SCHEMA);
	hv_json_kv_bool(&js, "checked", v->checked);
	hv_json_kv_string(&js, "not_checked",
			  v->checked ? NULL
				     : "no Hyper-V VMMS or High-Availability "
				       "events in these logs");
	/* false when --vm/--host/--since/--until named no move: nothing
	 * was checked (exit 3), which "moves": [] alone does not say */
	hv_json_kv_bool(&js, "selection_matched",
			!hv_events_filtered(v->filter) ||
				r->summary.total.started > 0);
	time_value(&js, "since", v->filter->since);
	time_value(&js, "until", v->filter->until);
	json_files(&js, v);
	hv_json_key(&js, "events");
	hv_json_array_begin(&js);
	for (size_t i = 0; i < r->n; i++)
		if (r->events[i].in_window)
			json_event(&js, v, &r->events[i]);
	hv_json_array_end(&js);
	hv_json_key(&js, "moves");
	hv_json_array_begin(&js);
	for (size_t i = 0; i < r->n_moves; i++)
		if (r->moves[i].in_window)
			json_move(&js, v->kb, &r->moves[i], i);
	hv_json_array_end(&js);
	json_summary(&js, v);
	hv_json_object_end(&js);
	hv_strbuf_addch(out, '\n');
}

/* Label values: backslash, double quote and line feed escaped; other
 * bytes as they are (the format is UTF-8). */
static void label(struct hv_strbuf *out, const char *name, const char *value)
{
	hv_strbuf_addf(out, "%s=\"", name);
	for (const char *p = value ? value : "unknown"; *p; p++) {
		if (*p == '\\' || *p == '"')
			hv_strbuf_addch(out, '\\');
		if (*p == '\n') {
			hv_strbuf_adds(out, "\\n");
			continue;
		}
		hv_strbuf_addch(out, *p);
	}
	hv_strbuf_addch(out, '"');
}

/* A label value as Prometheus may take it: valid UTF-8 by construction
 * (each invalid byte becomes U+FFFD), cut on a character boundary to at
 * most LABEL_MAX bytes; host names as their first label. */
#define LABEL_MAX 127

static void label_text(const char *s, size_t len, char out[LABEL_MAX + 1])
{
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		size_t n = hv_utf8_valid_prefix(s + i, len - i);
		const char *c = n ? s + i : "\xef\xbf\xbd";
		size_t cn = n ? n : 3;

		if (o + cn > LABEL_MAX)
			break;
		memcpy(out + o, c, cn);
		o += cn;
		i += n ? n : 1;
	}
	out[o] = '\0';
}

static void short_name(const char *host, char out[LABEL_MAX + 1])
{
	if (!host || !*host)
		host = "unknown";
	label_text(host, strcspn(host, "."), out);
}

struct series {
	char src[LABEL_MAX + 1], dst[LABEL_MAX + 1], extra[LABEL_MAX + 1];
	size_t count;
	uint64_t last;
};

static struct series *series_for(struct series **items, size_t *n, size_t *cap,
				 const char *src, const char *dst,
				 const char *extra)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*items)[i].src, src) &&
		    !strcmp((*items)[i].dst, dst) &&
		    !strcmp((*items)[i].extra, extra))
			return &(*items)[i];
	HV_GROW(*items, *n, *cap);
	memset(&(*items)[*n], 0, sizeof(**items));
	/* each already a label value of at most LABEL_MAX bytes */
	memcpy((*items)[*n].src, src, strlen(src) + 1);
	memcpy((*items)[*n].dst, dst, strlen(dst) + 1);
	label_text(extra, strlen(extra), (*items)[*n].extra);
	return &(*items)[(*n)++];
}

static void prom_series(struct hv_strbuf *out, const char *metric,
			const char *extra_label, const struct series *s,
			size_t n, bool time)
{
	for (size_t i = 0; i < n; i++) {
		hv_strbuf_addf(out, "%s{", metric);
		label(out, "source", s[i].src);
		hv_strbuf_addch(out, ',');
		label(out, "destination", s[i].dst);
		if (extra_label) {
			hv_strbuf_addch(out, ',');
			label(out, extra_label, s[i].extra);
		}
		if (time)
			hv_strbuf_addf(out, "} %" PRId64 "\n",
				       hv_evtx_filetime_to_unix(s[i].last));
		else
			hv_strbuf_addf(out, "} %zu\n", s[i].count);
	}
}

/* Blackout times of the moves shown, as a histogram in seconds. The
 * buckets: under a second is what a healthy live migration shows; 2-10 s
 * is felt by users; 20 s and more (HV_MIG_LONG_BLACKOUT_MS) breaks
 * clients' TCP connections; 60 s is far beyond. */
static void prom_blackout(struct hv_strbuf *out, const struct hv_mig_report *r)
{
	static const uint32_t le_ms[] = {500,	1000,  2000, 5000,
					 10000, 20000, 60000};
	static const char *const le[] = {"0.5", "1",  "2", "5",
					 "10",	"20", "60"};
	size_t n_le = sizeof(le_ms) / sizeof(*le_ms), count = 0;
	size_t bucket[sizeof(le_ms) / sizeof(*le_ms)] = {0};
	uint64_t sum = 0;
	char secs[32];

	for (size_t i = 0; i < r->n_moves; i++) {
		const struct hv_mig_move *m = &r->moves[i];

		if (!m->in_window || !m->has_blackout)
			continue;
		count++;
		sum += m->blackout_ms;
		for (size_t b = 0; b < n_le; b++)
			bucket[b] += m->blackout_ms <= le_ms[b];
	}
	hv_strbuf_adds(out,
		       "# HELP hvdoctor_migration_blackout_seconds Blackout "
		       "time of live migrations (events 20415/20417).\n"
		       "# TYPE hvdoctor_migration_blackout_seconds "
		       "histogram\n");
	for (size_t b = 0; b < n_le; b++)
		hv_strbuf_addf(
			out,
			"hvdoctor_migration_blackout_seconds_bucket{le=\"%s\"}"
			" %zu\n",
			le[b], bucket[b]);
	hv_strbuf_addf(
		out,
		"hvdoctor_migration_blackout_seconds_bucket{le=\"+Inf\"} "
		"%zu\n"
		"hvdoctor_migration_blackout_seconds_sum %s\n"
		"hvdoctor_migration_blackout_seconds_count %zu\n",
		count, hv_mig_seconds(sum, secs), count);
	hv_strbuf_addf(
		out,
		"# HELP hvdoctor_migration_long_blackouts Live migrations "
		"with a long blackout (20417, or 20 s and more).\n"
		"# TYPE hvdoctor_migration_long_blackouts gauge\n"
		"hvdoctor_migration_long_blackouts %zu\n",
		r->slow);
}

void hv_render_events_prom(struct hv_strbuf *out,
			   const struct hv_events_view *v)
{
	const struct hv_mig_report *r = v->report;
	struct series *moves = NULL, *fails = NULL, *lasts = NULL;
	size_t nm = 0, cm = 0, nf = 0, cf = 0, nl = 0, cl = 0, records = 0,
	       lost = 0;

	for (size_t i = 0; i < r->n_moves; i++) {
		const struct hv_mig_move *m = &r->moves[i];
		char src[LABEL_MAX + 1], dst[LABEL_MAX + 1];

		if (!m->in_window)
			continue;
		short_name(hv_mig_move_host(m), src);
		short_name(m->destination, dst);
		series_for(&moves, &nm, &cm, src, dst,
			   hv_mig_outcome_name(m->outcome))
			->count++;
		if (m->outcome == HV_MOVE_FAILED) {
			/* the most likely cause only when the move carries
			 * evidence of it, as in the text and JSON */
			const char *cause =
				m->evidence && m->n_causes
					? v->kb->causes[m->causes[0].cause].id
					: "unknown";
			struct series *l;

			series_for(&fails, &nf, &cf, src, dst, cause)->count++;
			l = series_for(&lasts, &nl, &cl, src, dst, "");
			if (m->last > l->last)
				l->last = m->last;
		}
	}
	for (size_t i = 0; i < v->n_files; i++) {
		records += v->files[i].records;
		lost += v->files[i].records_bad;
	}
	hv_strbuf_adds(out, "# HELP hvdoctor_migrations Live migrations found "
			    "in the event logs, by outcome.\n"
			    "# TYPE hvdoctor_migrations gauge\n");
	prom_series(out, "hvdoctor_migrations", "outcome", moves, nm, false);
	hv_strbuf_adds(out, "# HELP hvdoctor_migration_failures Failed live "
			    "migrations by their most likely cause.\n"
			    "# TYPE hvdoctor_migration_failures gauge\n");
	prom_series(out, "hvdoctor_migration_failures", "cause", fails, nf,
		    false);
	hv_strbuf_adds(
		out, "# HELP hvdoctor_migration_last_failure_timestamp_seconds "
		     "Time of the last failed live migration.\n"
		     "# TYPE hvdoctor_migration_last_failure_timestamp_seconds "
		     "gauge\n");
	prom_series(out, "hvdoctor_migration_last_failure_timestamp_seconds",
		    NULL, lasts, nl, true);
	prom_blackout(out, r);
	hv_strbuf_addf(out,
		       "# HELP hvdoctor_events_records Event records read.\n"
		       "# TYPE hvdoctor_events_records gauge\n"
		       "hvdoctor_events_records %zu\n"
		       "# HELP hvdoctor_events_records_lost Event records that "
		       "could not be read.\n"
		       "# TYPE hvdoctor_events_records_lost gauge\n"
		       "hvdoctor_events_records_lost %zu\n"
		       "# HELP hvdoctor_events_checked 1 when the logs hold "
		       "Hyper-V migration events at all.\n"
		       "# TYPE hvdoctor_events_checked gauge\n"
		       "hvdoctor_events_checked %d\n",
		       records, lost, v->checked ? 1 : 0);
	free(moves);
	free(fails);
	free(lasts);
}
