/* The command-line front end: one table of commands, each with a table of
 * options that both parses argv and prints --help, so the two can never
 * drift apart. */
#ifndef HV_CLI_H
#define HV_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit status, as monitoring plugins use it (DESIGN.md). */
enum hv_exit {
	HV_EXIT_OK = 0,		/* nothing wrong / something recognised */
	HV_EXIT_WARNING = 1,	/* warnings found */
	HV_EXIT_ERROR = 2,	/* errors found */
	HV_EXIT_INCOMPLETE = 3, /* could not complete: bad input, no source */
};

struct cli_option {
	const char *name; /* long name, without the dashes */
	const char *arg;  /* value placeholder; NULL for a flag */
	const char *help; /* one line */
	int id;		  /* what the command switches on */
};

struct cli_value {
	int id;
	const char *value; /* borrowed from argv; NULL for a flag */
};

/* The option ids a command asked for (cli_value, cli_count), so a test
 * can tell an option its help lists but it never reads (main.c,
 * HVDOCTOR_CHECK_OPTIONS). */
struct cli_asked {
	int *ids;
	size_t n, cap;
};

struct cli_args {
	struct cli_value *opts;
	size_t n_opts, cap_opts;
	const char **positional;
	size_t n_positional, cap_positional;
	struct cli_asked *asked;       /* owned; written through const args */
	const struct cli_command *cmd; /* whose tables parsed these */
};

/* Options every command takes. */
enum {
	CLI_OPT_HELP = 1000,
	CLI_OPT_KB,
	CLI_OPT_COLOR,
};

struct hv_kb;
struct hv_estate;
struct cli_sources;

/* What main set up for the command, by its `needs`; torn down by main
 * after the command ran. Pointers are NULL when not needed. */
struct cli_globals {
	const char *kb_dir;	 /* --kb DIR, or NULL for the built-in */
	bool color;		 /* colour on stdout */
	int width;		 /* columns of text output: COLUMNS, the
				    terminal's width, or 80 */
	const struct hv_kb *kb;	 /* CLI_NEEDS_KB */
	struct cli_sources *src; /* CLI_NEEDS_ESTATE: what was read */
	struct hv_estate *est;	 /* CLI_NEEDS_ESTATE: built from src */
	int load_rc; /* non-zero: the source had errors, but its good
			records were kept (CLI_NEEDS_DAMAGED_OK) */
	/* The names in main's command table, NULL-terminated, so output
	 * advises only commands this binary has. Static. */
	const char *const *commands;
};

/* What a command needs main to set up before it runs (adcli's command
 * table marks connections the same way), as bits. */
enum cli_needs {
	CLI_NEEDS_KB = 1,	  /* the knowledge base (built-in and --kb) */
	CLI_NEEDS_ESTATE = 2,	  /* directory sources read, estate built */
	CLI_NEEDS_COMPLETE = 4,	  /* ... from an input that has everything
				     a plan reads (commands that write) */
	CLI_NEEDS_DAMAGED_OK = 8, /* ... and a damaged LDIF is still read
				     for what it holds */
};

/* A titled group of options shared by several commands. */
struct cli_option_group {
	const char *title;		  /* heading in --help */
	const struct cli_option *options; /* ends with a {NULL} entry */
};

struct cli_command {
	const char *name;
	int (*run)(const struct cli_args *args,
		   const struct cli_globals *globals);
	const char *usage;	 /* after "hvdoctor NAME " */
	const char *summary;	 /* one line for `hvdoctor help` */
	const char *description; /* a paragraph for `hvdoctor NAME --help` */
	unsigned needs;		 /* enum cli_needs bits */
	const struct cli_option *options; /* ends with a {NULL} entry */
	/* shared option groups, NULL-terminated; NULL for none */
	const struct cli_option_group *const *groups;
	/* The --help footer on this command's exit statuses, when they
	 * differ from the general scheme; NULL prints the general one. */
	const char *exit_status;
};

/* Parses argv (after the command name) against the command's options and
 * the common ones. On error prints "hvdoctor CMD: …" to stderr and
 * returns HV_EXIT_INCOMPLETE; otherwise 0. */
int cli_parse(const struct cli_command *cmd, int argc, char **argv,
	      struct cli_args *out);
/* Frees the arrays of args (values stay borrowed from argv). */
void cli_args_release(struct cli_args *args);
/* Prints the command's help, options aligned. */
void cli_print_help(FILE *out, const struct cli_command *cmd);
/* Whether the command's tables list the option: shared loaders read
 * only what the command takes. */
bool cli_takes(const struct cli_args *args, int id);
/* The values of a repeatable option in order: *pos starts at 0 and is
 * moved past each value returned; NULL after the last. Borrowed from
 * argv. */
const char *cli_next(const struct cli_args *args, int id, size_t *pos);
/* Counts how often an option was given. */
size_t cli_count(const struct cli_args *args, int id);
/* The last value given for an option, or NULL. */
const char *cli_value(const struct cli_args *args, int id);
/* Prints, one line each, the options of cmd's tables that were never
 * asked for; returns how many (a command that lists an option it
 * ignores has a --help that lies). */
size_t cli_print_unread(FILE *out, const struct cli_command *cmd,
			const struct cli_args *args);
/* A decimal number of len bytes of text: digits only (no sign, blank or
 * "0x"), from min to max, read without overflow whatever its length.
 * 0, or -1 when it is not one or lies outside. */
int cli_number(const char *text, size_t len, unsigned long long min,
	       unsigned long long max, unsigned long long *out);
/* A duration: "500ms", "2s", "5m", or a bare number of seconds (every
 * --*-timeout reads seconds when no unit is written), from min_ms to
 * max_ms. 0, or -1 when the text is not one or lies outside. */
int cli_duration_ms(const char *text, unsigned min_ms, unsigned max_ms,
		    unsigned *out_ms);
/* Prints "hvdoctor: " and a formatted message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes buf to stdout and flushes; returns HV_EXIT_INCOMPLETE when the
 * output could not be written (a full disk must not look like success). */
int cli_write_stdout(const char *buf, size_t len);

#endif
