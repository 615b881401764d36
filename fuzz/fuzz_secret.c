/* libFuzzer target for the password reader (cli/secret.c, compiled in
 * here): the input is the password file. Beyond "no crash, no sanitizer
 * report" it aborts if a password is returned that is not exactly the
 * file's first line (without "\n" or "\r\n"), or is empty, longer than
 * 1024 bytes, or has a NUL byte (that would cut it). The file is written
 * once per input to a temporary path.
 * Run: tests/fuzz-run build-fuzz/fuzz_secret */
#include "../cli/secret.c"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cli/options.c is not compiled in */
void cli_error(const char *fmt, ...)
{
	(void)fmt;
}

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_secret: %s\n", what);
		abort();
	}
}

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *pw = NULL;
	struct hv_error err;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t line = nl ? (size_t)(nl - data) : size;
	int fd;

	if (!path[0]) {
		snprintf(path, sizeof(path),
			 "/tmp/hvdoctor-fuzz-secret.XXXXXX");
		fd = mkstemp(path);
	} else {
		fd = open(path, O_WRONLY | O_TRUNC);
	}
	check(fd >= 0, "cannot write the input");
	check(write(fd, data, size) == (ssize_t)size, "short write");
	close(fd);
	if (line && data[line - 1] == '\r')
		line--;
	if (hv_secret_read(path, &pw, &err) == 0) {
		check(pw && strlen(pw) == line, "the password was cut");
		check(line > 0 && line <= SECRET_MAX, "empty or too long");
		check(memcmp(pw, data, line) == 0, "not the first line");
		hv_free_secret(pw);
	} else {
		check(pw == NULL, "a password with an error");
		check(memchr(data, '\0', line) || line == 0 ||
			      line > SECRET_MAX,
		      "a good first line refused");
	}
	return 0;
}
