/* Allocation wrappers: out-of-memory is not a recoverable condition for a
 * diagnostic tool, so these abort instead of returning NULL. Every caller
 * can then treat the result as valid and keep one cleanup path. */
#ifndef HV_ALLOC_H
#define HV_ALLOC_H

#include <stddef.h>

/* Returns zeroed memory for n elements of size; caller frees with free(). */
void *hv_calloc(size_t n, size_t size);
/* Like realloc(), but n*size is checked for overflow; aborts on failure. */
void *hv_reallocarray(void *ptr, size_t n, size_t size);
/* Copies s (may be NULL → NULL); caller frees with free(). */
char *hv_strdup(const char *s);
/* Copies len bytes and adds a NUL; caller frees with free(). */
char *hv_strndup(const char *s, size_t len);
/* Overwrites then frees a secret (password) so it does not linger. */
void hv_free_secret(char *secret);

/* Grows *items (of *cap elements) so that index `need` fits. */
#define HV_GROW(items, count, cap)                                             \
	do {                                                                   \
		if ((count) >= (cap)) {                                        \
			(cap) = (cap) ? (cap)*2 : 8;                           \
			(items) = hv_reallocarray((items), (cap),              \
						  sizeof(*(items)));           \
		}                                                              \
	} while (0)

#endif
