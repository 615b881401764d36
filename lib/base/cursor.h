/* A bounded reader over untrusted binary data (security descriptors, EVTX,
 * SMB2, SNTP): every read is checked against the remaining length, integers
 * are assembled byte by byte in an explicit byte order (never by casting a
 * packed struct), and the first failure is sticky and keeps its offset, so a
 * parser can read a whole header and check once.
 *
 * A cursor borrows its bytes; it owns nothing and needs no release. */
#ifndef HV_CURSOR_H
#define HV_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv_cursor {
	const unsigned char *data; /* borrowed */
	size_t len;
	size_t pos;
	size_t base;	/* offset of data[0] in the whole input, for messages */
	bool failed;	/* sticky: set by the first read past the end */
	size_t fail_at; /* absolute offset of that read */
};

/* A cursor over len bytes at data; offsets in messages start at base. */
void hv_cursor_init(struct hv_cursor *cur, const void *data, size_t len,
		    size_t base);

/* Each reader returns 0 once the cursor has failed or when fewer bytes
 * remain than it needs (which fails the cursor at the current offset). */
uint8_t hv_cursor_u8(struct hv_cursor *cur);
uint16_t hv_cursor_le16(struct hv_cursor *cur);
uint32_t hv_cursor_le32(struct hv_cursor *cur);
uint64_t hv_cursor_le64(struct hv_cursor *cur);
uint16_t hv_cursor_be16(struct hv_cursor *cur);
uint32_t hv_cursor_be32(struct hv_cursor *cur);
uint64_t hv_cursor_be64(struct hv_cursor *cur);

/* Borrows the next n bytes and moves past them; NULL (and failed) when
 * fewer remain. */
const unsigned char *hv_cursor_bytes(struct hv_cursor *cur, size_t n);
/* Moves past n bytes; false (and failed) when fewer remain. */
bool hv_cursor_skip(struct hv_cursor *cur, size_t n);
/* Moves to offset pos of this cursor's data (not the absolute offset);
 * false (and failed) when pos is past the end. */
bool hv_cursor_seek(struct hv_cursor *cur, size_t pos);
/* Takes the next n bytes as a cursor of their own (absolute offsets kept)
 * and moves past them; false (and both failed) when fewer remain. */
bool hv_cursor_sub(struct hv_cursor *cur, size_t n, struct hv_cursor *out);

/* Bytes left to read (0 once failed). */
size_t hv_cursor_remaining(const struct hv_cursor *cur);
/* True while no read has failed. */
bool hv_cursor_ok(const struct hv_cursor *cur);
/* Absolute offset of the next read, or of the failed one: for messages. */
size_t hv_cursor_offset(const struct hv_cursor *cur);

#endif
