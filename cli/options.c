#include "cli.h"

#include "base/alloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_option common_options[] = {
	{"kb", "DIR",
	 "read the knowledge base from DIR/*.kb on top\n"
	 "of the built-in one",
	 CLI_OPT_KB},
	{"color", "WHEN",
	 "colour the output: auto (on a terminal),\n"
	 "always, never",
	 CLI_OPT_COLOR},
	{"help", NULL, "show this help", CLI_OPT_HELP},
	{NULL, NULL, NULL, 0},
};

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("hvdoctor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct cli_option *find_in(const struct cli_option *table,
					const char *name, size_t len)
{
	for (; table && table->name; table++)
		if (strlen(table->name) == len &&
		    strncmp(table->name, name, len) == 0)
			return table;
	return NULL;
}

static void add_opt(struct cli_args *out, int id, const char *value)
{
	HV_GROW(out->opts, out->n_opts, out->cap_opts);
	out->opts[out->n_opts].id = id;
	out->opts[out->n_opts].value = value;
	out->n_opts++;
}

static void add_positional(struct cli_args *out, const char *arg)
{
	HV_GROW(out->positional, out->n_positional, out->cap_positional);
	out->positional[out->n_positional++] = arg;
}

/* Handles "--name", "--name=value" and "--name value" at argv[*i]. */
static int take_option(const struct cli_command *cmd, int argc, char **argv,
		       int *i, struct cli_args *out)
{
	const char *name = argv[*i] + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct cli_option *opt = find_in(cmd->options, name, len);

	for (size_t g = 0; !opt && cmd->groups && cmd->groups[g]; g++)
		opt = find_in(cmd->groups[g]->options, name, len);
	if (!opt)
		opt = find_in(common_options, name, len);
	if (!opt) {
		cli_error("%s: unknown option '--%.*s' (see hvdoctor %s "
			  "--help)",
			  cmd->name, (int)len, name, cmd->name);
		return HV_EXIT_INCOMPLETE;
	}
	if (!opt->arg) {
		if (eq) {
			cli_error("%s: --%s takes no value", cmd->name,
				  opt->name);
			return HV_EXIT_INCOMPLETE;
		}
		add_opt(out, opt->id, NULL);
		return 0;
	}
	if (eq) {
		add_opt(out, opt->id, eq + 1);
		return 0;
	}
	if (*i + 1 >= argc) {
		cli_error("%s: --%s needs a value (%s)", cmd->name, opt->name,
			  opt->arg);
		return HV_EXIT_INCOMPLETE;
	}
	add_opt(out, opt->id, argv[++*i]);
	return 0;
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv,
	      struct cli_args *out)
{
	bool options_done = false;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (!options_done && strncmp(arg, "--", 2) == 0) {
			if (take_option(cmd, argc, argv, &i, out) != 0)
				return HV_EXIT_INCOMPLETE;
		} else if (!options_done && strcmp(arg, "-h") == 0) {
			add_opt(out, CLI_OPT_HELP, NULL);
		} else {
			add_positional(out, arg);
		}
	}
	return 0;
}

void cli_args_release(struct cli_args *args)
{
	free(args->opts);
	free(args->positional);
	memset(args, 0, sizeof(*args));
}

static void print_table(FILE *out, const struct cli_option *table)
{
	for (; table->name; table++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", table->name,
			 table->arg ? " " : "", table->arg ? table->arg : "");
		const char *help = table->help;
		size_t len = strcspn(help, "\n");

		fprintf(out, "  %-26s %.*s\n", left, (int)len, help);
		/* continuation lines of a long help text stay aligned */
		while (help[len] == '\n') {
			help += len + 1;
			len = strcspn(help, "\n");
			fprintf(out, "  %-26s %.*s\n", "", (int)len, help);
		}
	}
}

void cli_print_help(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "usage: hvdoctor %s %s\n\n%s\n", cmd->name, cmd->usage,
		cmd->description);
	if (cmd->options && cmd->options->name) {
		fputs("\noptions:\n", out);
		print_table(out, cmd->options);
	}
	for (size_t g = 0; cmd->groups && cmd->groups[g]; g++) {
		fprintf(out, "\n%s:\n", cmd->groups[g]->title);
		print_table(out, cmd->groups[g]->options);
	}
	fputs("\ncommon options:\n", out);
	print_table(out, common_options);
	if (cmd->exit_status)
		fprintf(out, "\n%s\n", cmd->exit_status);
	else
		fputs("\nexit status: 0 nothing wrong, 1 warnings, 2 errors "
		      "found, 3 could not complete\n",
		      out);
}

size_t cli_count(const struct cli_args *args, int id)
{
	size_t n = 0;

	for (size_t i = 0; i < args->n_opts; i++)
		n += args->opts[i].id == id;
	return n;
}

const char *cli_value(const struct cli_args *args, int id)
{
	const char *v = NULL;

	for (size_t i = 0; i < args->n_opts; i++)
		if (args->opts[i].id == id)
			v = args->opts[i].value;
	return v;
}

/* A reader that stopped reading (`| head`) is not a failure of the
 * command: the result keeps the status it deserves, and nothing more is
 * written. A full disk or a closed terminal is. */
int cli_write_stdout(const char *buf, size_t len)
{
	static bool reader_gone;

	if (reader_gone)
		return 0;
	errno = 0;
	if ((len && fwrite(buf, 1, len, stdout) != len) || fflush(stdout) ||
	    ferror(stdout)) {
		if (errno == EPIPE) {
			reader_gone = true;
			clearerr(stdout);
			return 0;
		}
		cli_error("cannot write the output");
		return HV_EXIT_INCOMPLETE;
	}
	return 0;
}
