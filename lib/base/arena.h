/* A bump allocator for many small strings that live and die together
 * (the DNs, attribute names and values of a directory): no per-string
 * header or rounding, one free for all. Chunks never move, so what it
 * returns stays valid until hv_arena_free(). */
#ifndef HV_ARENA_H
#define HV_ARENA_H

#include <stddef.h>

struct hv_arena_chunk;

struct hv_arena {
	struct hv_arena_chunk *head; /* the chunk being filled */
	size_t used, size;	     /* of head */
	size_t total;		     /* bytes of all chunks, for the curious */
};

/* Copies len bytes into the arena and adds a NUL; borrowed until
 * hv_arena_free(). Aborts on out-of-memory. */
char *hv_arena_strndup(struct hv_arena *a, const void *data, size_t len);
/* Frees every chunk; the arena may be used again. */
void hv_arena_free(struct hv_arena *a);

#endif
