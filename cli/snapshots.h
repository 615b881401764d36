/* Host snapshots on the command line, shared by audit and plan:
 * --snapshot FILE... (every file after it; the shell's glob expands to
 * that) and --initiated remote|source. */
#ifndef HV_CLI_SNAPSHOTS_H
#define HV_CLI_SNAPSHOTS_H

#include "cli.h"
#include "estate/host_settings.h"

enum {
	SNAP_FILE = 4000,
	SNAP_INITIATED,
};

/* The two option rows, for a command's own option table. */
#define CLI_SNAPSHOT_OPTIONS                                                   \
	{"snapshot", "FILE...",                                                \
	 "host snapshots (collector/hvdoctor-collect.ps1),\nevery file "       \
	 "after it; see docs/snapshot.md",                                     \
	 SNAP_FILE},                                                           \
	{                                                                      \
		"initiated", "WHERE",                                          \
			"remote or source: where moves start\n(CredSSP "       \
			"works only on the source)",                           \
			SNAP_INITIATED                                         \
	}

/* Reads --initiated into *out: prints the error and returns
 * HV_EXIT_INCOMPLETE for a value other than remote or source. */
int cli_snapshots_initiated(const struct cli_args *args, const char *command,
			    enum hv_initiated *out);
/* Reads every snapshot named by --snapshot (and the positional arguments
 * after it) into out, with --initiated. Prints each problem as
 * "command: file[:line:column]: message" on stderr and returns
 * HV_EXIT_INCOMPLETE after any; what could be read is kept. *out_given
 * says whether --snapshot was given at all. */
int cli_snapshots_load(const struct cli_args *args, const char *command,
		       struct hv_host_settings *out, bool *out_given);

#endif
