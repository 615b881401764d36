#include "base/arena.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

/* 256 KiB chunks: few mallocs, little waste at a chunk's end; a string
 * larger than a quarter chunk gets a chunk of its own. */
#define CHUNK (256u << 10)

struct hv_arena_chunk {
	struct hv_arena_chunk *next;
	char data[];
};

static char *take(struct hv_arena *a, size_t n)
{
	struct hv_arena_chunk *c;
	char *p;

	if (!a->head || a->size - a->used < n) {
		if (n > CHUNK / 4) {
			/* a chunk of its own, behind the one being filled */
			c = hv_calloc(1, sizeof(*c) + n);
			a->total += n;
			if (a->head) {
				c->next = a->head->next;
				a->head->next = c;
				return c->data;
			}
			a->head = c;
			a->used = a->size = n;
			return c->data;
		}
		c = hv_calloc(1, sizeof(*c) + CHUNK);
		c->next = a->head;
		a->head = c;
		a->used = 0;
		a->size = CHUNK;
		a->total += CHUNK;
	}
	p = a->head->data + a->used;
	a->used += n;
	return p;
}

char *hv_arena_strndup(struct hv_arena *a, const void *data, size_t len)
{
	char *p;

	if (len >= (size_t)-1 - sizeof(struct hv_arena_chunk) - 1)
		abort();
	p = take(a, len + 1);
	if (len)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

void hv_arena_free(struct hv_arena *a)
{
	struct hv_arena_chunk *c = a->head;

	while (c) {
		struct hv_arena_chunk *next = c->next;

		free(c);
		c = next;
	}
	memset(a, 0, sizeof(*a));
}
