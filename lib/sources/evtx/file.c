/* The EVTX file: mapping it, its header, where its chunks are, and the
 * problems list every part of the reader reports into.
 *
 * File header (libyal notes, "File header"; 4096 bytes, 128 used):
 * "ElfFile\0", first and last chunk number, next record id, header size
 * (128), minor and major version, header block size (4096), chunk count,
 * 76 unknown bytes, flags at 120 and the CRC-32 of bytes 0-119 at 124.
 *
 * The header is advice, not truth: copies of live logs are "dirty" and
 * their chunk count is stale (a 257-chunk log whose header says 10 is
 * normal), so chunks are found by the file's size, every 64 KiB after
 * the header, and each chunk is judged on its own. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"
#include "base/crc32.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void hv_evtx_problem_add(struct hv_evtx_problems *p,
			 enum hv_evtx_problem_kind kind, uint64_t offset,
			 bool lost, const char *fmt, ...)
{
	struct hv_evtx_problem *item;
	va_list ap;

	if (lost)
		p->n_lost++;
	if (p->n >= HV_EVTX_MAX_PROBLEMS) {
		p->dropped++;
		return;
	}
	HV_GROW(p->items, p->n, p->cap);
	item = &p->items[p->n++];
	item->kind = kind;
	item->offset = offset;
	item->lost = lost;
	va_start(ap, fmt);
	vsnprintf(item->text, sizeof(item->text), fmt, ap);
	va_end(ap);
}

void hv_evtx_problems_merge(struct hv_evtx_problems *dst,
			    const struct hv_evtx_problems *src)
{
	for (size_t i = 0; i < src->n; i++) {
		if (dst->n >= HV_EVTX_MAX_PROBLEMS) {
			dst->dropped += src->n - i;
			break;
		}
		HV_GROW(dst->items, dst->n, dst->cap);
		dst->items[dst->n++] = src->items[i];
	}
	dst->dropped += src->dropped;
	dst->n_lost += src->n_lost;
}

void hv_evtx_problems_reset(struct hv_evtx_problems *p)
{
	p->n = 0;
	p->dropped = 0;
	p->n_lost = 0;
}

void hv_evtx_problems_release(struct hv_evtx_problems *p)
{
	free(p->items);
	memset(p, 0, sizeof(*p));
}

static void read_header(struct hv_evtx_file *f)
{
	struct hv_evtx_header *h = &f->header;
	struct hv_cursor cur;
	const unsigned char *magic;

	hv_cursor_init(&cur, f->data, f->size, 0);
	magic = hv_cursor_bytes(&cur, 8);
	h->signature_ok = magic && memcmp(magic, "ElfFile", 8) == 0;
	h->first_chunk = hv_cursor_le64(&cur);
	h->last_chunk = hv_cursor_le64(&cur);
	h->next_record_id = hv_cursor_le64(&cur);
	h->header_size = hv_cursor_le32(&cur);
	h->minor_version = hv_cursor_le16(&cur);
	h->major_version = hv_cursor_le16(&cur);
	h->block_size = hv_cursor_le16(&cur);
	h->chunk_count = hv_cursor_le16(&cur);
	hv_cursor_skip(&cur, 76);
	h->flags = hv_cursor_le32(&cur);
	h->crc_stored = hv_cursor_le32(&cur);
	if (hv_cursor_ok(&cur))
		h->crc_computed = hv_crc32(0, f->data, 120);
}

/* Judges the header and settles where chunks start. */
static void check_header(struct hv_evtx_file *f)
{
	const struct hv_evtx_header *h = &f->header;

	f->first_chunk_offset = HV_EVTX_FILE_HEADER_SIZE;
	if (f->size < 128) {
		hv_evtx_problem_add(&f->problems, HV_EVTX_P_FILE_HEADER, 0,
				    false, "file header cut short (%zu bytes)",
				    f->size);
		return;
	}
	if (!h->signature_ok)
		hv_evtx_problem_add(&f->problems, HV_EVTX_P_FILE_HEADER, 0,
				    false,
				    "no file signature (\"ElfFile\"); "
				    "searching for chunks anyway");
	else if (!(h->flags & HV_EVTX_FILE_NO_CRC) &&
		 h->crc_stored != h->crc_computed)
		hv_evtx_problem_add(&f->problems, HV_EVTX_P_FILE_HEADER_CRC,
				    124, false,
				    "file header checksum 0x%08x does not "
				    "match its content (0x%08x)",
				    h->crc_stored, h->crc_computed);
	/* libyal: the block size is where chunk data starts; only a
	 * whole-page value is taken, anything else is damage */
	if (h->signature_ok && h->block_size != HV_EVTX_FILE_HEADER_SIZE)
		hv_evtx_problem_add(&f->problems, HV_EVTX_P_FILE_HEADER, 40,
				    false,
				    "header block size %u, expected 4096; "
				    "chunks are read from offset 4096",
				    h->block_size);
}

static void count_chunks(struct hv_evtx_file *f)
{
	size_t data = f->size > f->first_chunk_offset
			      ? f->size - f->first_chunk_offset
			      : 0;

	f->n_chunks =
		data / HV_EVTX_CHUNK_SIZE + (data % HV_EVTX_CHUNK_SIZE ? 1 : 0);
	/* A count below what the file holds is normal (Windows updates it
	 * late: a live log's copy says 10 where 257 chunks are); a count
	 * above it means chunks the header knows are missing: a copy cut
	 * short, or a header that cannot be trusted. */
	if (f->header.signature_ok && f->header.chunk_count > f->n_chunks)
		hv_evtx_problem_add(&f->problems, HV_EVTX_P_FILE_HEADER, 42,
				    true,
				    "the file header counts %u chunks, the "
				    "file holds %zu: cut short, or a header "
				    "not to be trusted",
				    f->header.chunk_count, f->n_chunks);
}

int hv_evtx_open_memory(struct hv_evtx_file *f, const void *data, size_t size,
			const char *name, struct hv_error *err)
{
	memset(f, 0, sizeof(*f));
	f->name = hv_strdup(name);
	f->data = data;
	f->size = size;
	read_header(f);
	if (!f->header.signature_ok && size >= 8 &&
	    (size < HV_EVTX_FILE_HEADER_SIZE + 8 ||
	     memcmp((const char *)data + HV_EVTX_FILE_HEADER_SIZE, "ElfChnk",
		    8) != 0)) {
		hv_evtx_close(f);
		return hv_error_set(err, HV_ERR_INPUT, name,
				    "not a Windows event log (.evtx): no "
				    "\"ElfFile\" or \"ElfChnk\" signature");
	}
	check_header(f);
	count_chunks(f);
	return 0;
}

int hv_evtx_open(struct hv_evtx_file *f, const char *path, struct hv_error *err)
{
	struct stat st;
	void *map = NULL;
	/* O_NONBLOCK: opening a FIFO (or a device) must not wait for a
	 * writer; what is not a regular file is refused below */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	int rc;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = hv_error_set(err, HV_ERR_IO, path, "cannot read: %s",
				  strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = hv_error_set(err, HV_ERR_INPUT, path,
				  "not a regular file");
		goto done;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd,
			   0);
		if (map == MAP_FAILED) {
			rc = hv_error_set(err, HV_ERR_IO, path,
					  "cannot map: %s", strerror(errno));
			goto done;
		}
		madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	}
	rc = hv_evtx_open_memory(f, map, map ? (size_t)st.st_size : 0, path,
				 err);
	if (rc == 0)
		f->mapped = map != NULL;
	else if (map)
		munmap(map, (size_t)st.st_size);
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

void hv_evtx_close(struct hv_evtx_file *f)
{
	if (f->mapped)
		munmap((void *)(uintptr_t)f->data, f->size);
	free(f->name);
	hv_evtx_problems_release(&f->problems);
	memset(f, 0, sizeof(*f));
}

size_t hv_evtx_chunk_offset(const struct hv_evtx_file *f, size_t i)
{
	return f->first_chunk_offset + i * (size_t)HV_EVTX_CHUNK_SIZE;
}

/* The page-aligned part of chunks [first, first+n) that lies in the
 * file; false when there is none. */
static bool chunk_pages(const struct hv_evtx_file *f, size_t first, size_t n,
			bool inner, size_t *start, size_t *end)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (!f->mapped || n == 0 || first >= f->n_chunks)
		return false;
	*start = hv_evtx_chunk_offset(f, first);
	*end = hv_evtx_chunk_offset(f, first + n);
	if (*end > f->size)
		*end = f->size;
	if (inner) { /* only pages wholly inside */
		*start = (*start + page - 1) / page * page;
		*end = *end / page * page;
	} else {
		*start = *start / page * page;
	}
	return *end > *start;
}

void hv_evtx_prefetch_chunks(const struct hv_evtx_file *f, size_t first,
			     size_t n)
{
	size_t start, end;

	if (!chunk_pages(f, first, n, false, &start, &end))
		return;
#ifdef MADV_POPULATE_READ
	/* Linux 5.14: map the pages now, in one call, instead of a page
	 * fault per 64 KiB; older kernels say EINVAL and fault as before */
	if (madvise((void *)(uintptr_t)(f->data + start), end - start,
		    MADV_POPULATE_READ) == 0)
		return;
#endif
	madvise((void *)(uintptr_t)(f->data + start), end - start,
		MADV_WILLNEED);
}

void hv_evtx_forget_chunks(const struct hv_evtx_file *f, size_t first, size_t n)
{
	size_t start, end;

	if (chunk_pages(f, first, n, true, &start, &end))
		madvise((void *)(uintptr_t)(f->data + start), end - start,
			MADV_DONTNEED);
}
