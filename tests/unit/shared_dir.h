/* shared_dir.h - the one policy of every unit test that reads ../shared
 * (the reference tables and the public EVTX samples beside the
 * repository): when the file is absent the test says so and skips, and
 * under CI=true, where ../shared is always laid beside the clone, it fails.
 * Include after <cmocka.h>. */
#ifndef HV_TEST_SHARED_DIR_H
#define HV_TEST_SHARED_DIR_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strbuf.h"

/* The path of ../shared/REL from the source tree (HVDOCTOR_SOURCE_DIR, or
 * the working directory), or NULL when it is absent: then the test has
 * failed (CI) or been marked skipped, and must return. Caller frees. */
static inline char *shared_path_or_skip(const char *rel, const char *what)
{
	const char *src = getenv("HVDOCTOR_SOURCE_DIR");
	const char *ci = getenv("CI");
	struct hv_strbuf path = HV_STRBUF_INIT;

	hv_strbuf_addf(&path, "%s/../shared/%s", src ? src : ".", rel);
	if (access(hv_strbuf_str(&path), R_OK) == 0)
		return hv_strbuf_detach(&path);
	hv_strbuf_release(&path);
	if (ci && !strcmp(ci, "true"))
		fail_msg("../shared/%s is absent (CI=true): %s", rel, what);
	print_message("skipped: ../shared/%s is absent: %s\n", rel, what);
	skip();
	return NULL;
}

#endif
