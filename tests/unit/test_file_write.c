/* The one way hvdoctor writes a file (lib/base/file_write.c): the text
 * goes to a fresh temporary file (mkstemp: O_CREAT|O_EXCL, so a planted
 * name is never opened) in the target's directory, is synced, and only
 * then gets its name. A symlink planted at the target or at any
 * temporary name a writer once used is never followed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/file.h"
#include "base/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct dir {
	char path[64];
	struct hv_strbuf target, victim;
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	snprintf(d->path, sizeof(d->path), "/tmp/hvdoctor-test-write.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	hv_strbuf_addf(&d->target, "%s/hvdoctor.prom", d->path);
	hv_strbuf_addf(&d->victim, "%s/victim", d->path);
	*state = d;
	return 0;
}

/* Removes every file of the directory, then the directory. */
static int teardown(void **state)
{
	struct dir *d = *state;
	DIR *dh = opendir(d->path);
	struct dirent *de;

	while (dh && (de = readdir(dh)) != NULL) {
		struct hv_strbuf p = HV_STRBUF_INIT;

		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		hv_strbuf_addf(&p, "%s/%s", d->path, de->d_name);
		unlink(hv_strbuf_str(&p));
		hv_strbuf_release(&p);
	}
	if (dh)
		closedir(dh);
	rmdir(d->path);
	hv_strbuf_release(&d->target);
	hv_strbuf_release(&d->victim);
	free(d);
	return 0;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void assert_content(const char *path, const char *text)
{
	char buf[256] = {0};
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) == strlen(text));
	fclose(f);
	assert_string_equal(buf, text);
}

static size_t entries(const char *path)
{
	DIR *dh = opendir(path);
	struct dirent *de;
	size_t n = 0;

	while ((de = readdir(dh)) != NULL)
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(dh);
	return n;
}

/* A symlink at the target is replaced, not followed; a symlink at the
 * name the old writer used (FILE.<pid>.tmp) is left alone. */
static void test_replace_never_follows(void **state)
{
	struct dir *d = *state;
	const char *target = hv_strbuf_str(&d->target);
	struct hv_strbuf old_tmp = HV_STRBUF_INIT;
	struct stat st;

	hv_strbuf_addf(&old_tmp, "%s.%ld.tmp", target, (long)getpid());
	put(hv_strbuf_str(&d->victim), "precious\n");
	assert_int_equal(symlink(hv_strbuf_str(&d->victim), target), 0);
	assert_int_equal(
		symlink(hv_strbuf_str(&d->victim), hv_strbuf_str(&old_tmp)), 0);
	assert_int_equal(hv_file_replace(target, "metric 1\n", 9, 0644), 0);
	assert_content(hv_strbuf_str(&d->victim), "precious\n");
	assert_int_equal(lstat(target, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_content(target, "metric 1\n");
	assert_int_equal(lstat(hv_strbuf_str(&old_tmp), &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	/* target, victim and the planted link: no temporary file left */
	assert_int_equal(entries(d->path), 3);
	/* and again over the regular file */
	assert_int_equal(hv_file_replace(target, "metric 2\n", 9, 0644), 0);
	assert_content(target, "metric 2\n");
	hv_strbuf_release(&old_tmp);
}

/* A directory that cannot take the file: an error with errno, nothing
 * left behind. */
static void test_replace_fails_cleanly(void **state)
{
	struct dir *d = *state;
	struct hv_strbuf p = HV_STRBUF_INIT;

	hv_strbuf_addf(&p, "%s/missing/x.prom", d->path);
	errno = 0;
	assert_int_equal(hv_file_replace(hv_strbuf_str(&p), "x", 1, 0644), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(entries(d->path), 0);
	hv_strbuf_release(&p);
}

/* A new file: never over anything that exists, a dangling symlink
 * included (its target is not created). */
static void test_create_refuses_existing(void **state)
{
	struct dir *d = *state;
	const char *target = hv_strbuf_str(&d->target);
	struct stat st;

	assert_int_equal(symlink(hv_strbuf_str(&d->victim), target), 0);
	errno = 0;
	assert_int_equal(hv_file_create(target, "plan\n", 5), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(lstat(hv_strbuf_str(&d->victim), &st), -1);
	unlink(target);
	assert_int_equal(hv_file_create(target, "plan\n", 5), 0);
	assert_content(target, "plan\n");
	assert_int_equal(lstat(target, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(entries(d->path), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replace_never_follows,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_fails_cleanly,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses_existing,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
