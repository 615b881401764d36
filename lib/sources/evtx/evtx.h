/* The Windows XML Event Log (EVTX) reader: file header, 64 KiB chunks,
 * event records and their binary XML (templates with substitution
 * arrays), after [MS-EVEN6] section 2.2.12 (BinXml) and the libyal
 * "Windows XML Event Log (EVTX)" format notes (file and chunk layout,
 * which [MS-EVEN6] does not describe).
 *
 * Everything in a file is hostile. Every read goes through a bounded
 * cursor; a damaged part is reported as a problem with the file and the
 * absolute offset, and reading goes on with what can still be trusted:
 * a bad checksum marks the chunk, a record that does not hold together
 * is skipped and the chunk is searched for the next one, a chunk with a
 * wiped header is searched for records, a file cut short yields every
 * record that is whole. Memory stays bounded whatever the file claims:
 * at most one chunk's templates and one record's values are held per
 * reader, and rendering one record stops at HV_EVTX_RENDER_LIMIT.
 *
 * Use: hv_evtx_open() a file (memory-mapped), then with a reader per
 * thread hv_evtx_chunk_begin() and hv_evtx_chunk_next() over each chunk.
 * A record can be filtered on its System fields (provider, event id,
 * channel...) without rendering it; hv_evtx_render_xml() and
 * hv_evtx_render_json() render the whole event only when asked.
 * hv_evtx_scan() (scan.h) does this for many files on several cores. */
#ifndef HV_EVTX_H
#define HV_EVTX_H

#include "base/error.h"
#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_EVTX_FILE_HEADER_SIZE 4096u
#define HV_EVTX_CHUNK_SIZE 65536u
/* One record's rendering is cut here: a template may repeat a value, and
 * values nest, so a 64 KiB record could otherwise expand without end. */
#define HV_EVTX_RENDER_LIMIT (8u << 20)
/* The longest text Windows logs in one event string (ReportEvent: 31,839
 * characters); a value of event data is cut there. */
#define HV_EVTX_VALUE_LIMIT 31839u

/* What one record may cost, rendered or read as event data: 4 KiB and 64
 * bytes a byte of the record (real records render to 2 to 4 bytes a
 * byte), at most HV_EVTX_RENDER_LIMIT. Bytes of text for a rendering;
 * for event data, bytes of text and 16 for each element, attribute and
 * piece visited. So the work a file costs grows with its size, whatever
 * its templates repeat. */
size_t hv_evtx_record_budget(uint32_t record_size);

/* File header flags (libyal notes; 0x4 as the Rust evtx crate names it,
 * seen with the zeroed checksums of format 3.2 files). */
enum hv_evtx_file_flags {
	HV_EVTX_FILE_DIRTY = 0x1, /* not closed cleanly: normal for a copy
				     of a live log */
	HV_EVTX_FILE_FULL = 0x2,
	HV_EVTX_FILE_NO_CRC = 0x4, /* checksums are not maintained */
};

/* Chunk header flag: the chunk's checksums are not maintained. */
#define HV_EVTX_CHUNK_NO_CRC 0x4u

enum hv_evtx_problem_kind {
	HV_EVTX_P_FILE_HEADER,	   /* bad signature, short or odd header */
	HV_EVTX_P_FILE_HEADER_CRC, /* header checksum does not match */
	HV_EVTX_P_CHUNK_SIGNATURE, /* chunk with data but no signature */
	HV_EVTX_P_CHUNK_HEADER_CRC,
	HV_EVTX_P_CHUNK_DATA_CRC,
	HV_EVTX_P_CHUNK_TRUNCATED, /* the file ends inside the chunk */
	HV_EVTX_P_RECORD,	   /* a record header that does not hold */
	HV_EVTX_P_BINXML,	   /* a record's binary XML cannot be read */
	HV_EVTX_P_RENDER_LIMIT,	   /* a record's rendering was cut */
	HV_EVTX_P_DATA_LIMIT,	   /* a record's event data were cut */
};

struct hv_evtx_problem {
	enum hv_evtx_problem_kind kind;
	uint64_t offset; /* absolute offset in the file */
	bool lost;	 /* records (or parts of one) were lost; otherwise
			    they were read but could not be verified */
	char text[192];	 /* one sentence, without file and offset */
};

/* Problems of one file or chunk. At most HV_EVTX_MAX_PROBLEMS are kept in
 * detail; the rest are only counted, so a file of garbage cannot fill
 * memory with messages. */
#define HV_EVTX_MAX_PROBLEMS 64u

struct hv_evtx_problems {
	struct hv_evtx_problem *items;
	size_t n, cap;
	size_t dropped; /* problems beyond the cap */
	size_t n_lost;	/* problems (kept or dropped) that lost records */
};

/* Adds a problem (printf-style text). */
void hv_evtx_problem_add(struct hv_evtx_problems *p,
			 enum hv_evtx_problem_kind kind, uint64_t offset,
			 bool lost, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Appends the problems of src to dst (keeping the cap). */
void hv_evtx_problems_merge(struct hv_evtx_problems *dst,
			    const struct hv_evtx_problems *src);
/* Empties p but keeps its memory. */
void hv_evtx_problems_reset(struct hv_evtx_problems *p);
/* Frees what p owns. */
void hv_evtx_problems_release(struct hv_evtx_problems *p);

struct hv_evtx_header {
	bool signature_ok; /* "ElfFile\0" */
	uint64_t first_chunk, last_chunk, next_record_id;
	uint32_t header_size;
	uint16_t minor_version, major_version;
	uint16_t block_size; /* where the first chunk starts (4096) */
	uint16_t chunk_count;
	uint32_t flags; /* enum hv_evtx_file_flags */
	uint32_t crc_stored, crc_computed;
};

struct hv_evtx_file {
	char *name;		   /* for messages; owned */
	const unsigned char *data; /* the whole file: mapped, or borrowed */
	size_t size;
	bool mapped;
	struct hv_evtx_header header;
	size_t first_chunk_offset; /* 4096 unless the header says better */
	size_t n_chunks; /* 64 KiB blocks present, the last may be short:
			    the header's count is often stale */
	struct hv_evtx_problems problems; /* of the file header */
};

/* Maps path read-only and reads its header. A file that is not EVTX at
 * all is HV_ERR_INPUT; one that cannot be opened HV_ERR_IO. A damaged
 * header is only a problem (f->problems): chunks are still searched.
 * Release with hv_evtx_close(). */
int hv_evtx_open(struct hv_evtx_file *f, const char *path,
		 struct hv_error *err);
/* The same over bytes in memory (borrowed until hv_evtx_close()). */
int hv_evtx_open_memory(struct hv_evtx_file *f, const void *data, size_t size,
			const char *name, struct hv_error *err);
/* Unmaps and frees what f owns. */
void hv_evtx_close(struct hv_evtx_file *f);
/* Tells the kernel the pages of chunks [first, first+n) are no longer
 * needed, so a long scan keeps a flat resident size. */
void hv_evtx_forget_chunks(const struct hv_evtx_file *f, size_t first,
			   size_t n);
/* Asks the kernel to map the pages of chunks [first, first+n) now,
 * before they are read (fewer page faults than on first touch). */
void hv_evtx_prefetch_chunks(const struct hv_evtx_file *f, size_t first,
			     size_t n);
/* Absolute offset of chunk i. */
size_t hv_evtx_chunk_offset(const struct hv_evtx_file *f, size_t i);

/* What a chunk turned out to be, once read to its end. */
struct hv_evtx_chunk_info {
	size_t index;
	uint64_t offset;
	bool empty;	   /* all zero: never used, not damage */
	bool signature_ok; /* "ElfChnk\0" */
	bool crc_checked;  /* false with the no-CRC flag or when truncated */
	bool header_crc_ok, data_crc_ok;
	bool truncated;
	uint64_t first_record_id, last_record_id; /* from the header */
	uint32_t free_space_offset;
	size_t records;	    /* records returned */
	size_t records_bad; /* record headers or binary XML not readable */
};

/* A reader holds one thread's state: the chunk being read, its
 * templates, and scratch for values. Not shared between threads. */
struct hv_evtx_reader;

/* Caller frees with hv_evtx_reader_free(). */
struct hv_evtx_reader *hv_evtx_reader_new(void);
void hv_evtx_reader_free(struct hv_evtx_reader *r);

/* Starts reading chunk `index` of f. Problems found are added to
 * `problems` (borrowed until the chunk is done). */
void hv_evtx_chunk_begin(struct hv_evtx_reader *r, const struct hv_evtx_file *f,
			 size_t index, struct hv_evtx_problems *problems);
/* What the chunk was (final once hv_evtx_chunk_next() returned false). */
const struct hv_evtx_chunk_info *
hv_evtx_chunk_info(const struct hv_evtx_reader *r);

/* One event record. Valid until the next hv_evtx_chunk_next() or
 * hv_evtx_chunk_begin() on its reader. */
struct hv_evtx_record {
	uint64_t id;	  /* EventRecordID from the record header */
	uint64_t written; /* FILETIME the record was written */
	uint64_t offset;  /* absolute offset of the record */
	uint32_t size;
	/* private to the reader */
	struct hv_evtx_reader *reader;
	const struct hv_evtx_tpl *tpl;
	const struct hv_evtx_value *values;
	size_t n_values;
	const uint8_t *classes;
	unsigned class_mask;
};

/* Moves to the next readable record of the chunk; false at its end.
 * Records whose binary XML cannot be read are reported as problems and
 * skipped. */
bool hv_evtx_chunk_next(struct hv_evtx_reader *r, struct hv_evtx_record *out);

/* The System fields a filter needs, read from the substitution values
 * without rendering the event. */
enum hv_evtx_field {
	HV_EVTX_F_PROVIDER, /* Provider/@Name */
	HV_EVTX_F_PROVIDER_GUID,
	HV_EVTX_F_EVENT_SOURCE, /* Provider/@EventSourceName */
	HV_EVTX_F_EVENT_ID,
	HV_EVTX_F_QUALIFIERS,
	HV_EVTX_F_VERSION,
	HV_EVTX_F_LEVEL,
	HV_EVTX_F_TASK,
	HV_EVTX_F_OPCODE,
	HV_EVTX_F_KEYWORDS,
	HV_EVTX_F_TIME_CREATED, /* TimeCreated/@SystemTime */
	HV_EVTX_F_RECORD_ID,	/* EventRecordID */
	HV_EVTX_F_ACTIVITY_ID,
	HV_EVTX_F_PROCESS_ID,
	HV_EVTX_F_THREAD_ID,
	HV_EVTX_F_CHANNEL,
	HV_EVTX_F_COMPUTER,
	HV_EVTX_F_USER_ID, /* Security/@UserID */
	HV_EVTX_F_COUNT
};

/* Appends the field's text (UTF-8, as the XML would show it, without
 * escaping) to out; false when the event has no such field. */
bool hv_evtx_field_text(const struct hv_evtx_record *rec,
			enum hv_evtx_field field, struct hv_strbuf *out);
/* The field as an unsigned number (an integer value, or text of digits);
 * false when absent or not a number. */
bool hv_evtx_field_uint(const struct hv_evtx_record *rec,
			enum hv_evtx_field field, uint64_t *out);
/* True when the field's text equals s, ignoring ASCII case; costs no
 * allocation. */
bool hv_evtx_field_is(const struct hv_evtx_record *rec,
		      enum hv_evtx_field field, const char *s);
/* True when the field's text starts with prefix, ignoring ASCII case;
 * costs no allocation. */
bool hv_evtx_field_has_prefix(const struct hv_evtx_record *rec,
			      enum hv_evtx_field field, const char *prefix);
/* The time the event was created (FILETIME): TimeCreated, or the time
 * the record was written when the event has none. */
uint64_t hv_evtx_record_time(const struct hv_evtx_record *rec);

/* The event data as name/value text: EventData's <Data Name="N">, and
 * UserData's leaf elements and attributes (nested binary XML followed).
 * Unnamed Data values are named by position ("1", "2"...). */
struct hv_evtx_data_item {
	char *name;
	char *value;
};

struct hv_evtx_data {
	struct hv_evtx_data_item *items;
	size_t n, cap;
	bool cut; /* a value or the whole was cut (see below) */
};

/* Adds the record's event data to out (caller releases it with
 * hv_evtx_data_release()): EventData and UserData, in the template or in
 * a BinXml value (as Windows keeps EventData). A value is cut at
 * HV_EVTX_VALUE_LIMIT characters, and reading stops when the record's
 * budget is spent; either is a problem of the record's chunk, and
 * out->cut tells. */
void hv_evtx_record_data(const struct hv_evtx_record *rec,
			 struct hv_evtx_data *out);
/* The value of the first item named `name` (ASCII case ignored), or
 * NULL; borrowed from data. */
const char *hv_evtx_data_get(const struct hv_evtx_data *data, const char *name);
void hv_evtx_data_release(struct hv_evtx_data *data);

/* Appends the event as XML text, laid out as evtxexport prints it (two
 * spaces per level, one element a line, newline-terminated). Returns 0,
 * or -1 when the rendering passed the record's budget: then the record
 * is written as an empty Event holding a comment that says so, and the
 * cut is a problem of the record's chunk (file offset of the record). */
int hv_evtx_render_xml(const struct hv_evtx_record *rec, struct hv_strbuf *out);
/* Appends the event as one line of JSON (an object per element:
 * "#attributes", "#text", child elements by name, repeated names as an
 * array), newline-terminated. Returns as hv_evtx_render_xml(). */
int hv_evtx_render_json(const struct hv_evtx_record *rec,
			struct hv_strbuf *out);

/* Appends rendered text (XML or JSON lines) for a terminal: every line
 * break and tab kept, everything hv_term_escape() escapes shown as it
 * shows it (CR, ESC, C1 and bidirectional controls, invalid UTF-8), so
 * an event's text cannot move the cursor or reorder a line. */
void hv_evtx_for_terminal(struct hv_strbuf *out, const char *s, size_t len);

/* FILETIME (100 ns since 1601) as "YYYY-MM-DDTHH:MM:SS.fffffff00Z" when
 * digits is 9, or with 0-7 fraction digits; buf needs 32 bytes. Returns
 * the length. */
size_t hv_evtx_filetime_format(uint64_t ft, int digits, char *buf);
/* Seconds since 1970 of a FILETIME (may be negative). */
int64_t hv_evtx_filetime_to_unix(uint64_t ft);
/* FILETIME of seconds since 1970. */
uint64_t hv_evtx_filetime_from_unix(int64_t seconds);

#endif
