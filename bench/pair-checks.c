/* Times the pair checks alone (no parse, no rendering) on an LDIF, with
 * the hosts either auto-grouped or all in one migration domain.
 * Built and run by bench/pair-checks.sh. Not a test. */
#include "checks/checks.h"
#include "estate/estate.h"
#include "base/alloc.h"
#include "sources/ldif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct hv_directory dir = {0};
	struct hv_selection sel = {0};
	struct hv_estate est;
	struct hv_findings findings = {0};
	struct hv_error err;
	double t0, t1, t2;

	if (argc < 2 || hv_ldif_read_file(argv[1], &dir, &err) < 0) {
		fprintf(stderr, "usage: pair-checks FILE.ldif [one]\n");
		return 3;
	}
	t0 = now();
	hv_estate_build(&est, &dir, &sel, &err);
	/* all hosts in one domain: what --hosts with every name gives */
	if (argc > 2 && strcmp(argv[2], "one") == 0) {
		for (size_t h = 0; h < est.n_hosts; h++)
			est.hosts[h].domain = 0;
		est.n_domains = 1;
	}
	t1 = now();
	hv_check_delegation_pairs(&est, &findings);
	t2 = now();
	printf("%zu hosts, %zu domains: estate %.3f s, pair checks %.3f s, "
	       "%zu findings\n",
	       est.n_hosts, est.n_domains, t1 - t0, t2 - t1, findings.n);
	hv_findings_release(&findings);
	hv_estate_release(&est);
	hv_directory_clear(&dir);
	return 0;
}
