/* Template definitions reused across chunks.
 *
 * Every chunk carries its own copy of each template definition it uses
 * ([MS-EVEN6] 2.2.12, TemplateInstance; libyal notes, "Template
 * definition"), and most chunks of a log repeat the definitions of the
 * chunk before, often at the same offset with the same bytes. Compiling
 * them again is a good part of the reading. A definition compiled in an
 * earlier chunk is reused when its bytes (header with the GUID, and
 * body) and its offset are the same, and so are the bytes of every name
 * outside it that compiling it read (names are chunk offsets; the
 * compiler notes them, binxml.c): then compiling it again would give
 * the same tree, so the shared template is the one it would find.
 *
 * The GUID alone decides nothing: a hostile file can put any definition
 * under any GUID. The cache is direct-mapped (a newer definition takes
 * the slot), each entry holds at most ENTRY_MAX bytes, and all entries
 * together at most BYTES_MAX: past that it is emptied. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

#define DEFINITION_HEADER 24u
#define SLOTS 1024u	      /* a power of two */
#define ENTRY_MAX (16u << 10) /* bytes of one definition and its names */
#define BYTES_MAX (2u << 20)  /* of all entries, with their headers */

struct hv_evtx_def {
	uint32_t offset, len; /* definition: chunk offset, header + body */
	uint32_t n_names;
	const struct hv_evtx_tpl *tpl; /* shared (template.c) */
	size_t bytes;		       /* held, for the budget */
	/* the definition; then per name outside it its offset and length
	   (4 bytes each) and its bytes */
	unsigned char data[];
};

/* The definition's length (header and body) when it lies inside the
 * chunk, else 0 (compiling it reports why). */
static uint32_t definition_len(const struct hv_evtx_ctx *ctx, uint32_t off)
{
	uint32_t size;

	if (off > ctx->chunk_len || ctx->chunk_len - off < DEFINITION_HEADER)
		return 0;
	size = hv_le32(ctx->chunk + off + 20);
	if (size > ctx->chunk_len - off - DEFINITION_HEADER)
		return 0;
	return DEFINITION_HEADER + size;
}

/* The slot of a definition: its offset, size and GUID. */
static size_t slot_of(const struct hv_evtx_ctx *ctx, uint32_t off, uint32_t len)
{
	uint64_t a, b, h;

	memcpy(&a, ctx->chunk + off + 4, 8);
	memcpy(&b, ctx->chunk + off + 12, 8);
	h = (a ^ ((uint64_t)off << 32 | len)) * 0x9E3779B97F4A7C15ull;
	h = (h ^ b ^ (h >> 29)) * 0xFF51AFD7ED558CCDull;
	return (size_t)(h >> 40) & (SLOTS - 1);
}

static bool same_names(const struct hv_evtx_def *d,
		       const struct hv_evtx_ctx *ctx)
{
	const unsigned char *p = d->data + d->len;

	for (size_t i = 0; i < d->n_names; i++) {
		uint32_t o, n;

		memcpy(&o, p, 4);
		memcpy(&n, p + 4, 4);
		p += 8;
		if (o > ctx->chunk_len || n > ctx->chunk_len - o ||
		    memcmp(ctx->chunk + o, p, n) != 0)
			return false;
		p += n;
	}
	return true;
}

const struct hv_evtx_tpl *hv_evtx_defcache_find(struct hv_evtx_reader *r,
						const struct hv_evtx_ctx *ctx,
						uint32_t off)
{
	uint32_t len = definition_len(ctx, off);
	const struct hv_evtx_def *d;

	if (!len || !r->defs)
		return NULL;
	d = r->defs[slot_of(ctx, off, len)];
	if (!d || d->offset != off || d->len != len ||
	    memcmp(d->data, ctx->chunk + off, len) != 0 || !same_names(d, ctx))
		return NULL;
	return d->tpl;
}

void hv_evtx_defcache_add(struct hv_evtx_reader *r,
			  const struct hv_evtx_ctx *ctx, uint32_t off,
			  const struct hv_evtx_deps *deps,
			  const struct hv_evtx_tpl *tpl)
{
	uint32_t len = definition_len(ctx, off);
	size_t bytes = len, slot;
	struct hv_evtx_def *d;
	unsigned char *w;

	if (!len || !deps->reusable)
		return;
	for (size_t i = 0; i < deps->n; i++)
		bytes += 8 + (size_t)deps->len[i];
	if (bytes > ENTRY_MAX)
		return;
	if (!r->defs)
		r->defs = hv_calloc(SLOTS, sizeof(struct hv_evtx_def *));
	slot = slot_of(ctx, off, len);
	bytes += sizeof(*d);
	if (r->defs[slot]) {
		r->def_bytes -= r->defs[slot]->bytes;
		free(r->defs[slot]);
		r->defs[slot] = NULL;
	}
	if (r->def_bytes + bytes > BYTES_MAX)
		hv_evtx_defcache_clear(r);
	d = hv_calloc(1, bytes);
	d->offset = off;
	d->len = len;
	d->n_names = (uint32_t)deps->n;
	d->tpl = tpl;
	d->bytes = bytes;
	memcpy(d->data, ctx->chunk + off, len);
	w = d->data + len;
	for (size_t i = 0; i < deps->n; i++) {
		memcpy(w, &deps->off[i], 4);
		memcpy(w + 4, &deps->len[i], 4);
		memcpy(w + 8, ctx->chunk + deps->off[i], deps->len[i]);
		w += 8 + (size_t)deps->len[i];
	}
	r->defs[slot] = d;
	r->def_bytes += bytes;
}

void hv_evtx_defcache_clear(struct hv_evtx_reader *r)
{
	if (!r->defs)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		free(r->defs[i]);
		r->defs[i] = NULL;
	}
	r->def_bytes = 0;
}

void hv_evtx_defcache_release(struct hv_evtx_reader *r)
{
	hv_evtx_defcache_clear(r);
	free(r->defs);
	r->defs = NULL;
}
