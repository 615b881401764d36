/* Opening an event log: what is not a regular file is refused at once
 * (a FIFO would block the reader for ever), and a file header that
 * counts more chunks than the file holds is a problem with its offset
 * (the copy was cut short, or the header is wrong). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "sources/evtx/evtx.h"

#include "evtx_build.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_fifo_refused(void **state)
{
	char dir[] = "/tmp/hvdoctor-evtx-XXXXXX";
	struct hv_strbuf path = HV_STRBUF_INIT;
	struct hv_evtx_file f;
	struct hv_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	hv_strbuf_addf(&path, "%s/log.evtx", dir);
	assert_int_equal(mkfifo(hv_strbuf_str(&path), 0600), 0);
	alarm(10); /* blocking in open() is the failure: SIGALRM ends it */
	assert_int_equal(hv_evtx_open(&f, hv_strbuf_str(&path), &err),
			 HV_ERR_INPUT);
	alarm(0);
	assert_non_null(strstr(err.message, "not a regular file"));
	unlink(hv_strbuf_str(&path));
	rmdir(dir);
	hv_strbuf_release(&path);
}

static const struct hv_evtx_problem *find(const struct hv_evtx_file *f,
					  uint64_t offset)
{
	for (size_t i = 0; i < f->problems.n; i++)
		if (f->problems.items[i].offset == offset)
			return &f->problems.items[i];
	return NULL;
}

/* The header says 65,535 chunks where one exists; then one that says
 * as many as there are, and one that says fewer (Windows leaves the
 * count stale in a log still open: not a problem). */
static void test_header_claims_more_chunks(void **state)
{
	static const unsigned claims[] = {65535, 1, 0};
	struct fb b;

	(void)state;
	fb_init(&b);
	fb_record_begin(&b);
	fb_record_end(&b);
	fb_finish(&b);
	for (size_t i = 0; i < 3; i++) {
		struct hv_evtx_file f;
		struct hv_error err;
		const struct hv_evtx_problem *p;

		fb_set(&b, 42, claims[i], 2);
		fb_set(&b, 124, hv_crc32(0, b.buf, 120), 4);
		assert_int_equal(
			hv_evtx_open_memory(&f, b.buf, FB_SIZE, "t", &err), 0);
		p = find(&f, 42);
		if (claims[i] > 1) {
			assert_non_null(p);
			assert_int_equal(p->kind, HV_EVTX_P_FILE_HEADER);
			assert_true(p->lost);
			assert_non_null(strstr(p->text, "65535 chunks"));
		} else {
			assert_null(p);
			assert_int_equal(f.problems.n, 0);
		}
		hv_evtx_close(&f);
	}
	free(b.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_header_claims_more_chunks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
