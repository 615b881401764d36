#include "commands.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/term.h"

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

/* A new file's directory entry is durable only once its directory is
 * synced too (fsync(2)): a crash must not lose a backup whose changes
 * reached AD. */
static int sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? hv_strndup(path, (size_t)(slash - path)) : NULL;
	int fd = open(dir ? (dir[0] ? dir : "/") : ".", O_RDONLY);
	int rc = 0;

	if (fd < 0 || fsync(fd) < 0)
		rc = -1;
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

static int write_all(int fd, const struct hv_strbuf *text)
{
	size_t done = 0;

	while (done < text->len) {
		ssize_t n = write(fd, text->buf + done, text->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Writes text to the new file fd and syncs it; keeps errno of the first
 * failure. */
static int fill(int fd, const struct hv_strbuf *text)
{
	int rc = 0, saved = 0;

	if (write_all(fd, text) < 0 || fsync(fd) < 0) {
		rc = -1;
		saved = errno;
	}
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	errno = saved;
	return rc;
}

/* Where the text is written before it gets its name: a hidden file in
 * the same directory (link(2) works only within one file system). */
static char *temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	struct hv_strbuf name = HV_STRBUF_INIT;

	hv_strbuf_add(&name, path, dir_len);
	hv_strbuf_addf(&name, ".%s.XXXXXX", path + dir_len);
	return hv_strbuf_detach(&name);
}

/* The text goes to a temporary file first and is linked to path only
 * once it is whole and on disk: a full disk or a crash leaves no
 * truncated script or backup under the real name, and link(2) fails
 * with EEXIST instead of replacing a file that appeared meanwhile. */
/* Writes text to a temporary file beside path and gives it the name:
 * link(2) for a new file (EEXIST rather than replacing one that appeared
 * meanwhile), rename(2) to replace a file of this run. */
static int write_via_temp(const char *path, const struct hv_strbuf *text,
			  bool replace)
{
	char *tmp = temp_name(path);
	int fd = mkstemp(tmp), rc = -1, saved; /* mode 0600 */

	if (fd >= 0 && fill(fd, text) == 0)
		rc = replace ? rename(tmp, path) : link(tmp, path);
	saved = errno;
	if (fd >= 0 && (rc < 0 || !replace))
		unlink(tmp);
	free(tmp);
	if (rc == 0 && sync_parent(path) < 0)
		return -1;
	errno = saved;
	return rc;
}

int cli_write_new_file(const char *path, const struct hv_strbuf *text)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return write_via_temp(path, text, false);
}

int cli_replace_own_file(const char *path, const struct hv_strbuf *text)
{
	return write_via_temp(path, text, true);
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

void cli_warning(const char *command, const char *text)
{
	char *safe = hv_term_dup(text);

	fprintf(stderr, "hvdoctor: %s: warning: %s\n", command, safe);
	free(safe);
}

int cli_duration_ms(const char *text, unsigned bare_unit_ms, unsigned *out_ms,
		    bool *out_bare)
{
	const char *p = text;
	unsigned long long v = 0;
	unsigned unit = bare_unit_ms;

	if (!text || *p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 0xFFFFFFFFull)
			return -1;
	}
	*out_bare = !*p;
	if (strcmp(p, "ms") == 0)
		unit = 1;
	else if (strcmp(p, "s") == 0)
		unit = 1000;
	else if (*p)
		return -1;
	v *= unit;
	if (v > 0xFFFFFFFFull)
		return -1;
	*out_ms = (unsigned)v;
	return 0;
}
