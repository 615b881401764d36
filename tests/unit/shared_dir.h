/* shared_dir.h - the one policy of every unit test that reads ../shared
 * (the reference tables and the public EVTX samples beside the
 * repository): when what it needs is absent the test says so and skips,
 * and under CI=true, where ../shared is always laid beside the clone, it
 * fails. Include after <cmocka.h>. */
#ifndef HV_TEST_SHARED_DIR_H
#define HV_TEST_SHARED_DIR_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"

/* The path of ../shared/REL from the source tree (HVDOCTOR_SOURCE_DIR, or
 * the working directory), or NULL when it cannot be read. Caller frees. */
static inline char *shared_path(const char *rel)
{
	const char *src = getenv("HVDOCTOR_SOURCE_DIR");
	struct hv_strbuf path = HV_STRBUF_INIT;

	hv_strbuf_addf(&path, "%s/../shared/%s", src ? src : ".", rel);
	if (access(hv_strbuf_str(&path), R_OK) == 0)
		return hv_strbuf_detach(&path);
	hv_strbuf_release(&path);
	return NULL;
}

/* What a test needs is absent (what says what, and what goes unchecked):
 * fails under CI=true, else marks the test skipped. The test must return
 * after it. */
static inline void shared_absent(const char *what)
{
	const char *ci = getenv("CI");

	if (ci && !strcmp(ci, "true"))
		fail_msg("%s (CI=true)", what);
	print_message("skipped: %s\n", what);
	skip();
}

/* shared_path(rel), or NULL after shared_absent(): then the test must
 * return. Caller frees. */
static inline char *shared_path_or_skip(const char *rel, const char *what)
{
	char *path = shared_path(rel);
	struct hv_strbuf why = HV_STRBUF_INIT;

	if (path)
		return path;
	hv_strbuf_addf(&why, "../shared/%s is absent: %s", rel, what);
	shared_absent(hv_strbuf_str(&why));
	hv_strbuf_release(&why);
	return NULL;
}

#endif
