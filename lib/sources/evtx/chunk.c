/* Chunks and their records.
 *
 * Chunk header (libyal notes, "Chunk header"; 512 bytes): "ElfChnk\0",
 * first and last record number, first and last record id, header size
 * (128), last record offset, free space offset, CRC-32 of the record
 * data (512 up to the free space), 64 unknown bytes, flags at 120, and
 * at 124 the CRC-32 of bytes 0-119 and 128-511. Bytes 128-383 hold the
 * common string offsets (64 hash buckets of name offsets), 384-511 the
 * template pointers (32 buckets of template definition offsets); the
 * reader resolves names and templates by the offsets records carry, so
 * the tables are only checked to lie inside the chunk.
 *
 * Event record (libyal notes, "Event record"): "**\0\0", size, record
 * id, written FILETIME, binary XML, and the size again at the end.
 *
 * Damage is recovered from, never trusted: a bad checksum is reported
 * and the records are still read; a record whose size or trailing copy
 * does not agree is skipped and the chunk searched for the next record
 * signature; a chunk whose header was wiped is searched from the start;
 * a chunk cut by the end of the file yields the records that are whole. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"
#include "base/crc32.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_HEADER 512u
#define RECORD_HEADER 24u
#define RECORD_MAGIC 0x00002a2au

struct hv_evtx_reader *hv_evtx_reader_new(void)
{
	return hv_calloc(1, sizeof(struct hv_evtx_reader));
}

void hv_evtx_reader_free(struct hv_evtx_reader *r)
{
	if (!r)
		return;
	hv_evtx_templates_release(r);
	hv_evtx_plans_release(r);
	for (size_t i = 0; i < HV_EVTX_SCRATCH; i++)
		free(r->scratch[i]);
	hv_evtx_tpl_free(r->literal);
	free(r->values);
	free(r);
}

const struct hv_evtx_chunk_info *
hv_evtx_chunk_info(const struct hv_evtx_reader *r)
{
	return &r->info;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	static const unsigned char zeros[256];

	while (n >= sizeof(zeros)) {
		if (memcmp(p, zeros, sizeof(zeros)) != 0)
			return false;
		p += sizeof(zeros);
		n -= sizeof(zeros);
	}
	return memcmp(p, zeros, n) == 0;
}

static void problem(struct hv_evtx_reader *r, enum hv_evtx_problem_kind kind,
		    size_t at, bool lost, const char *what)
{
	hv_evtx_problem_add(r->problems, kind, r->ctx.base + at, lost,
			    "chunk %zu: %s", r->info.index, what);
}

/* Checksums, unless the file or chunk says it keeps none (flag 0x4). */
static void check_crcs(struct hv_evtx_reader *r, uint32_t flags,
		       uint32_t data_crc, uint32_t header_crc)
{
	const unsigned char *c = r->ctx.chunk;
	struct hv_evtx_chunk_info *info = &r->info;
	uint32_t crc;

	if ((flags & HV_EVTX_CHUNK_NO_CRC) ||
	    (r->file->header.flags & HV_EVTX_FILE_NO_CRC))
		return;
	crc = hv_crc32(hv_crc32(0, c, 120), c + 128, CHUNK_HEADER - 128);
	info->header_crc_ok = crc == header_crc;
	if (!info->header_crc_ok)
		problem(r, HV_EVTX_P_CHUNK_HEADER_CRC, 124, false,
			"header checksum does not match; its records are "
			"read but may be damaged");
	if (info->truncated)
		return;
	info->crc_checked = true;
	crc = hv_crc32(0, c + CHUNK_HEADER, r->limit - CHUNK_HEADER);
	info->data_crc_ok = crc == data_crc;
	if (!info->data_crc_ok)
		problem(r, HV_EVTX_P_CHUNK_DATA_CRC, 52, false,
			"record data checksum does not match; its records "
			"are read but may be damaged");
}

/* The common string offsets (64) and template pointers (32) at 128-511:
 * each is 0 or a chunk offset past the header. Names and templates are
 * found by the offsets records carry, so a bad entry costs nothing but
 * is worth saying. */
static void check_tables(struct hv_evtx_reader *r)
{
	struct hv_cursor cur;
	size_t bad = 0;

	hv_cursor_init(&cur, r->ctx.chunk, CHUNK_HEADER, r->ctx.base);
	hv_cursor_seek(&cur, 128);
	for (int i = 0; i < 64 + 32; i++) {
		uint32_t off = hv_cursor_le32(&cur);

		if (off && (off < CHUNK_HEADER || off >= r->ctx.chunk_len))
			bad++;
	}
	if (bad)
		problem(r, HV_EVTX_P_CHUNK_HEADER_CRC, 128, false,
			"string or template table entries point outside the "
			"chunk; its header may be damaged");
}

/* The header of a chunk with a signature: the end of its records and
 * its checksums. */
static void read_chunk_header(struct hv_evtx_reader *r)
{
	struct hv_evtx_chunk_info *info = &r->info;
	struct hv_cursor cur;
	uint32_t free_space, data_crc, flags, header_crc;

	hv_cursor_init(&cur, r->ctx.chunk, r->ctx.chunk_len, r->ctx.base);
	hv_cursor_skip(&cur, 24);
	info->first_record_id = hv_cursor_le64(&cur);
	info->last_record_id = hv_cursor_le64(&cur);
	hv_cursor_skip(&cur, 8); /* header size, last record offset */
	free_space = hv_cursor_le32(&cur);
	data_crc = hv_cursor_le32(&cur);
	hv_cursor_skip(&cur, 64);
	flags = hv_cursor_le32(&cur);
	header_crc = hv_cursor_le32(&cur);
	info->free_space_offset = free_space;
	if (!hv_cursor_ok(&cur) || r->ctx.chunk_len < CHUNK_HEADER) {
		problem(r, HV_EVTX_P_CHUNK_TRUNCATED, 0, true,
			"the file ends inside the chunk header");
		info->truncated = true;
		r->limit = 0;
		return;
	}
	if (free_space < CHUNK_HEADER || free_space > HV_EVTX_CHUNK_SIZE) {
		problem(r, HV_EVTX_P_RECORD, 48, false,
			"free space offset outside the chunk; records are "
			"read up to the first that does not hold together");
		free_space = HV_EVTX_CHUNK_SIZE;
	}
	r->limit = free_space;
	if (r->limit > r->ctx.chunk_len) {
		info->truncated = true;
		r->limit = r->ctx.chunk_len;
		problem(r, HV_EVTX_P_CHUNK_TRUNCATED, r->ctx.chunk_len, true,
			"the file ends inside the chunk; the records before "
			"the cut are read");
	}
	check_crcs(r, flags, data_crc, header_crc);
	check_tables(r);
}

void hv_evtx_chunk_begin(struct hv_evtx_reader *r, const struct hv_evtx_file *f,
			 size_t index, struct hv_evtx_problems *problems)
{
	size_t off = hv_evtx_chunk_offset(f, index);
	size_t avail = off < f->size ? f->size - off : 0;

	if (avail > HV_EVTX_CHUNK_SIZE)
		avail = HV_EVTX_CHUNK_SIZE;
	hv_evtx_templates_reset(r);
	r->file = f;
	r->problems = problems;
	r->ctx = (struct hv_evtx_ctx){f->data + off, avail, off, r, 0};
	memset(&r->info, 0, sizeof(r->info));
	r->info.index = index;
	r->info.offset = off;
	r->pos = CHUNK_HEADER;
	r->limit = 0;
	r->searching = false;
	r->repaired_size = 0;
	r->repair_failed = false;
	r->info.signature_ok =
		avail >= 8 && memcmp(r->ctx.chunk, "ElfChnk", 8) == 0;
	if (r->info.signature_ok) {
		read_chunk_header(r);
		return;
	}
	if (all_zero(r->ctx.chunk, avail)) {
		r->info.empty = true;
		return;
	}
	problem(r, HV_EVTX_P_CHUNK_SIGNATURE, 0, true,
		"no chunk signature (\"ElfChnk\"); searching it for records");
	r->pos = 0;
	r->limit = avail;
	r->searching = true;
}

enum record_fit {
	FIT_NONE, /* no record here */
	FIT_OK,	  /* signature, size that fits, size repeated at the end */
	FIT_COPY, /* all but the repeated size: the record's end is
		     damaged, its start may still be read */
};

static enum record_fit record_at(const struct hv_evtx_reader *r, size_t pos,
				 uint32_t *out_size)
{
	const unsigned char *c = r->ctx.chunk;
	uint32_t size;

	/* bounded reads over [0, limit): one check each, no cursor */
	if (pos > r->limit || r->limit - pos < 8 ||
	    hv_le32(c + pos) != RECORD_MAGIC)
		return FIT_NONE;
	size = hv_le32(c + pos + 4);
	if (size < RECORD_HEADER + 4 || size > r->limit - pos)
		return FIT_NONE;
	*out_size = size;
	return hv_le32(c + pos + size - 4) == size ? FIT_OK : FIT_COPY;
}

/* The next offset at or after pos where a record holds together, or
 * limit. memchr keeps the search linear and fast. */
static size_t find_record(const struct hv_evtx_reader *r, size_t pos)
{
	uint32_t size;

	while (pos + RECORD_HEADER <= r->limit) {
		const unsigned char *hit =
			memchr(r->ctx.chunk + pos, '*', r->limit - pos);

		if (!hit)
			break;
		pos = (size_t)(hit - r->ctx.chunk);
		if (record_at(r, pos, &size) == FIT_OK)
			return pos;
		pos++;
	}
	return r->limit;
}

/* Called where a record should start but none does. */
static bool resync(struct hv_evtx_reader *r)
{
	size_t from = r->pos, to;
	uint32_t size;

	/* the last record cut by the end of the file */
	if (r->info.truncated && r->pos + 8 <= r->limit &&
	    hv_le32(r->ctx.chunk + r->pos) == RECORD_MAGIC &&
	    (size = hv_le32(r->ctx.chunk + r->pos + 4)) > r->limit - r->pos &&
	    size <= HV_EVTX_CHUNK_SIZE - r->pos) {
		problem(r, HV_EVTX_P_CHUNK_TRUNCATED, r->pos, true,
			"a record is cut off by the end of the file");
		r->info.records_bad++;
		return false;
	}
	to = find_record(r, r->searching ? r->pos : r->pos + 1);
	/* a record whose size was lost (seen as 0) but that is followed by
	 * a good record: it spans to that one, if its binary XML holds */
	if (!r->searching && !r->repair_failed && to < r->limit &&
	    to - from >= RECORD_HEADER + 4 &&
	    hv_le32(r->ctx.chunk + from) == RECORD_MAGIC) {
		r->repaired_size = (uint32_t)(to - from);
		return true;
	}
	r->repair_failed = false;
	if (!r->searching && !all_zero(r->ctx.chunk + from, to - from)) {
		char what[128];

		snprintf(what, sizeof(what),
			 "%zu bytes hold no readable record; skipped",
			 to - from);
		problem(r, HV_EVTX_P_RECORD, from, true, what);
		r->info.records_bad++;
	}
	r->pos = to;
	r->searching = false;
	return to < r->limit;
}

static bool read_record(struct hv_evtx_reader *r, uint32_t size,
			struct hv_evtx_record *out, bool report)
{
	const unsigned char *p = r->ctx.chunk + r->pos;
	struct hv_cursor cur;
	struct hv_evtx_doc doc;
	const char *why = NULL;

	hv_evtx_tpl_free(r->literal);
	r->literal = NULL;
	hv_cursor_init(&cur, p + RECORD_HEADER, size - RECORD_HEADER - 4,
		       r->ctx.base + r->pos + RECORD_HEADER);
	out->id = hv_le64(p + 8);
	out->written = hv_le64(p + 16);
	out->offset = r->ctx.base + r->pos;
	out->size = size;
	out->reader = r;
	if (hv_evtx_doc_read(&r->ctx, &cur, &doc, &r->values, &r->cap_values,
			     &why) < 0) {
		if (!report)
			return false;
		hv_evtx_problem_add(r->problems, HV_EVTX_P_BINXML,
				    hv_cursor_offset(&cur), true,
				    "chunk %zu: record %llu: %s", r->info.index,
				    (unsigned long long)out->id, why);
		r->info.records_bad++;
		return false;
	}
	r->literal = doc.literal;
	out->tpl = doc.tpl;
	out->values = doc.values;
	out->n_values = doc.n_values;
	out->class_mask = doc.class_mask;
	out->classes = doc.classes;
	return true;
}

/* The size of the record at r->pos, or 0 when there is none. Damage
 * that leaves the record's start readable is reported and let through. */
static uint32_t next_size(struct hv_evtx_reader *r)
{
	uint32_t size = 0;
	enum record_fit fit;

	r->guessed = false;
	if (r->repaired_size) {
		size = r->repaired_size;
		r->repaired_size = 0;
		r->guessed = true;
		return size;
	}
	if (r->searching || r->repair_failed)
		return 0;
	fit = record_at(r, r->pos, &size);
	r->guessed = fit == FIT_COPY;
	return fit == FIT_NONE ? 0 : size;
}

bool hv_evtx_chunk_next(struct hv_evtx_reader *r, struct hv_evtx_record *out)
{
	uint32_t size;

	while (r->pos + RECORD_HEADER <= r->limit) {
		bool ok;

		if ((size = next_size(r)) == 0) {
			if (!resync(r))
				break;
			continue;
		}
		ok = read_record(r, size, out, !r->guessed);
		if (r->guessed) {
			/* a damaged record: if it does not read, the next
			 * good one may lie inside what its size claimed */
			if (ok)
				problem(r, HV_EVTX_P_RECORD, r->pos, false,
					"a record's size fields disagree "
					"(damage); it was read but may be "
					"incomplete");
			else
				r->repair_failed = true;
		}
		if (ok || !r->guessed)
			r->pos += size;
		if (ok) {
			r->info.records++;
			return true;
		}
	}
	return false;
}

void hv_evtx_record_ctx(const struct hv_evtx_record *rec,
			struct hv_evtx_ctx *ctx)
{
	*ctx = rec->reader->ctx;
	ctx->budget = hv_evtx_record_budget(rec->size);
}

void hv_evtx_record_doc(const struct hv_evtx_record *rec,
			struct hv_evtx_doc *doc)
{
	doc->tpl = rec->tpl;
	doc->values = rec->values;
	doc->n_values = rec->n_values;
	doc->class_mask = rec->class_mask;
	doc->classes = rec->classes;
	doc->literal = NULL;
}
