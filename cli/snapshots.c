#include "snapshots.h"

#include <stdio.h>
#include <string.h>

static int read_one(const char *path, const char *command,
		    struct hv_host_settings *out)
{
	struct hv_snapshot snap;
	int rc = hv_snapshot_read_file(path, &snap);

	for (size_t i = 0; i < snap.n_problems; i++)
		cli_error("%s: %s: %s", command, snap.problems[i].where,
			  snap.problems[i].message);
	if (snap.n_problems_total > snap.n_problems)
		cli_error("%s: %s: … and %zu more problems", command, path,
			  snap.n_problems_total - snap.n_problems);
	if (rc == HV_ERR_IO) {
		hv_snapshot_release(&snap);
		return HV_EXIT_INCOMPLETE;
	}
	hv_host_settings_add(out, &snap);
	return rc ? HV_EXIT_INCOMPLETE : 0;
}

int cli_snapshots_initiated(const struct cli_args *args, const char *command,
			    enum hv_initiated *out)
{
	const char *v = cli_value(args, SNAP_INITIATED);

	*out = HV_INITIATED_UNKNOWN;
	if (!v)
		return 0;
	if (strcmp(v, "remote") == 0)
		*out = HV_INITIATED_REMOTE;
	else if (strcmp(v, "source") == 0)
		*out = HV_INITIATED_SOURCE;
	else {
		cli_error("%s: --initiated takes remote or source, not '%s'",
			  command, v);
		return HV_EXIT_INCOMPLETE;
	}
	return 0;
}

int cli_snapshots_load(const struct cli_args *args, const char *command,
		       struct hv_host_settings *out, bool *out_given)
{
	int rc = cli_snapshots_initiated(args, command, &out->initiated);

	*out_given = cli_count(args, SNAP_FILE) > 0;
	if (rc || !*out_given)
		return rc;
	for (size_t i = 0; i < args->n_opts; i++)
		if (args->opts[i].id == SNAP_FILE &&
		    read_one(args->opts[i].value, command, out))
			rc = HV_EXIT_INCOMPLETE;
	for (size_t i = 0; i < args->n_positional; i++)
		if (read_one(args->positional[i], command, out))
			rc = HV_EXIT_INCOMPLETE;
	return rc;
}
