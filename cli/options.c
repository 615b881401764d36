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

static void put_wrapped(FILE *out, const char *text, size_t len, int col,
			int indent, bool whole_brackets);

/* A message fits 80 columns too: it is wrapped at blanks, its own line
 * breaks kept, and continues two columns in. */
void cli_error(const char *fmt, ...)
{
	char stack[1024], *msg = stack;
	va_list ap, again;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(stack, sizeof(stack), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(stack)) {
		msg = hv_calloc((size_t)n + 1, 1);
		vsnprintf(msg, (size_t)n + 1, fmt, again);
	}
	va_end(again);
	fputs("hvdoctor: ", stderr);
	const char *p = n < 0 ? "" : msg;
	bool first = true;

	while (first || *p) {
		size_t len = strcspn(p, "\n");

		if (!first)
			fputs("  ", stderr);
		put_wrapped(stderr, p, len, first ? 10 : 2, 2, false);
		p += len + (p[len] == '\n');
		first = false;
	}
	if (msg != stack)
		free(msg);
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

/* Options that were renamed because they meant two things (issue 17),
 * or that a command does not take although a person would expect it:
 * refused with a hint naming what to write instead. The old spellings
 * stay here for one release. commands: space-separated names, NULL for
 * every command. The first row that matches wins. */
static const struct {
	const char *commands, *name, *hint;
} refused_options[] = {
	{"probe", "timeout",
	 "is now --probe-timeout TIME (each probe) and --ldap-timeout "
	 "TIME (each LDAP step); a bare number is seconds, 500ms also"},
	{"audit plan apply prove", "timeout",
	 "is now --ldap-timeout TIME (each LDAP step; a bare number "
	 "is seconds, 1500ms also)"},
	{"plan", "rollback",
	 "is now --rollback-output FILE (where plan writes the "
	 "rollback LDIF; apply --rollback FILE restores one)"},
	{"apply", "ldif",
	 "is not taken: apply writes to AD, so it reads AD over "
	 "--ldap URI (audit and plan read an --ldif FILE)"},
};

static bool names_command(const char *list, const char *command)
{
	size_t len = strlen(command);

	if (!list)
		return true;
	while (*list) {
		size_t n = strcspn(list, " ");

		if (n == len && strncmp(list, command, n) == 0)
			return true;
		list += n;
		list += *list == ' ';
	}
	return false;
}

/* Prints the hint for a refused option; false when name is none. */
static bool refuse_with_hint(const char *command, const char *name, size_t len)
{
	for (size_t i = 0;
	     i < sizeof(refused_options) / sizeof(refused_options[0]); i++) {
		if (strlen(refused_options[i].name) != len ||
		    strncmp(refused_options[i].name, name, len) != 0 ||
		    !names_command(refused_options[i].commands, command))
			continue;
		cli_error("%s: --%.*s %s", command, (int)len, name,
			  refused_options[i].hint);
		return true;
	}
	return false;
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
		if (!refuse_with_hint(cmd->name, name, len))
			cli_error("%s: unknown option '--%.*s' (see hvdoctor "
				  "%s --help)",
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
	out->asked = hv_calloc(1, sizeof(*out->asked));
	out->cmd = cmd;
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
	if (args->asked)
		free(args->asked->ids);
	free(args->asked);
	memset(args, 0, sizeof(*args));
}

/* Help text is for a person: every line fits 80 columns. */
#define HELP_WIDTH 80
#define HELP_LEFT 26 /* "--name ARG" column */

/* Writes len bytes of text from column col, breaking at blanks so no
 * line passes HELP_WIDTH; continuation lines start at indent. A word
 * wider than a line gets a line of its own. */
static int bracket_step(char c, bool counted)
{
	if (!counted)
		return 0;
	return (c == '[' || c == '(') - (c == ']' || c == ')');
}

static void put_wrapped(FILE *out, const char *text, size_t len, int col,
			int indent, bool whole_brackets)
{
	size_t i = 0;
	bool first = true;

	while (i < len) {
		size_t w = 0;

		int depth = 0;

		while (i < len && (text[i] == ' ' || text[i] == '\n'))
			i++;
		/* "[--hosts ...]" stays whole: a break goes between the
		 * parts of a usage line, never inside one */
		for (; i + w < len && (depth > 0 || (text[i + w] != ' ' &&
						     text[i + w] != '\n'));
		     w++)
			depth += bracket_step(text[i + w], whole_brackets);
		if (!w)
			break;
		if (!first && col + 1 + (int)w > HELP_WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', out);
			col++;
		}
		fwrite(text + i, 1, w, out);
		col += (int)w;
		first = false;
		i += w;
	}
	fputc('\n', out);
}

static void print_table(FILE *out, const struct cli_option *table)
{
	for (; table->name; table++) {
		char left[64];
		const char *help = table->help;
		int indent = 2 + HELP_LEFT + 1;

		snprintf(left, sizeof(left), "--%s%s%s", table->name,
			 table->arg ? " " : "", table->arg ? table->arg : "");
		if (strlen(left) > HELP_LEFT)
			fprintf(out, "  %s\n%*s", left, indent, "");
		else
			fprintf(out, "  %-*s ", HELP_LEFT, left);
		/* reflowed: a line break in the help text is a blank */
		put_wrapped(out, help, strlen(help), indent, indent, false);
	}
}

/* The usage lines, each wrapped before an option or a bracket so none
 * passes 80 columns; continuation lines line up under the first. */
static void print_usage_lines(FILE *out, const struct cli_command *cmd)
{
	const char *u = cmd->usage;
	int indent = 7; /* strlen("usage: ") */

	fprintf(out, "usage: hvdoctor %s ", cmd->name);
	for (bool first = true; first || *u; first = false) {
		size_t len = strcspn(u, "\n");

		if (!first)
			fprintf(out, "%*s", indent, "");
		put_wrapped(out, u, len,
			    first ? indent + 10 + (int)strlen(cmd->name)
				  : indent,
			    indent + 2, true);
		u += len + (u[len] == '\n');
	}
}

void cli_print_help(FILE *out, const struct cli_command *cmd)
{
	const char *title = NULL;

	print_usage_lines(out, cmd);
	fprintf(out, "\n%s\n", cmd->description);
	if (cmd->options && cmd->options->name) {
		fputs("\noptions:\n", out);
		print_table(out, cmd->options);
	}
	/* groups of one title (the directory read from a file or over
	 * LDAP) show under one heading */
	for (size_t g = 0; cmd->groups && cmd->groups[g]; g++) {
		if (!title || strcmp(title, cmd->groups[g]->title) != 0)
			fprintf(out, "\n%s:\n", cmd->groups[g]->title);
		title = cmd->groups[g]->title;
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

static void note_asked(const struct cli_args *args, int id)
{
	struct cli_asked *a = args->asked;

	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		if (a->ids[i] == id)
			return;
	HV_GROW(a->ids, a->n, a->cap);
	a->ids[a->n++] = id;
}

static bool was_asked(const struct cli_args *args, int id)
{
	for (size_t i = 0; args->asked && i < args->asked->n; i++)
		if (args->asked->ids[i] == id)
			return true;
	return false;
}

static size_t print_unread_in(FILE *out, const char *command,
			      const struct cli_option *table,
			      const struct cli_args *args)
{
	size_t n = 0;

	for (; table && table->name; table++) {
		if (was_asked(args, table->id))
			continue;
		fprintf(out, "%s --%s\n", command, table->name);
		n++;
	}
	return n;
}

size_t cli_print_unread(FILE *out, const struct cli_command *cmd,
			const struct cli_args *args)
{
	size_t n = print_unread_in(out, cmd->name, cmd->options, args);

	for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
		n += print_unread_in(out, cmd->name, cmd->groups[g]->options,
				     args);
	return n;
}

static bool table_has(const struct cli_option *table, int id)
{
	for (; table && table->name; table++)
		if (table->id == id)
			return true;
	return false;
}

bool cli_takes(const struct cli_args *args, int id)
{
	const struct cli_command *cmd = args->cmd;

	if (!cmd || table_has(cmd->options, id))
		return cmd != NULL;
	for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
		if (table_has(cmd->groups[g]->options, id))
			return true;
	return false;
}

const char *cli_next(const struct cli_args *args, int id, size_t *pos)
{
	note_asked(args, id);
	while (*pos < args->n_opts)
		if (args->opts[(*pos)++].id == id)
			return args->opts[*pos - 1].value;
	return NULL;
}

size_t cli_count(const struct cli_args *args, int id)
{
	size_t n = 0;

	note_asked(args, id);
	for (size_t i = 0; i < args->n_opts; i++)
		n += args->opts[i].id == id;
	return n;
}

const char *cli_value(const struct cli_args *args, int id)
{
	const char *v = NULL;

	note_asked(args, id);
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

int cli_number(const char *text, size_t len, unsigned long long min,
	       unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;

	if (!text || !len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned char)text[i] - '0';

		/* v * 10 + d > max, without computing it */
		if (d > 9 || d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v < min)
		return -1;
	*out = v;
	return 0;
}

int cli_duration_ms(const char *text, unsigned min_ms, unsigned max_ms,
		    unsigned *out_ms)
{
	static const struct {
		const char *suffix;
		unsigned ms;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"", 1000}};
	size_t digits;
	unsigned long long v;

	if (!text)
		return -1;
	digits = strspn(text, "0123456789");
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		if (strcmp(text + digits, units[u].suffix) != 0)
			continue;
		if (cli_number(text, digits, 0, max_ms / units[u].ms, &v) < 0 ||
		    v * units[u].ms < min_ms)
			return -1;
		*out_ms = (unsigned)(v * units[u].ms);
		return 0;
	}
	return -1;
}
