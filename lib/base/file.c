#include "base/file.h"

#include "base/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int io_error(struct hv_error *err, const char *path, const char *what,
		    int code)
{
	hv_error_set(err, HV_ERR_IO, path, "cannot read %s", what);
	hv_error_native(err, "libc", code, strerror(code));
	return HV_ERR_IO;
}

/* Room for `extra` more bytes plus the NUL, by doubling. */
static void reserve(struct hv_strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1, alloc = sb->alloc ? sb->alloc : 64;

	if (need <= sb->alloc)
		return;
	while (alloc < need)
		alloc *= 2;
	sb->buf = hv_reallocarray(sb->buf, alloc, 1);
	sb->alloc = alloc;
}

static int read_fd(int fd, size_t max, size_t size_hint, const char *path,
		   const char *what, struct hv_strbuf *out,
		   struct hv_error *err)
{
	size_t start = out->len;

	/* one allocation for a regular file; a pipe grows as it comes */
	reserve(out, size_hint < max ? size_hint + 1 : 65536);
	for (;;) {
		ssize_t n;

		if (out->alloc - out->len - 1 == 0)
			reserve(out, 65536);
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int code = errno;

			out->len = start;
			out->buf[start] = '\0';
			return io_error(err, path, what, code);
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len - start > max) {
			out->len = start;
			out->buf[start] = '\0';
			return hv_error_set(err, HV_ERR_INPUT, path,
					    "%s is larger than %zu bytes", what,
					    max);
		}
	}
	out->buf[out->len] = '\0';
	return 0;
}

int hv_file_read(const char *path, size_t max, const char *what,
		 struct hv_strbuf *out, struct hv_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int rc;

	if (fd < 0)
		return io_error(err, path, what, errno);
	if (fstat(fd, &st) < 0) {
		rc = io_error(err, path, what, errno);
	} else if (S_ISDIR(st.st_mode)) {
		rc = io_error(err, path, what, EISDIR);
	} else if (S_ISREG(st.st_mode) &&
		   (unsigned long long)st.st_size > (unsigned long long)max) {
		rc = hv_error_set(err, HV_ERR_INPUT, path,
				  "%s is larger than %zu bytes", what, max);
	} else {
		rc = read_fd(fd, max,
			     S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, path,
			     what, out, err);
	}
	close(fd);
	return rc;
}
