/* libFuzzer target for the snapshot reader (over jansson). Beyond "no crash, no
 * sanitizer report", it checks:
 *  1. the result is 0 exactly when no problem was recorded;
 *  2. problems are bounded and each names a place and says something;
 *  3. every value read keeps an origin inside this file;
 *  4. what the host measured is kept only when whole: a TCP attempt with
 *     a peer, a port of 1-65535 and a known result; a ticket with its
 *     service; a clock offset that is a finite number of bounded size.
 * Run: build-fuzz/fuzz_snapshot -max_total_time=60 CORPUS_COPY */
#include "sources/snapshot.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_snapshot: %s\n", what);
		abort();
	}
}

static void check_at(const struct hv_snap_at *at)
{
	if (!at->where)
		return;
	check(strcmp(at->where, "f.json") == 0, "origin names the file");
	check(at->path && at->path[0] == '$', "origin has a path");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_snapshot s;
	int rc =
		hv_snapshot_read_buffer("f.json", (const char *)data, size, &s);

	check(rc == 0 || rc == HV_ERR_INPUT, "result category");
	check((rc == 0) == (s.n_problems_total == 0), "result and problems");
	check(s.n_problems <= HV_SNAP_MAX_PROBLEMS &&
		      s.n_problems <= s.n_problems_total,
	      "problem bookkeeping");
	for (size_t i = 0; i < s.n_problems; i++)
		check(s.problems[i].where && *s.problems[i].message,
		      "problem without place or text");
	check_at(&s.vmhost.auth.at);
	for (size_t i = 0; i < s.n_vms; i++) {
		check(s.vms[i].name != NULL, "VM without a name kept");
		for (size_t n = 0; n < s.vms[i].n_nics; n++)
			check_at(&s.vms[i].nics[n].at);
	}
	for (size_t i = 0; i < s.n_networks; i++)
		check(s.networks[i].family == 0 || s.networks[i].family == 4 ||
			      s.networks[i].family == 6,
		      "address family");
	for (size_t i = 0; i < s.n_compares; i++)
		check(s.compares[i].vm && s.compares[i].destination,
		      "compare without VM or destination");
	for (size_t i = 0; i < s.n_reach; i++) {
		check(s.reach[i].peer && s.reach[i].port >= 1 &&
			      s.reach[i].port <= 65535 &&
			      s.reach[i].result >= HV_REACH_OPEN &&
			      s.reach[i].result <= HV_REACH_ERROR,
		      "TCP attempt kept half-read");
		check_at(&s.reach[i].at);
	}
	for (size_t i = 0; i < s.n_tickets; i++)
		check(s.tickets[i].server != NULL, "ticket without service");
	check(!s.clock.known ||
		      (s.clock.offset >= -1e9 && s.clock.offset <= 1e9),
	      "clock offset out of bounds");
	hv_snapshot_release(&s);
	return 0;
}
