/* Writing files so that nobody else chooses where the bytes go: a
 * fresh temporary file from mkstemp(3) (O_CREAT|O_EXCL, mode 0600) in
 * the target's own directory, written whole, fsync(2)ed, then named
 * with link(2) (a new file) or rename(2) (a replacement). Neither call
 * follows a symlink at the target: link fails with EEXIST, rename
 * replaces the link itself (POSIX rename(2)). The directory is synced
 * so the new name survives a crash (fsync(2)). */
#include "base/file.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? hv_strndup(path, (size_t)(slash - path)) : NULL;
	int fd = open(dir ? (dir[0] ? dir : "/") : ".",
		      O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || fsync(fd) < 0)
		rc = -1;
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

static int write_all(int fd, const char *text, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Writes, syncs and closes fd; keeps errno of the first failure. */
static int fill(int fd, const char *text, size_t len)
{
	int rc = 0, saved = 0;

	if (write_all(fd, text, len) < 0 || fsync(fd) < 0) {
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

/* A hidden name in the target's directory: link(2) and rename(2) work
 * only within one file system. The caller frees it. */
static char *temp_template(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	struct hv_strbuf name = HV_STRBUF_INIT;

	hv_strbuf_add(&name, path, dir_len);
	hv_strbuf_addf(&name, ".%s.XXXXXX", path + dir_len);
	return hv_strbuf_detach(&name);
}

/* Creates the temporary file with the text in it (mode applied with
 * fchmod when not 0600); *out_tmp is its name, or NULL on failure. */
static int write_temp(const char *path, const char *text, size_t len,
		      unsigned mode, char **out_tmp)
{
	char *tmp = temp_template(path);
	int fd = mkstemp(tmp), saved;

	*out_tmp = NULL;
	if (fd < 0) {
		saved = errno;
		free(tmp);
		errno = saved;
		return -1;
	}
	if (mode != 0600 && fchmod(fd, (mode_t)mode) < 0) {
		saved = errno;
		close(fd);
		fd = -1;
		errno = saved;
	}
	if (fd < 0 || fill(fd, text, len) < 0) { /* fill closes fd */
		saved = errno;
		unlink(tmp);
		free(tmp);
		errno = saved;
		return -1;
	}
	*out_tmp = tmp;
	return 0;
}

/* Gives the temporary file its name with `name_it`, then removes the
 * temporary name (a link leaves it; a rename consumed it). */
static int publish(const char *path, char *tmp,
		   int (*name_it)(const char *, const char *))
{
	int rc = name_it(tmp, path), saved = errno;

	unlink(tmp);
	free(tmp);
	if (rc == 0 && sync_parent(path) < 0)
		return -1;
	errno = saved;
	return rc;
}

int hv_file_create(const char *path, const char *text, size_t len)
{
	struct stat st;
	char *tmp;

	if (lstat(path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	if (write_temp(path, text, len, 0600, &tmp) < 0)
		return -1;
	return publish(path, tmp, link);
}

int hv_file_replace(const char *path, const char *text, size_t len,
		    unsigned mode)
{
	char *tmp;

	if (write_temp(path, text, len, mode, &tmp) < 0)
		return -1;
	return publish(path, tmp, rename);
}
