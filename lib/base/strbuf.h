/* A growable NUL-terminated byte buffer, as in git's strbuf: the one way
 * this project builds text. `limit` bounds growth when the content comes
 * from untrusted input (curl's dynbuf has a mandatory cap for the same
 * reason): what would pass it is dropped and `capped` says so. */
#ifndef HV_STRBUF_H
#define HV_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct hv_strbuf {
	char *buf; /* always NUL-terminated once anything was added */
	size_t len;
	size_t alloc;
	size_t limit; /* 0: unbounded; else len never passes it */
	bool capped;  /* something was dropped at the limit */
};

#define HV_STRBUF_INIT                                                         \
	{                                                                      \
		NULL, 0, 0, 0, false                                           \
	}
/* An empty buffer that refuses to grow past limit bytes. */
#define HV_STRBUF_LIMITED(limit)                                               \
	{                                                                      \
		NULL, 0, 0, (limit), false                                     \
	}

/* Appends len bytes (with a limit, only as many as fit). */
void hv_strbuf_add(struct hv_strbuf *sb, const void *data, size_t len);
/* Appends a C string. */
void hv_strbuf_adds(struct hv_strbuf *sb, const char *s);
/* Appends one byte. */
void hv_strbuf_addch(struct hv_strbuf *sb, char c);
/* Appends printf-formatted text. */
void hv_strbuf_addf(struct hv_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* va_list form of hv_strbuf_addf. */
void hv_strbuf_vaddf(struct hv_strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Returns the content ("" when empty); borrowed until the next change. */
const char *hv_strbuf_str(const struct hv_strbuf *sb);
/* Empties the buffer but keeps its memory. */
void hv_strbuf_reset(struct hv_strbuf *sb);
/* Hands the content to the caller (free() it); the buffer is left empty. */
char *hv_strbuf_detach(struct hv_strbuf *sb);
/* Frees the memory; the buffer may be reused after. */
void hv_strbuf_release(struct hv_strbuf *sb);

#endif
