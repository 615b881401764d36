#include "commands.h"

#include "base/alloc.h"
#include "base/file.h"
#include "base/strbuf.h"
#include "base/term.h"
#include "remedy/plan.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>

int cli_load_kb(const struct cli_globals *globals, struct hv_kb *kb)
{
	struct hv_error err;
	char msg[2048];
	char *safe;

	if (hv_kb_load(kb, globals->kb_dir, &err) == 0)
		return 0;
	hv_error_format(&err, msg, sizeof(msg));
	safe = hv_term_dup(msg);
	cli_error("knowledge base: %s", safe);
	free(safe);
	hv_kb_release(kb);
	return HV_EXIT_INCOMPLETE;
}

/* Pasted error text is small; the cap keeps a mistaken `< /dev/zero`
 * from eating memory. */
#define STDIN_LIMIT (16u << 20)

char *cli_read_stdin(void)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		hv_strbuf_add(&sb, chunk, n);
		if (sb.len > STDIN_LIMIT) {
			cli_error("standard input is larger than %u MiB",
				  STDIN_LIMIT >> 20);
			hv_strbuf_release(&sb);
			return NULL;
		}
	}
	if (ferror(stdin)) {
		cli_error("cannot read standard input");
		hv_strbuf_release(&sb);
		return NULL;
	}
	return hv_strbuf_detach(&sb);
}

/* The one safe writer (base/file.h): mkstemp in the target's directory,
 * fsync, then link(2), which never replaces or follows what is there. */
int cli_write_new_file(const char *path, const struct hv_strbuf *text)
{
	return hv_file_create(path, text->buf ? text->buf : "", text->len);
}

/* A file of this run (a backup rewritten to what was applied) is replaced
 * with rename(2), never written in place; 0600 as it was created. */
int cli_replace_own_file(const char *path, const struct hv_strbuf *text)
{
	return hv_file_replace(path, text->buf ? text->buf : "", text->len,
			       0600);
}

char *cli_timestamped_name(const char *prefix, const char *suffix)
{
	struct hv_strbuf name = HV_STRBUF_INIT;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	/* the process id: two runs in the same second differ */
	hv_strbuf_addf(&name, "%s-%s-%ld%s", prefix, stamp, (long)getpid(),
		       suffix);
	return hv_strbuf_detach(&name);
}

/* A warning may end with "\n\t" and a command to run (lib/remedy's
 * plan warnings): each part is escaped on its own, and the command goes on
 * a line of its own, which cli_error never wraps. */
void cli_warning(const char *command, const char *text)
{
	const char *cmd = hv_plan_warning_command(text);
	char *head =
		hv_strndup(text, cmd ? (size_t)(cmd - text) : strlen(text));
	char *safe = hv_term_dup(head);

	if (cmd) {
		char *safe_cmd = hv_term_dup(cmd + 2);

		cli_error("%s: warning: %s\n\t%s", command, safe, safe_cmd);
		free(safe_cmd);
	} else {
		cli_error("%s: warning: %s", command, safe);
	}
	free(safe);
	free(head);
}

int cli_unexpected_argument(const char *command, const char *arg)
{
	size_t len = strlen(arg);
	char *safe = hv_term_dup(arg);

	if (len > 5 && strcmp(arg + len - 5, ".ldif") == 0)
		cli_error("%s: unexpected argument '%s': --ldif takes one file "
			  "each, repeat it (--ldif A.ldif --ldif B.ldif)",
			  command, safe);
	else
		cli_error("%s: unexpected argument '%s'", command, safe);
	free(safe);
	return HV_EXIT_INCOMPLETE;
}
