/* Hand-made EVTX bytes for the unit tests: a file header, one chunk, and
 * records whose binary XML the test writes token by token ([MS-EVEN6]
 * 2.2.12; layout after the libyal notes). For what the generated
 * fixtures cannot hold: literal XML without a template, references,
 * CDATA, processing instructions, and hostile shapes. */
#ifndef HV_TEST_EVTX_BUILD_H
#define HV_TEST_EVTX_BUILD_H

#include "base/crc32.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FB_SIZE (4096 + 65536)

struct fb {
	unsigned char *buf; /* FB_SIZE bytes: header and one chunk */
	size_t pos;	    /* next byte, absolute */
	size_t record;	    /* start of the open record */
	uint64_t next_id;
};

static inline void fb_le(struct fb *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b->buf[b->pos++] = (unsigned char)(v >> (8 * i));
}

static inline void fb_set(struct fb *b, size_t at, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b->buf[at + i] = (unsigned char)(v >> (8 * i));
}

/* Chunk-relative offset of the next byte. */
static inline uint32_t fb_here(const struct fb *b)
{
	return (uint32_t)(b->pos - 4096);
}

static inline void fb_init(struct fb *b)
{
	b->buf = calloc(1, FB_SIZE);
	memcpy(b->buf, "ElfFile", 8);
	fb_set(b, 32, 128, 4);
	fb_set(b, 36, 1, 2);
	fb_set(b, 38, 3, 2);
	fb_set(b, 40, 4096, 2);
	fb_set(b, 42, 1, 2);
	fb_set(b, 124, hv_crc32(0, b->buf, 120), 4);
	memcpy(b->buf + 4096, "ElfChnk", 8);
	b->pos = 4096 + 512;
	b->next_id = 1;
}

static inline void fb_utf16(struct fb *b, const char *s)
{
	for (; *s; s++)
		fb_le(b, (unsigned char)*s, 2);
}

/* A name offset, with the name inline right after it. */
static inline void fb_name(struct fb *b, const char *s)
{
	fb_le(b, fb_here(b) + 4, 4);
	fb_le(b, 0, 4);
	fb_le(b, 0, 2);
	fb_le(b, strlen(s), 2);
	fb_utf16(b, s);
	fb_le(b, 0, 2);
}

/* Opens an element; returns where its size goes. */
static inline size_t fb_open(struct fb *b, const char *name, int attrs)
{
	size_t at;

	fb_le(b, attrs ? 0x41 : 0x01, 1);
	fb_le(b, 0xffff, 2);
	at = b->pos;
	fb_le(b, 0, 4);
	fb_name(b, name);
	if (attrs)
		fb_le(b, 0, 4); /* attribute list size: not used by readers */
	return at;
}

static inline void fb_close(struct fb *b, size_t at)
{
	fb_set(b, at, b->pos - at - 4, 4);
}

static inline void fb_text(struct fb *b, const char *s, int more)
{
	fb_le(b, 0x05 | (more ? 0x40 : 0), 1);
	fb_le(b, 0x01, 1);
	fb_le(b, strlen(s), 2);
	fb_utf16(b, s);
}

static inline void fb_attr(struct fb *b, const char *name, int more)
{
	fb_le(b, 0x06 | (more ? 0x40 : 0), 1);
	fb_name(b, name);
}

static inline void fb_record_begin(struct fb *b)
{
	b->record = b->pos;
	fb_le(b, 0x2a2a, 4);
	fb_le(b, 0, 4);
	fb_le(b, b->next_id++, 8);
	fb_le(b, 132818143838365510ull, 8);
	fb_le(b, 0x0001010f, 4); /* fragment header */
}

static inline void fb_record_end(struct fb *b)
{
	size_t size;

	fb_le(b, 0, 1); /* end of the fragment */
	while ((b->pos - b->record + 4) % 8)
		fb_le(b, 0, 1);
	size = b->pos - b->record + 4;
	fb_le(b, size, 4);
	fb_set(b, b->record + 4, size, 4);
}

/* Closes the chunk: record numbers, free space, both checksums. */
static inline void fb_finish(struct fb *b)
{
	unsigned char *c = b->buf + 4096;
	uint32_t free_space = fb_here(b);

	fb_set(b, 4096 + 8, 1, 8);
	fb_set(b, 4096 + 16, b->next_id - 1, 8);
	fb_set(b, 4096 + 24, 1, 8);
	fb_set(b, 4096 + 32, b->next_id - 1, 8);
	fb_set(b, 4096 + 40, 128, 4);
	fb_set(b, 4096 + 48, free_space, 4);
	fb_set(b, 4096 + 52, hv_crc32(0, c + 512, free_space - 512), 4);
	fb_set(b, 4096 + 124, hv_crc32(hv_crc32(0, c, 120), c + 128, 512 - 128),
	       4);
}

/* Opens a template instance whose definition is inline ([MS-EVEN6]
 * 2.2.12 TemplateInstance; libyal notes, "Template definition"); the
 * definition's binary XML follows. Returns where its size goes. */
static inline size_t fb_def_begin(struct fb *b)
{
	size_t size_at;

	fb_le(b, 0x0c, 1);
	fb_le(b, 0x01, 1);
	fb_le(b, 7, 4);
	fb_le(b, fb_here(b) + 4, 4);
	fb_le(b, 0, 4); /* next definition */
	for (int i = 0; i < 16; i++)
		fb_le(b, 0x5A, 1); /* GUID */
	size_at = b->pos;
	fb_le(b, 0, 4);
	fb_le(b, 0x0001010f, 4); /* fragment header */
	return size_at;
}

static inline void fb_def_end(struct fb *b, size_t size_at)
{
	fb_le(b, 0x00, 1); /* end of the definition's fragment */
	fb_set(b, size_at, b->pos - size_at - 4, 4);
}

/* A substitution token: %id of type. */
static inline void fb_subst(struct fb *b, uint16_t id, uint8_t type)
{
	fb_le(b, 0x0d, 1);
	fb_le(b, id, 2);
	fb_le(b, type, 1);
}

/* The substitution array's descriptors: n (size, type) pairs. */
static inline void fb_values(struct fb *b, size_t n, const uint16_t *sizes,
			     const uint8_t *types)
{
	fb_le(b, n, 4);
	for (size_t i = 0; i < n; i++) {
		fb_le(b, sizes[i], 2);
		fb_le(b, types[i], 1);
		fb_le(b, 0, 1);
	}
}

#endif
