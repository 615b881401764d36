/* The knowledge base compiled into the binary by tools/kbgen from kb/. */
#ifndef HV_KB_BUILTIN_H
#define HV_KB_BUILTIN_H

#include <stddef.h>

struct hv_kb_file {
	const char *name;
	const char *text;
	size_t len;
};

extern const struct hv_kb_file hv_kb_builtin_files[];
extern const size_t hv_kb_builtin_count;

#endif
