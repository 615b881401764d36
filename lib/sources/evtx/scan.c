/* Parallel chunk reading with in-order delivery (see scan.h). Jobs are
 * numbered over all files; job k lives in slot k % window. A worker takes
 * the next job only while it is within the window of the next one to be
 * delivered, so a slow consumer holds back the workers instead of
 * letting finished chunks pile up. */
#include "sources/evtx/scan.h"

#include "base/alloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT_FREE, SLOT_BUSY, SLOT_DONE };

struct scan {
	const struct hv_evtx_file *files;
	size_t n_files;
	const struct hv_evtx_scan_ops *ops;
	size_t *first_job; /* per file: number of its first job */
	size_t *forgotten; /* per file: chunks whose pages were given back */
	size_t total, window;
	struct hv_evtx_scan_job *jobs; /* window slots */
	int *state;
	size_t next_take, next_deliver;
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

static void locate(const struct scan *s, size_t k, size_t *file, size_t *chunk)
{
	size_t f = 0;

	while (f + 1 < s->n_files && s->first_job[f + 1] <= k)
		f++;
	*file = f;
	*chunk = k - s->first_job[f];
}

/* Pages of delivered chunks are given back in batches: each madvise()
 * makes the other threads' CPUs flush their TLBs, so once per chunk
 * would cost more than it saves. Pages are mapped ahead in smaller
 * batches, one call when a batch's first chunk is taken, so that what
 * is mapped but not yet given back stays small. */
#define FORGET_BATCH 128  /* chunks: 8 MiB */
#define PREFETCH_BATCH 32 /* chunks: 2 MiB */

static void run_job(const struct scan *s, struct hv_evtx_reader *r,
		    struct hv_evtx_scan_job *job, size_t k)
{
	struct hv_evtx_record rec;

	locate(s, k, &job->file_index, &job->chunk);
	job->file = &s->files[job->file_index];
	if (job->chunk % PREFETCH_BATCH == 0)
		hv_evtx_prefetch_chunks(job->file, job->chunk, PREFETCH_BATCH);
	hv_evtx_problems_reset(&job->problems);
	hv_strbuf_reset(&job->text);
	if (s->ops->job_reset)
		s->ops->job_reset(s->ops->ctx, job);
	hv_evtx_chunk_begin(r, job->file, job->chunk, &job->problems);
	while (hv_evtx_chunk_next(r, &rec))
		if (s->ops->record)
			s->ops->record(s->ops->ctx, job, &rec);
	job->info = *hv_evtx_chunk_info(r);
}

static void *worker(void *arg)
{
	struct scan *s = arg;
	struct hv_evtx_reader *r = hv_evtx_reader_new();

	pthread_mutex_lock(&s->lock);
	for (;;) {
		size_t k;

		while (!s->stop && s->next_take < s->total &&
		       s->next_take >= s->next_deliver + s->window)
			pthread_cond_wait(&s->changed, &s->lock);
		if (s->stop || s->next_take >= s->total)
			break;
		k = s->next_take++;
		s->state[k % s->window] = SLOT_BUSY;
		pthread_mutex_unlock(&s->lock);
		run_job(s, r, &s->jobs[k % s->window], k);
		pthread_mutex_lock(&s->lock);
		s->state[k % s->window] = SLOT_DONE;
		pthread_cond_broadcast(&s->changed);
	}
	pthread_mutex_unlock(&s->lock);
	hv_evtx_reader_free(r);
	return NULL;
}

static int deliver(struct scan *s, struct hv_evtx_scan_job *job)
{
	int rc = s->ops->deliver ? s->ops->deliver(s->ops->ctx, job) : 0;
	size_t from = s->forgotten[job->file_index];

	if (job->chunk + 1 - from >= FORGET_BATCH ||
	    job->chunk + 1 == job->file->n_chunks) {
		hv_evtx_forget_chunks(job->file, from, job->chunk + 1 - from);
		s->forgotten[job->file_index] = job->chunk + 1;
	}
	return rc;
}

static int run_threads(struct scan *s, unsigned threads, bool *no_threads)
{
	pthread_t *tids = hv_calloc(threads, sizeof(*tids));
	unsigned started = 0;
	int rc = 0;

	for (; started < threads; started++)
		if (pthread_create(&tids[started], NULL, worker, s) != 0)
			break;
	pthread_mutex_lock(&s->lock);
	while (s->next_deliver < s->total && !s->stop) {
		size_t slot = s->next_deliver % s->window;

		if (s->state[slot] != SLOT_DONE) {
			if (started == 0) { /* no thread could start */
				s->state[slot] = SLOT_BUSY;
				pthread_mutex_unlock(&s->lock);
				break;
			}
			pthread_cond_wait(&s->changed, &s->lock);
			continue;
		}
		pthread_mutex_unlock(&s->lock);
		rc = deliver(s, &s->jobs[slot]);
		pthread_mutex_lock(&s->lock);
		s->state[slot] = SLOT_FREE;
		s->next_deliver++;
		if (rc)
			s->stop = true;
		pthread_cond_broadcast(&s->changed);
	}
	if (started)
		pthread_mutex_unlock(&s->lock);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	*no_threads = started == 0;
	return rc;
}

static int run_inline(struct scan *s)
{
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	int rc = 0;

	for (size_t k = 0; k < s->total && rc == 0; k++) {
		run_job(s, r, &s->jobs[0], k);
		rc = deliver(s, &s->jobs[0]);
	}
	hv_evtx_reader_free(r);
	return rc;
}

int hv_evtx_scan(const struct hv_evtx_file *files, size_t n, unsigned threads,
		 const struct hv_evtx_scan_ops *ops)
{
	struct scan s = {.files = files, .n_files = n, .ops = ops};
	bool no_threads = false;
	int rc;

	if (n == 0)
		return 0;
	s.first_job = hv_calloc(n, sizeof(*s.first_job));
	s.forgotten = hv_calloc(n, sizeof(*s.forgotten));
	for (size_t f = 0; f < n; f++) {
		s.first_job[f] = s.total;
		s.total += files[f].n_chunks;
	}
	if (threads > s.total)
		threads = s.total ? (unsigned)s.total : 1;
	s.window = threads > 1 ? (size_t)threads * 4 : 1;
	s.jobs = hv_calloc(s.window, sizeof(*s.jobs));
	s.state = hv_calloc(s.window, sizeof(*s.state));
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.changed, NULL);
	rc = threads > 1 ? run_threads(&s, threads, &no_threads)
			 : run_inline(&s);
	if (no_threads) /* threads unavailable: do it here */
		rc = run_inline(&s);
	for (size_t i = 0; i < s.window; i++) {
		if (ops->job_release)
			ops->job_release(ops->ctx, &s.jobs[i]);
		hv_evtx_problems_release(&s.jobs[i].problems);
		hv_strbuf_release(&s.jobs[i].text);
	}
	pthread_cond_destroy(&s.changed);
	pthread_mutex_destroy(&s.lock);
	free(s.state);
	free(s.jobs);
	free(s.first_job);
	free(s.forgotten);
	return rc;
}
