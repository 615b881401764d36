/* The CLI's new files (cli/common.c, compiled in here): a write that
 * fails leaves nothing at the path (no truncated script), an existing
 * file is never overwritten, and two runs in the same second get
 * different default names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../cli/common.c"

#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* cli/options.c is not compiled in */
void cli_error(const char *fmt, ...)
{
	(void)fmt;
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 &&
		     strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_failed_write_leaves_nothing(void **state)
{
	char dir[] = "/tmp/hvdoctor-test-cli.XXXXXX";
	struct hv_strbuf text = HV_STRBUF_INIT, path = HV_STRBUF_INIT;
	struct rlimit old, small = {64, 64};
	struct stat st;
	int rc, code;

	(void)state;
	assert_non_null(mkdtemp(dir));
	hv_strbuf_addf(&path, "%s/plan.ps1", dir);
	for (int i = 0; i < 100; i++)
		hv_strbuf_adds(&text, "Write-Host 'a line of the plan'\n");
	/* a disk that fills up after 64 bytes */
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = cli_write_new_file(path.buf, &text);
	code = errno;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_int_equal(rc, -1);
	assert_int_equal(code, EFBIG);
	assert_int_not_equal(stat(path.buf, &st), 0);
	assert_int_equal(count_files(dir), 0);
	/* and a good write is there whole, mode 0600 */
	assert_int_equal(cli_write_new_file(path.buf, &text), 0);
	assert_int_equal(stat(path.buf, &st), 0);
	assert_int_equal((size_t)st.st_size, text.len);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(count_files(dir), 1);
	/* never over an existing file */
	assert_int_equal(cli_write_new_file(path.buf, &path), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(stat(path.buf, &st), 0);
	assert_int_equal((size_t)st.st_size, text.len);
	assert_int_equal(count_files(dir), 1);
	remove(path.buf);
	rmdir(dir);
	hv_strbuf_release(&text);
	hv_strbuf_release(&path);
}

static void test_default_names_differ(void **state)
{
	char *mine = cli_timestamped_name("hvdoctor-plan", ".ldif");
	char theirs[256] = "";
	int fds[2];
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *name = cli_timestamped_name("hvdoctor-plan", ".ldif");
		ssize_t w = write(fds[1], name, strlen(name));

		_exit(w > 0 ? 0 : 1);
	}
	close(fds[1]);
	assert_true(read(fds[0], theirs, sizeof(theirs) - 1) > 0);
	close(fds[0]);
	waitpid(pid, NULL, 0);
	/* another run, most likely within the same second */
	assert_string_not_equal(mine, theirs);
	assert_int_equal(strncmp(mine, "hvdoctor-plan-", 14), 0);
	free(mine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_write_leaves_nothing),
		cmocka_unit_test(test_default_names_differ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
