/* Reads one LDIF file into a directory and prints the time and the peak
 * RSS of doing so: the LDIF reader's share of an audit's memory
 * (bench/ldif-memory.sh). Not a test. */
#include "sources/directory.h"
#include "sources/ldif.h"

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct hv_directory dir = {0};
	struct hv_error err;
	struct rusage ru;
	struct timespec a, b;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: ldif-read FILE\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = hv_ldif_read_file(argv[1], &dir, &err);
	clock_gettime(CLOCK_MONOTONIC, &b);
	getrusage(RUSAGE_SELF, &ru);
	printf("%zu entries, rc %d, %.2f s, %ld MB peak RSS\n", dir.n_entries,
	       rc,
	       (double)(b.tv_sec - a.tv_sec) +
		       (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	       ru.ru_maxrss / 1024);
	hv_directory_clear(&dir);
	return 0;
}
