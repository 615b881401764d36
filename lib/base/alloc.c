#include "base/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t bytes)
{
	fprintf(stderr, "hvdoctor: out of memory (%zu bytes)\n", bytes);
	abort();
}

void *hv_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory(n * size);
	return p;
}

void *hv_reallocarray(void *ptr, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		out_of_memory(SIZE_MAX);
	p = realloc(ptr, n && size ? n * size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

char *hv_strndup(const char *s, size_t len)
{
	char *copy = hv_calloc(len + 1, 1);

	memcpy(copy, s, len);
	return copy;
}

char *hv_strdup(const char *s)
{
	return s ? hv_strndup(s, strlen(s)) : NULL;
}

void hv_free_secret(char *secret)
{
	if (!secret)
		return;
	/* volatile so the compiler cannot drop the wipe before free() */
	for (volatile char *p = secret; *p; p++)
		*p = 0;
	free(secret);
}
