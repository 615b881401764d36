/* UTF-16 little-endian, as Windows stores text (EVTX names and values),
 * read one code point at a time and written as UTF-8. Input is hostile:
 * an unpaired surrogate becomes U+FFFD, never an invalid UTF-8 byte. */
#ifndef HV_UTF16_H
#define HV_UTF16_H

#include "base/strbuf.h"

#include <stddef.h>
#include <stdint.h>

/* The code point at unit *i of the n_units UTF-16LE units at p, moving *i
 * past it (two units for a surrogate pair). *i must be < n_units. */
uint32_t hv_utf16le_next(const unsigned char *p, size_t n_units, size_t *i);
/* Writes cp as UTF-8 into out (at least 4 bytes); returns the length.
 * Surrogates and values past U+10FFFF are written as U+FFFD. */
size_t hv_utf8_encode(uint32_t cp, char *out);
/* Appends n_units UTF-16LE units at p to out as UTF-8, stopping at the
 * first NUL unit; returns the number of units read (NUL not counted). */
size_t hv_utf16le_append(struct hv_strbuf *out, const unsigned char *p,
			 size_t n_units);

#endif
