/* libFuzzer target for the --domains file reader: arbitrary bytes are
 * the file, given with its length and no NUL after it. Beyond "no crash,
 * no sanitizer report" (leaks included: a failed parse leaves its groups
 * in the selection for hv_selection_release) it checks and aborts if:
 *  1. an error is not HV_ERR_INPUT with "fuzz.txt:N", N >= 1;
 *  2. a parsed file has no group, a group no host, or a host name with a
 *     character outside [A-Za-z0-9._$-] or longer than 255 bytes.
 * Run: tests/fuzz-run build-fuzz/fuzz_domains */
#include "estate/domains_file.h"
#include "estate/estate.h"
#include "base/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_domains: %s\n", what);
		abort();
	}
}

static void check_where(const struct hv_error *err)
{
	const char *p = err->where;

	check(err->category == HV_ERR_INPUT, "error is not HV_ERR_INPUT");
	check(strncmp(p, "fuzz.txt:", 9) == 0, "error without file name");
	p += 9;
	check(*p >= '1' && *p <= '9', "error without a line number");
	check(strspn(p, "0123456789") == strlen(p), "bad line number");
	check(err->message[0] != '\0', "error without a message");
}

static void check_groups(const struct hv_selection *sel)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789-._$";

	check(sel->n_groups > 0, "parsed without a group");
	check(sel->grouping == HV_GROUP_LISTS, "grouping not set");
	for (size_t g = 0; g < sel->n_groups; g++) {
		const struct hv_host_group *grp = &sel->groups[g];

		check(grp->name && grp->name[0], "group without a name");
		check(grp->n_hosts > 0, "group without hosts");
		for (size_t h = 0; h < grp->n_hosts; h++) {
			size_t len = strlen(grp->hosts[h]);

			check(len > 0 && len <= 255, "host name length");
			check(strspn(grp->hosts[h], name_chars) == len,
			      "host name character");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_selection sel = {0};
	struct hv_error err;
	char *copy;

	if (size > 1 << 16)
		return 0;
	copy = malloc(size ? size : 1);
	check(copy != NULL, "out of memory");
	if (size)
		memcpy(copy, data, size);
	memset(&err, 0, sizeof(err));
	if (hv_domains_parse("fuzz.txt", copy, size, &sel, &err) == 0)
		check_groups(&sel);
	else
		check_where(&err);
	hv_selection_release(&sel);
	free(copy);
	return 0;
}
