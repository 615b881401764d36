/* Reading many EVTX files on several cores. Chunks are independent
 * (64 KiB each, with their own names and templates), so each chunk is a
 * job: workers read chunks in parallel, and the caller receives them in
 * file and chunk order, so output is the same whatever the number of
 * threads. At most a small window of chunks is in flight, and pages of
 * delivered chunks are given back, so memory stays flat however large
 * the files. */
#ifndef HV_EVTX_SCAN_H
#define HV_EVTX_SCAN_H

#include "sources/evtx/evtx.h"

/* One chunk's work. Owned by the scan; valid during the callbacks. */
struct hv_evtx_scan_job {
	const struct hv_evtx_file *file;
	size_t file_index, chunk;
	struct hv_evtx_problems problems; /* found in this chunk */
	struct hv_evtx_chunk_info info;
	struct hv_strbuf text; /* what the record callback wrote */
	void *user;	       /* the caller's, per job (see job_reset) */
};

struct hv_evtx_scan_ops {
	void *ctx;
	/* In a worker thread: one record of the job's chunk. Writes only to
	 * the job (text, user). */
	void (*record)(void *ctx, struct hv_evtx_scan_job *job,
		       const struct hv_evtx_record *rec);
	/* In the calling thread, in file and chunk order. Nonzero stops
	 * the scan (a write error) and is returned by hv_evtx_scan(). */
	int (*deliver)(void *ctx, struct hv_evtx_scan_job *job);
	/* Optional: prepare job->user before a chunk (it may be NULL, or
	 * what the previous use left); and free it at the end. */
	void (*job_reset)(void *ctx, struct hv_evtx_scan_job *job);
	void (*job_release)(void *ctx, struct hv_evtx_scan_job *job);
};

/* Reads every chunk of files[0..n) with `threads` workers (1: in the
 * calling thread). Returns 0, or what deliver returned. */
int hv_evtx_scan(const struct hv_evtx_file *files, size_t n, unsigned threads,
		 const struct hv_evtx_scan_ops *ops);

#endif
