/* Events into moves, moves into counts.
 *
 * One move can be logged several times: VMMS (20413) and the cluster
 * (21300) both log its start, and a failure shows as 21502 on the
 * cluster side and 21024 from VMMS. Events of one VM are therefore
 * joined: a start within START_WINDOW of another is the same move, an
 * outcome closes the VM's open move if that started within
 * OUTCOME_WINDOW, and a second outcome within DUPLICATE_WINDOW of the
 * first is the same outcome told again. A VM is known by its id when
 * both events carry one, else by name. */
#include "diagnosis/migrations.h"
#include "diagnosis/migrations_internal.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SECOND 10000000ull /* FILETIME units */
#define START_WINDOW (60ull * SECOND)
#define OUTCOME_WINDOW (4ull * 3600 * SECOND) /* large VMs move for hours */
#define DUPLICATE_WINDOW (120ull * SECOND)
#define SKEW_WINDOW (10ull * SECOND)

void hv_mig_event_release(struct hv_mig_event *e)
{
	hv_evtx_event_release(&e->ev);
	free(e->vm);
	free(e->vm_id);
	free(e->source);
	free(e->destination);
	free(e->message);
	free(e->sigs);
	free(e->causes);
	memset(e, 0, sizeof(*e));
}

/* "hv01" matches "HV01.corp.example.com": hosts are compared by their
 * first label when either side is short. */
bool hv_mig_same_host(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return false;
	if (strcasecmp(a, b) == 0)
		return true;
	la = strcspn(a, ".");
	lb = strcspn(b, ".");
	return (!a[la] || !b[lb]) && la == lb && strncasecmp(a, b, la) == 0;
}

static bool vm_matches(const char *want, const char *vm, const char *vm_id)
{
	const char *id = want[0] == '{' ? want + 1 : want;

	return (vm && strcasecmp(want, vm) == 0) ||
	       (vm_id && strlen(id) >= 36 && strncasecmp(id, vm_id, 36) == 0);
}

static bool names(const struct hv_mig_filter *f, const char *vm,
		  const char *vm_id, const char *host, const char *source,
		  const char *destination)
{
	if (f->vm && !vm_matches(f->vm, vm, vm_id))
		return false;
	if (f->host && !(hv_mig_same_host(f->host, host) ||
			 hv_mig_same_host(f->host, source) ||
			 hv_mig_same_host(f->host, destination)))
		return false;
	return true;
}

static int by_time(const void *a, const void *b)
{
	const struct hv_mig_event *x = a, *y = b;

	if (x->ev.time != y->ev.time)
		return x->ev.time < y->ev.time ? -1 : 1;
	if (x->ev.file != y->ev.file)
		return x->ev.file < y->ev.file ? -1 : 1;
	return x->ev.record_id < y->ev.record_id   ? -1
	       : x->ev.record_id > y->ev.record_id ? 1
						   : 0;
}

static bool same_vm(const struct hv_mig_move *m, const struct hv_mig_event *e)
{
	if (m->vm_id && e->vm_id)
		return strcasecmp(m->vm_id, e->vm_id) == 0;
	return m->vm && e->vm && strcasecmp(m->vm, e->vm) == 0;
}

static void fill(const char **slot, const char *value)
{
	if (!*slot && value)
		*slot = value;
}

static void join(struct hv_mig_move *m, const struct hv_mig_event *e)
{
	fill(&m->vm, e->vm);
	fill(&m->vm_id, e->vm_id);
	fill(&m->source, e->source);
	fill(&m->destination, e->destination);
	if (e->ev.time > m->last)
		m->last = e->ev.time;
}

static size_t new_move(struct hv_mig_report *r, const struct hv_mig_event *e)
{
	struct hv_mig_move *m;

	HV_GROW(r->moves, r->n_moves, r->cap_moves);
	m = &r->moves[r->n_moves];
	memset(m, 0, sizeof(*m));
	m->first = m->last = e->ev.time;
	m->host = e->ev.computer;
	m->failure = SIZE_MAX;
	join(m, e);
	return r->n_moves++;
}

/* The VM's latest move within the widest window (events come in time
 * order, so the look back stops there), or SIZE_MAX. */
static size_t latest_move(const struct hv_mig_report *r,
			  const struct hv_mig_event *e,
			  bool (*fits)(const struct hv_mig_move *, uint64_t))
{
	uint64_t t = e->ev.time;

	if (!e->vm && !e->vm_id)
		return SIZE_MAX;
	for (size_t i = r->n_moves, seen = 0;
	     i-- > 0 && seen++ < HV_MIG_LOOK_BACK_MOVES;) {
		const struct hv_mig_move *m = &r->moves[i];

		if (t - m->first > OUTCOME_WINDOW &&
		    t - m->last > OUTCOME_WINDOW)
			break;
		if (same_vm(m, e) && fits(m, t))
			return i;
	}
	return SIZE_MAX;
}

/* A start belongs to a move started within START_WINDOW and still open,
 * or to one that has no start yet and whose events lie within
 * SKEW_WINDOW of it: the other host's clock runs behind (domain members
 * keep within seconds of their DC). A retry after a failure logged
 * without a start is a new move. */
static bool start_fits(const struct hv_mig_move *m, uint64_t t)
{
	if (m->start_logged)
		return m->outcome == HV_MOVE_UNKNOWN &&
		       t - m->first <= START_WINDOW;
	return t - m->last <= SKEW_WINDOW;
}

static bool open_fits(const struct hv_mig_move *m, uint64_t t)
{
	(void)t;
	return m->outcome == HV_MOVE_UNKNOWN;
}

/* The same outcome told again, by another log or the other host. */
static bool told_again(const struct hv_mig_move *m, uint64_t t)
{
	return m->outcome != HV_MOVE_UNKNOWN && t - m->last <= DUPLICATE_WINDOW;
}

static void outcome(struct hv_mig_report *r, size_t m, size_t idx)
{
	const struct hv_mig_event *e = &r->events[idx];
	struct hv_mig_move *mv = &r->moves[m];

	if (e->role == HV_MIG_FAILED) {
		/* a failure told by any log wins over a success */
		if (mv->outcome != HV_MOVE_FAILED)
			mv->failure = idx;
		mv->outcome = HV_MOVE_FAILED;
	} else if (mv->outcome == HV_MOVE_UNKNOWN) {
		mv->outcome = HV_MOVE_SUCCEEDED;
	}
	if (e->role == HV_MIG_SLOW)
		mv->slow = true;
	if (e->has_blackout &&
	    (!mv->has_blackout || e->blackout_ms > mv->blackout_ms)) {
		mv->has_blackout = true;
		mv->blackout_ms = e->blackout_ms;
	}
	if (mv->has_blackout && mv->blackout_ms >= HV_MIG_LONG_BLACKOUT_MS)
		mv->slow = true;
}

static void place(struct hv_mig_report *r, size_t idx)
{
	struct hv_mig_event *e = &r->events[idx];
	size_t m;

	if (e->role == HV_MIG_CONTEXT)
		return;
	if (e->role == HV_MIG_STARTED) {
		m = latest_move(r, e, start_fits);
		if (m == SIZE_MAX)
			m = new_move(r, e);
		r->moves[m].start_logged = true;
	} else {
		m = latest_move(r, e, open_fits);
		if (m == SIZE_MAX)
			m = latest_move(r, e, told_again);
		if (m == SIZE_MAX)
			m = new_move(r, e);
		outcome(r, m, idx);
	}
	join(&r->moves[m], e);
	e->move = m;
}

static bool in_window(const struct hv_mig_filter *f, uint64_t t)
{
	return (!f->since || t >= f->since) && (!f->until || t <= f->until);
}

static void select_window(struct hv_mig_report *r,
			  const struct hv_mig_filter *f)
{
	for (size_t i = 0; i < r->n_moves; i++) {
		struct hv_mig_move *m = &r->moves[i];

		m->selected = names(f, m->vm, m->vm_id, m->host, m->source,
				    m->destination);
		m->in_window = m->selected && in_window(f, m->first);
	}
	for (size_t i = 0; i < r->n; i++) {
		struct hv_mig_event *e = &r->events[i];
		bool selected =
			e->move != SIZE_MAX
				? r->moves[e->move].selected
				: names(f, e->vm, e->vm_id, e->ev.computer,
					e->source, e->destination);

		e->in_window = selected && in_window(f, e->ev.time);
	}
}

void hv_mig_analyse(const struct hv_kb *kb, struct hv_evtx_event *events,
		    size_t n, const struct hv_mig_filter *filter,
		    struct hv_mig_report *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		struct hv_mig_event e = {0};

		if (hv_mig_host_log(events[i].provider, events[i].channel))
			out->host_log_events++;
		e.ev = events[i];
		memset(&events[i], 0, sizeof(events[i]));
		if (!hv_mig_event_read(kb, &e)) {
			hv_mig_event_release(&e);
			continue;
		}
		HV_GROW(out->events, out->n, out->cap);
		out->events[out->n++] = e;
	}
	if (out->n)
		qsort(out->events, out->n, sizeof(*out->events), by_time);
	for (size_t i = 0; i < out->n; i++)
		place(out, i);
	hv_mig_join_context(out);
	hv_mig_rank_moves(kb, out);
	select_window(out, filter);
	hv_mig_summarise(kb, filter, out);
}

void hv_mig_report_release(struct hv_mig_report *r)
{
	struct hv_mig_counts *lists[] = {
		&r->summary.by_host,  &r->summary.by_pair,
		&r->summary.by_day,   &r->summary.by_signature,
		&r->summary.by_cause, &r->summary.possible};

	for (size_t i = 0; i < r->n; i++)
		hv_mig_event_release(&r->events[i]);
	free(r->events);
	for (size_t i = 0; i < r->n_moves; i++)
		free(r->moves[i].causes);
	free(r->moves);
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		for (size_t i = 0; i < lists[l]->n; i++)
			free(lists[l]->items[i].key);
		free(lists[l]->items);
	}
	memset(r, 0, sizeof(*r));
}
