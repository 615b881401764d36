/* What the two EVTX fuzz targets share: reading a file held in memory,
 * rendering every record as XML and JSON and reading its fields, and the
 * properties checked on the way (see fuzz_evtx.c). Static functions,
 * included by fuzz_evtx.c (whole files) and fuzz_evtx_chunk.c (one
 * chunk behind a good file header); each defines FUZZ_EVTX_NAME first. */
#ifndef HV_FUZZ_EVTX_COMMON_H
#define HV_FUZZ_EVTX_COMMON_H

#include "base/strbuf.h"
#include "base/utf8.h"
#include "sources/evtx/evtx.h"
#include "sources/evtx/evtx_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "%s: %s\n", FUZZ_EVTX_NAME, what);
		abort();
	}
}

static void check_utf8(const struct hv_strbuf *sb)
{
	for (size_t i = 0; i < sb->len;) {
		size_t n = hv_utf8_valid_prefix(sb->buf + i, sb->len - i);

		check(n > 0, "output is not valid UTF-8");
		i += n;
	}
}

static void check_problems(const struct hv_evtx_problems *p, size_t size)
{
	for (size_t i = 0; i < p->n; i++) {
		check(p->items[i].text[0] != '\0', "problem without text");
		check(p->items[i].offset <= size, "problem past the input");
	}
}

/* The walk renders the same text the plan did (rc 0 on both sides). */
static void same_as_walk(const struct hv_evtx_record *rec, bool xml, int rc,
			 const struct hv_strbuf *planned)
{
	struct hv_strbuf w = HV_STRBUF_INIT;
	struct hv_evtx_ctx ctx;
	struct hv_evtx_doc doc;
	size_t values;
	int wrc;

	hv_evtx_record_ctx(rec, &ctx);
	hv_evtx_record_doc(rec, &doc);
	wrc = xml ? hv_evtx_walk_xml(&ctx, &doc, &w, false, &values)
		  : hv_evtx_walk_json(&ctx, &doc, &w, false, &values);
	if (rc == 0 && wrc == 0)
		check(w.len == planned->len &&
			      (w.len == 0 ||
			       memcmp(w.buf, planned->buf, w.len) == 0),
		      xml ? "plan and walk differ (XML)"
			  : "plan and walk differ (JSON)");
	hv_strbuf_release(&w);
}

/* What one record may make, rendered or as event data: its budget
 * (4 KiB and 64 bytes a byte of the record), passed by at most the last
 * piece written (a value's text is bounded by its size, 64 KiB). So the
 * time and memory an input costs grow with its size. */
static size_t most(const struct hv_evtx_record *rec)
{
	return hv_evtx_record_budget(rec->size) +
	       HV_EVTX_VALUE_BOUND(HV_EVTX_CHUNK_SIZE) + 4096;
}

/* Event data: within the budget, and a cut one says so. */
static void check_data(const struct hv_evtx_record *rec)
{
	struct hv_evtx_data d = {0};
	size_t bytes = 0;

	hv_evtx_record_data(rec, &d);
	for (size_t i = 0; i < d.n; i++) {
		size_t v = strlen(d.items[i].value);

		check(v <= 4u * HV_EVTX_VALUE_LIMIT, "value past the limit");
		bytes += strlen(d.items[i].name) + v;
	}
	check(bytes <= most(rec), "event data past the budget");
	hv_evtx_data_release(&d);
}

static void record(const struct hv_evtx_record *rec)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	uint64_t v;
	int rc;

	rc = hv_evtx_render_xml(rec, &out);
	check(rc == 0 || !strncmp(out.buf, "<Event><!-- record ", 19),
	      "cut, but not replaced");
	check(out.len <= most(rec), "past the budget");
	check_utf8(&out);
	same_as_walk(rec, true, rc, &out);
	hv_strbuf_release(&out);
	rc = hv_evtx_render_json(rec, &out);
	check(out.len >= 3 && out.buf[0] == '{' && out.buf[out.len - 1] == '\n',
	      "JSON is not one object");
	check(rc != 0 || memchr(out.buf, '\n', out.len - 1) == NULL,
	      "JSON over several lines");
	check(out.len <= most(rec), "JSON past the budget");
	check_utf8(&out);
	same_as_walk(rec, false, rc, &out);
	hv_strbuf_release(&out);
	for (int f = 0; f < HV_EVTX_F_COUNT; f++) {
		hv_evtx_field_text(rec, (enum hv_evtx_field)f, &out);
		hv_evtx_field_uint(rec, (enum hv_evtx_field)f, &v);
		hv_evtx_field_is(rec, (enum hv_evtx_field)f, "System");
	}
	hv_strbuf_release(&out);
	hv_evtx_record_time(rec);
	check_data(rec);
}

static void read_file(const unsigned char *buf, size_t size)
{
	struct hv_evtx_file f;
	struct hv_evtx_reader *r;
	struct hv_evtx_problems p = {0};
	struct hv_error err;

	if (hv_evtx_open_memory(&f, buf, size, "fuzz.evtx", &err) < 0)
		return;
	check_problems(&f.problems, size);
	r = hv_evtx_reader_new();
	for (size_t c = 0; c < f.n_chunks; c++) {
		struct hv_evtx_record rec;
		size_t n = 0;

		hv_evtx_chunk_begin(r, &f, c, &p);
		while (hv_evtx_chunk_next(r, &rec)) {
			record(&rec);
			n++;
		}
		check(n <= HV_EVTX_CHUNK_SIZE / 28, "too many records");
		check_problems(&p, size);
		hv_evtx_problems_reset(&p);
	}
	hv_evtx_problems_release(&p);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
}

/* One chunk (up to 64 KiB of the input) behind a file header that
 * announces it, so the fuzzer spends its time in chunks, records and
 * binary XML rather than learning the header. */
static inline void read_as_chunk(const uint8_t *data, size_t size)
{
	size_t n = size > HV_EVTX_CHUNK_SIZE ? HV_EVTX_CHUNK_SIZE : size;
	unsigned char *buf = calloc(1, HV_EVTX_FILE_HEADER_SIZE + n + 1);

	check(buf != NULL, "out of memory");
	memcpy(buf, "ElfFile", 8);
	buf[32] = 128;
	buf[36] = 1;
	buf[38] = 3;
	buf[41] = HV_EVTX_FILE_HEADER_SIZE >> 8;
	buf[42] = 1;
	memcpy(buf + HV_EVTX_FILE_HEADER_SIZE, data, n);
	read_file(buf, HV_EVTX_FILE_HEADER_SIZE + n);
	free(buf);
}

/* The input as a whole file, in an exact-size copy: reading past it is a
 * sanitizer report. */
static inline void read_as_file(const uint8_t *data, size_t size)
{
	unsigned char *buf = malloc(size ? size : 1);

	check(buf != NULL, "out of memory");
	memcpy(buf, data, size);
	read_file(buf, size);
	free(buf);
}

#endif
