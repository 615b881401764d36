/* hvdoctor: finds out why a Hyper-V live migration fails, proves it, and
 * writes the fix. This file only dispatches to cli/cmd_NAME.c. */
#include "cli.h"
#include "commands.h"
#include "render/wrap.h"
#include "sources.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef HVDOCTOR_VERSION
#define HVDOCTOR_VERSION "0.1.0"
#endif

static const struct cli_command *const commands[] = {
	&cmd_explain, &cmd_audit, &cmd_plan,   &cmd_apply,
	&cmd_probe,   &cmd_prove, &cmd_events,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The same table by name, for output that advises a command. */
static const char *command_names[N_COMMANDS + 1];

static void name_commands(void)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		command_names[i] = commands[i]->name;
	command_names[N_COMMANDS] = NULL;
}

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

/* COLUMNS wins (a person's explicit choice, as in ls), then the
 * terminal's own width; files and pipes get 80. Bounded, so a hostile
 * environment cannot make lines of 2^31 columns. */
static int output_width(void)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;

	if (env && *env)
		return hv_wrap_width(env);
	if (isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40 &&
	    ws.ws_col <= 1000)
		return ws.ws_col;
	return 80;
}

static int set_globals(const struct cli_args *args, struct cli_globals *g)
{
	const char *when = cli_value(args, CLI_OPT_COLOR);

	g->kb_dir = cli_value(args, CLI_OPT_KB);
	g->width = output_width();
	name_commands();
	g->commands = command_names;
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

/* What the command's needs ask for, owned here so every command sets up
 * and tears down the same way. */
struct setup {
	struct hv_kb kb;
	struct cli_sources src;
	struct hv_estate est;
	bool have_kb, have_src, have_est;
};

static int set_up(const struct cli_command *cmd, const struct cli_args *args,
		  struct cli_globals *g, struct setup *s)
{
	int rc;

	if (cmd->needs & CLI_NEEDS_KB) {
		if ((rc = cli_load_kb(g, &s->kb)) != 0)
			return rc;
		s->have_kb = true;
		g->kb = &s->kb;
	}
	if (!(cmd->needs & CLI_NEEDS_ESTATE))
		return 0;
	rc = cli_sources_load(args, cmd->name, &s->src);
	s->have_src = true;
	g->src = &s->src;
	/* a damaged LDIF is still audited for what it holds (the exit
	 * status then says incomplete); a plan from it could undo what it
	 * cannot see */
	if (rc &&
	    (!(cmd->needs & CLI_NEEDS_DAMAGED_OK) || !s->src.dir.n_entries))
		return rc;
	g->load_rc = rc;
	s->have_est = true;
	rc = cli_estate_build(&s->est, &s->src, cmd->name,
			      cmd->needs & CLI_NEEDS_COMPLETE);
	g->est = &s->est;
	return rc;
}

static void tear_down(struct setup *s)
{
	if (s->have_est)
		hv_estate_release(&s->est);
	if (s->have_src)
		cli_sources_release(&s->src);
	if (s->have_kb)
		hv_kb_release(&s->kb);
}

/* For tests/cli/options-read: with HVDOCTOR_CHECK_OPTIONS=FILE, the
 * options this command's --help lists but the run never asked for are
 * appended to FILE, "COMMAND --OPTION" a line. A test hook only: it
 * changes nothing else. */
static void note_unread(const struct cli_command *cmd,
			const struct cli_args *args)
{
	const char *path = getenv("HVDOCTOR_CHECK_OPTIONS");
	FILE *f;

	if (!path || !*path || !(f = fopen(path, "a")))
		return;
	cli_print_unread(f, cmd, args);
	fclose(f);
}

static int run_command(const struct cli_command *cmd, int argc, char **argv)
{
	struct cli_args args;
	struct cli_globals globals = {0};
	struct setup setup = {0};
	int rc = cli_parse(cmd, argc, argv, &args);

	if (rc == 0 && cli_count(&args, CLI_OPT_HELP)) {
		cli_print_help(stdout, cmd);
		rc = fflush(stdout) ? HV_EXIT_INCOMPLETE : HV_EXIT_OK;
	} else if (rc == 0 && (rc = set_globals(&args, &globals)) == 0 &&
		   (rc = set_up(cmd, &args, &globals, &setup)) == 0) {
		rc = cmd->run(&args, &globals);
	}
	tear_down(&setup);
	if (cli_count(&args, CLI_OPT_HELP) == 0)
		note_unread(cmd, &args);
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
