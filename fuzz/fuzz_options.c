/* libFuzzer target for option parsing (cli/options.c, compiled in here):
 * the input, split at NUL bytes, is argv after the command name. Beyond
 * "no crash, no sanitizer report" it aborts if a parsed option has a
 * value when its table says it takes none or none when it takes one, a
 * value or a positional argument is not one of argv's strings, or more
 * arguments come out than went in. Every argv string also goes through
 * the bounded number and duration parsers, which must stay in their
 * bounds and agree with a slow reference.
 * Run: tests/fuzz-run build-fuzz/fuzz_options (stderr is noisy: every
 * refused argv says why; -close_fd_mask=2 silences it) */
#include "../cli/options.c"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { F_YES = 1, F_BACKUP, F_LDIF = 2000, F_HOSTS, F_PRUNE = 3000 };

static const struct cli_option own[] = {
	{"yes", NULL, "write", F_YES},
	{"backup", "FILE", "where", F_BACKUP},
	{NULL, NULL, NULL, 0},
};
static const struct cli_option shared[] = {
	{"ldif", "FILE", "an export", F_LDIF},
	{"hosts", "H1,H2", "hosts", F_HOSTS},
	{NULL, NULL, NULL, 0},
};
static const struct cli_option plan[] = {
	{"prune", NULL, "remove", F_PRUNE},
	{NULL, NULL, NULL, 0},
};
static const struct cli_command cmd = {
	.name = "fuzz",
	.usage = "ARGS",
	.summary = "fuzz",
	.description = "fuzz",
	.options = own,
	.groups =
		(const struct cli_option_group *const[]){
			&(const struct cli_option_group){"shared", shared},
			&(const struct cli_option_group){"plan", plan}, NULL},
};

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_options: %s\n", what);
		abort();
	}
}

static const struct cli_option *by_id(int id)
{
	const struct cli_option *tables[] = {own, shared, plan, common_options};

	for (size_t t = 0; t < 4; t++)
		for (const struct cli_option *o = tables[t]; o->name; o++)
			if (o->id == id)
				return o;
	return NULL;
}

static bool from_argv(const char *p, char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (p >= argv[i] && p <= argv[i] + strlen(argv[i]))
			return true;
	return false;
}

/* The value of digits s, or -1 past max: the slow way, for reference. */
static long long reference(const char *s, unsigned long long max)
{
	unsigned long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > max / 10 || v * 10 > max - (unsigned)(*s - '0'))
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	return (long long)v;
}

static void numbers(const char *s)
{
	unsigned long long v;
	unsigned ms;
	long long want = reference(s, 1000000);

	if (cli_number(s, strlen(s), 0, 1000000, &v) == 0)
		check(want >= 0 && v == (unsigned long long)want,
		      "cli_number disagrees with the reference");
	else
		check(want < 0, "cli_number refused a number in range");
	if (cli_duration_ms(s, 5, 600000, &ms) == 0)
		check(ms >= 5 && ms <= 600000, "a duration out of its bounds");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char **argv = calloc(size + 2, sizeof(char *));
	struct cli_args args;
	int argc = 0;

	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = 0; i < size; i += strlen(buf + i) + 1)
		argv[argc++] = buf + i;
	for (int i = 0; i < argc; i++)
		numbers(argv[i]);
	if (cli_parse(&cmd, argc, argv, &args) == 0) {
		check(args.n_opts + args.n_positional <= (size_t)argc,
		      "more arguments than argv");
		for (size_t i = 0; i < args.n_opts; i++) {
			const struct cli_option *o = by_id(args.opts[i].id);

			check(o != NULL, "an option of no table");
			check(!o->arg == !args.opts[i].value,
			      "a value where none belongs, or none");
			check(!args.opts[i].value ||
				      from_argv(args.opts[i].value, argv, argc),
			      "a value from nowhere");
		}
		for (size_t i = 0; i < args.n_positional; i++)
			check(from_argv(args.positional[i], argv, argc),
			      "a positional argument from nowhere");
		(void)cli_value(&args, F_BACKUP);
	}
	cli_args_release(&args);
	free(argv);
	free(buf);
	return 0;
}
