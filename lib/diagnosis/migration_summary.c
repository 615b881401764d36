/* Counting moves: in all, per source host, per source -> destination
 * pair, per day, per failure signature and per cause; and the failure
 * rate before and after a date (the "it started after the patch night"
 * question). */
#include "diagnosis/migrations.h"
#include "diagnosis/migrations_internal.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static struct hv_mig_count *count_for(struct hv_mig_counts *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcasecmp(c->items[i].key, key) == 0)
			return &c->items[i];
	HV_GROW(c->items, c->n, c->cap);
	memset(&c->items[c->n], 0, sizeof(c->items[c->n]));
	c->items[c->n].key = hv_strdup(key);
	return &c->items[c->n++];
}

static void tally(struct hv_mig_count *c, const struct hv_mig_move *m)
{
	c->started++;
	switch (m->outcome) {
	case HV_MOVE_SUCCEEDED:
		c->succeeded++;
		break;
	case HV_MOVE_FAILED:
		c->failed++;
		if (m->last > c->last_failure)
			c->last_failure = m->last;
		break;
	default:
		c->unknown++;
	}
}

/* The day (UTC) of a FILETIME, "YYYY-MM-DD". */
static void day_of(uint64_t ft, char *buf)
{
	char full[32];

	hv_evtx_filetime_format(ft, 0, full);
	memcpy(buf, full, 10);
	buf[10] = '\0';
}

/* Short host name as the key: "HV01" and "hv01.corp.example.com" are
 * one host. The first spelling seen is what the report shows. */
static void host_key(const char *host, char *buf, size_t size)
{
	size_t n = strcspn(host ? host : "?", ".");

	snprintf(buf, size, "%.*s", (int)n, host ? host : "?");
}

/* A failed move is counted under the signature of the event that
 * failed it, and under its most likely cause when the move carries
 * evidence; without evidence under every possible cause instead. */
static void failure_keys(const struct hv_kb *kb, const struct hv_mig_event *e,
			 struct hv_mig_summary *s, const struct hv_mig_move *m)
{
	char buf[32];

	if (e && e->n_sigs) {
		tally(count_for(&s->by_signature, kb->sigs[e->sigs[0]].id), m);
	} else if (e) {
		snprintf(buf, sizeof(buf), "event %u", e->ev.event_id);
		tally(count_for(&s->by_signature, buf), m);
	}
	if (m->evidence && m->n_causes) {
		tally(count_for(&s->by_cause,
				kb->causes[m->causes[0].cause].id),
		      m);
		return;
	}
	s->failed_without_evidence++;
	for (size_t i = 0; i < m->n_causes; i++)
		tally(count_for(&s->possible,
				kb->causes[m->causes[i].cause].id),
		      m);
}

const char *hv_mig_move_host(const struct hv_mig_move *m)
{
	return m->source ? m->source : m->host;
}

static int by_key(const void *a, const void *b)
{
	const struct hv_mig_count *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/* Most failures first, then by name: the most common causes on top. */
static int by_failures(const void *a, const void *b)
{
	const struct hv_mig_count *x = a, *y = b;

	if (x->failed != y->failed)
		return x->failed > y->failed ? -1 : 1;
	return strcmp(x->key, y->key);
}

static void sort(struct hv_mig_counts *c,
		 int (*cmp)(const void *, const void *))
{
	if (c->n > 1)
		qsort(c->items, c->n, sizeof(*c->items), cmp);
}

static void count_move(const struct hv_kb *kb, struct hv_mig_report *r,
		       const struct hv_mig_move *m)
{
	struct hv_mig_summary *s = &r->summary;
	struct hv_strbuf pair = HV_STRBUF_INIT;
	char key[256], day[16];

	tally(&s->total, m);
	host_key(hv_mig_move_host(m), key, sizeof(key));
	tally(count_for(&s->by_host, key), m);
	if (m->source && m->destination) {
		host_key(m->source, key, sizeof(key));
		hv_strbuf_addf(&pair, "%s -> ", key);
		host_key(m->destination, key, sizeof(key));
		hv_strbuf_adds(&pair, key);
		tally(count_for(&s->by_pair, hv_strbuf_str(&pair)), m);
	}
	hv_strbuf_release(&pair);
	day_of(m->first, day);
	tally(count_for(&s->by_day, day), m);
	if (m->outcome == HV_MOVE_FAILED)
		failure_keys(kb,
			     m->failure != SIZE_MAX ? &r->events[m->failure]
						    : NULL,
			     s, m);
	if (m->slow)
		r->slow++;
}

void hv_mig_summarise(const struct hv_kb *kb, const struct hv_mig_filter *f,
		      struct hv_mig_report *r)
{
	struct hv_mig_summary *s = &r->summary;

	for (size_t i = 0; i < r->n; i++) {
		uint64_t t = r->events[i].ev.time;

		if (!r->events[i].in_window)
			continue;
		if (!s->first || t < s->first)
			s->first = t;
		if (t > s->last)
			s->last = t;
	}
	for (size_t i = 0; i < r->n_moves; i++) {
		const struct hv_mig_move *m = &r->moves[i];

		if (m->in_window)
			count_move(kb, r, m);
		if (f->since && m->selected && m->first < f->since)
			tally(&s->before, m);
		else if (f->since && m->in_window)
			tally(&s->after, m);
	}
	s->has_split = f->since && s->before.started;
	sort(&s->by_host, by_key);
	sort(&s->by_pair, by_key);
	sort(&s->by_day, by_key);
	sort(&s->by_signature, by_failures);
	sort(&s->by_cause, by_failures);
	sort(&s->possible, by_failures);
}
