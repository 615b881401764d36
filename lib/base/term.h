/* Text from outside (AD, files, servers) made safe for a terminal. A
 * value printed raw can clear the screen, set the window title, move the
 * cursor or forge a line of our own output (ECMA-48 control functions
 * start with C0 ESC or a C1 byte), and the Unicode bidirectional controls
 * reorder what a person reads ("Trojan Source", Unicode TR #9). This is
 * the one escaping function for terminal text: every renderer and message
 * that prints such a value goes through it (JSON has hv_json_escape,
 * scripts base/quote.h). */
#ifndef HV_TERM_H
#define HV_TERM_H

#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True for the code points hv_term_escape() shows as escapes: C0
 * (U+0000..U+001F), DEL, C1 (U+0080..U+009F), the bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and the line
 * and paragraph separators (U+2028, U+2029). */
bool hv_term_is_control(uint32_t cp);
/* Appends s[0..len) with every such code point shown as "\x1b" (below
 * U+0100) or "\u202e", and every byte that is not part of valid UTF-8
 * (RFC 3629) as "\xff". Everything else, printable Unicode included, is
 * kept, so a name reads as it is. The result is one line of valid UTF-8
 * with no control function in it. */
void hv_term_escape(struct hv_strbuf *out, const char *s, size_t len);
/* hv_term_escape() of a C string; NULL appends nothing. */
void hv_term_escapes(struct hv_strbuf *out, const char *s);
/* True when s[0..len) is valid UTF-8 without any code point that
 * hv_term_is_control() names: hv_term_escape() would copy it unchanged.
 * A host name that is not clean cannot be a real one (RFC 1123). */
bool hv_term_is_clean(const char *s, size_t len);
/* hv_term_escapes() into a new string (NULL gives ""); caller frees with
 * free(). For one value inside a printf-style message. */
char *hv_term_dup(const char *s);

/* Appends s[0..len) on one line for a table cell: line breaks and tabs
 * become spaces, everything else as hv_term_escape() shows it, cut to at
 * most max_cols columns with "..." when longer (max_cols 0: no limit).
 * Returns the columns used. */
size_t hv_term_clip(struct hv_strbuf *out, const char *s, size_t len,
		    size_t max_cols);

#endif
