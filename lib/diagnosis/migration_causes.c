/* A failed move's causes come from what the move carries: the codes and
 * texts of its own events, and the context events joined to it (a
 * Kerberos error naming the destination's migration SPN a second before
 * the failure; a cluster resource of the same VM failing). They are
 * ranked by explain's code (diagnosis/explain.c) over all of them at
 * once, so one failure logged three times weighs as one, and a bare
 * event id stays a prior: possible causes, never the most likely one. */
#include "diagnosis/migrations.h"
#include "diagnosis/migrations_internal.h"

#include "base/alloc.h"
#include "diagnosis/explain.h"
#include "diagnosis/symptoms.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SECOND 10000000ull /* FILETIME units */
/* A context event speaks of a move logged from a minute before its
 * start to a minute after its last event. */
#define JOIN_MARGIN (60ull * SECOND)
/* No move lasts longer than this (migration_moves.c's outcome window,
 * doubled): the look back stops there. */
#define LOOK_BACK (8ull * 3600 * SECOND)

static bool id_matches(const char *a, const char *b)
{
	return a && b && strcasecmp(a, b) == 0;
}

/* value names host: "HV02", "hv02.corp.example.com", "HV02$" (its
 * account) or an SPN ".../HV02[.domain][:port]". */
static bool names_host(const char *value, const char *host)
{
	size_t n = strcspn(host, ".");
	const char *slash;

	if (hv_mig_same_host(value, host))
		return true;
	if (strncasecmp(value, host, n) == 0 && value[n] == '$' &&
	    !value[n + 1])
		return true;
	slash = strrchr(value, '/');
	if (!slash || strncasecmp(slash + 1, host, n) != 0)
		return false;
	return !slash[1 + n] || slash[1 + n] == '.' || slash[1 + n] == ':';
}

/* The host at the other end of m from the one that logged c. */
static const char *peer(const struct hv_mig_move *m, const char *logged_by)
{
	if (hv_mig_same_host(logged_by, m->source))
		return m->destination;
	if (hv_mig_same_host(logged_by, m->destination))
		return m->source;
	return NULL;
}

/* c speaks of m: logged by one of its hosts, and naming its VM or the
 * host at the other end. */
static bool speaks_of(const struct hv_mig_event *c, const struct hv_mig_move *m)
{
	const char *other;

	if (!hv_mig_same_host(c->ev.computer, m->host) &&
	    !hv_mig_same_host(c->ev.computer, m->source) &&
	    !hv_mig_same_host(c->ev.computer, m->destination))
		return false;
	if (id_matches(c->vm_id, m->vm_id) || id_matches(c->vm, m->vm))
		return true;
	other = peer(m, c->ev.computer);
	for (size_t i = 0; other && i < c->ev.data.n; i++)
		if (names_host(c->ev.data.items[i].value, other))
			return true;
	return false;
}

static uint64_t distance(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

void hv_mig_join_context(struct hv_mig_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct hv_mig_event *c = &r->events[i];
		uint64_t t = c->ev.time, best_d = UINT64_MAX;
		size_t best = SIZE_MAX;

		if (c->role != HV_MIG_CONTEXT || c->move != SIZE_MAX)
			continue;
		for (size_t k = r->n_moves, seen = 0;
		     k-- > 0 && seen++ < HV_MIG_LOOK_BACK_MOVES;) {
			const struct hv_mig_move *m = &r->moves[k];
			uint64_t at;

			if (t > m->first && t - m->first > LOOK_BACK)
				break;
			if (m->outcome != HV_MOVE_FAILED ||
			    t + JOIN_MARGIN < m->first ||
			    t > m->last + JOIN_MARGIN || !speaks_of(c, m))
				continue;
			at = m->failure != SIZE_MAX
				     ? r->events[m->failure].ev.time
				     : m->last;
			if (distance(t, at) < best_d) {
				best_d = distance(t, at);
				best = k;
			}
		}
		c->move = best;
	}
}

static void rank_move(const struct hv_kb *kb, struct hv_mig_report *r, size_t m,
		      const size_t *next, size_t head)
{
	struct hv_symptoms sym = {0};
	struct hv_context ctx = {0};
	struct hv_explanation ranking = {0};
	struct hv_mig_move *mv = &r->moves[m];
	unsigned input = 1;

	for (size_t e = head; e != SIZE_MAX; e = next[e]) {
		struct hv_strbuf text = HV_STRBUF_INIT;

		/* starts and successes say nothing about why it failed */
		if (r->events[e].role != HV_MIG_FAILED &&
		    r->events[e].role != HV_MIG_CONTEXT)
			continue;
		hv_mig_paste_text(kb, &r->events[e], &text);
		hv_symptoms_scan(kb, hv_strbuf_str(&text), input++, &sym);
		hv_strbuf_release(&text);
	}
	hv_explain_rank(kb, &sym, &ctx, &ranking);
	mv->evidence = ranking.basis == HV_BASIS_EVIDENCE;
	mv->causes = hv_calloc(ranking.n ? ranking.n : 1, sizeof(*mv->causes));
	for (size_t i = 0; i < ranking.n; i++)
		if (ranking.items[i].verdict == HV_LIKELY &&
		    ranking.items[i].score > 0)
			mv->causes[mv->n_causes++] = (struct hv_mig_cause){
				ranking.items[i].cause, ranking.items[i].score};
	hv_explanation_release(&ranking);
	hv_symptoms_release(&sym);
}

void hv_mig_rank_moves(const struct hv_kb *kb, struct hv_mig_report *r)
{
	size_t *head = hv_calloc(r->n_moves ? r->n_moves : 1, sizeof(*head));
	size_t *next = hv_calloc(r->n ? r->n : 1, sizeof(*next));

	/* each move's events in time order: lists built back to front */
	for (size_t m = 0; m < r->n_moves; m++)
		head[m] = SIZE_MAX;
	for (size_t e = r->n; e-- > 0;) {
		size_t m = r->events[e].move;

		if (m == SIZE_MAX)
			continue;
		next[e] = head[m];
		head[m] = e;
	}
	for (size_t m = 0; m < r->n_moves; m++)
		if (r->moves[m].outcome == HV_MOVE_FAILED)
			rank_move(kb, r, m, next, head[m]);
	free(head);
	free(next);
}
