/* hvdoctor: finds out why a Hyper-V live migration fails, proves it, and
 * writes the fix. This file only dispatches to cli/cmd_NAME.c. */
#include "cli.h"
#include "commands.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HVDOCTOR_VERSION
#define HVDOCTOR_VERSION "0.1.0"
#endif

static const struct cli_command *const commands[] = {
	&cmd_explain,
	&cmd_audit,
	&cmd_plan,
	&cmd_apply,
	&cmd_events,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	fputs("usage: hvdoctor COMMAND [OPTIONS] [ARGS]\n\n"
	      "Finds out why a Hyper-V live migration fails, shows the "
	      "evidence,\nand writes the fix.\n\ncommands:\n",
	      out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", commands[i]->name,
			commands[i]->summary);
	fputs("\n'hvdoctor COMMAND --help' tells more about a command.\n"
	      "exit status: 0 nothing wrong, 1 warnings, 2 errors found, "
	      "3 could not complete\n",
	      out);
}

static int set_globals(const struct cli_args *args, struct cli_globals *g)
{
	const char *when = cli_value(args, CLI_OPT_COLOR);

	g->kb_dir = cli_value(args, CLI_OPT_KB);
	if (!when || strcmp(when, "auto") == 0)
		g->color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	else if (strcmp(when, "always") == 0)
		g->color = true;
	else if (strcmp(when, "never") == 0)
		g->color = false;
	else {
		cli_error("--color takes auto, always or never, not '%s'",
			  when);
		return HV_EXIT_INCOMPLETE;
	}
	return 0;
}

static int run_command(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	struct cli_globals globals = {0};
	int rc = cli_parse(cmd, argc, argv, &args);

	if (rc == 0 && cli_count(&args, CLI_OPT_HELP)) {
		cli_print_help(stdout, cmd);
		rc = fflush(stdout) ? HV_EXIT_INCOMPLETE : HV_EXIT_OK;
	} else if (rc == 0 && (rc = set_globals(&args, &globals)) == 0) {
		rc = cmd->run(&args, &globals);
	}
	cli_args_release(&args);
	return rc;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	/* a dropped LDAP connection or a closed pipe must become an error
	 * return, not a silent death (libldap can raise SIGPIPE) */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		print_usage(stderr);
		return HV_EXIT_INCOMPLETE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_usage(stdout);
		return HV_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("hvdoctor " HVDOCTOR_VERSION);
		return HV_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		cmd = argc > 2 ? find_command(argv[2]) : NULL;
		if (cmd)
			cli_print_help(stdout, cmd);
		else
			print_usage(stdout);
		return HV_EXIT_OK;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		cli_error("'%s' is not a command (see hvdoctor --help)",
			  argv[1]);
		return HV_EXIT_INCOMPLETE;
	}
	return run_command(cmd, argc - 2, argv + 2);
}
