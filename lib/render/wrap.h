/* Text for a terminal: words wrapped to a width, and bytes that could
 * steer the terminal (C0 and C1 controls, DEL, bidirectional overrides,
 * invalid UTF-8) shown as escapes, since pasted text and --kb files come
 * from outside. */
#ifndef HV_WRAP_H
#define HV_WRAP_H

#include "base/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* The width used when none is given: 80 columns (curl's and git's). */
#define HV_WRAP_DEFAULT 80
/* Narrower than this, wrapping would leave no room for text. */
#define HV_WRAP_MIN 40

enum hv_wrap_mode {
	/* Paragraphs: a line break after . ! or ? ends a paragraph, any
	 * other line break is a space, so hand-wrapped text reflows. */
	HV_WRAP_PROSE,
	/* Every line kept as it is (commands, one step per line), except
	 * that a sentence wrapped by hand goes on (the line before ends no
	 * clause and is no command, this one starts in lower case and is
	 * no tool); a line too long continues two columns further in. */
	HV_WRAP_LINES,
};

/* Appends len bytes of s with every byte that could steer a terminal
 * written as \xNN (and U+202A-202E, U+2066-2069 bidi controls as \u{...}). */
void hv_term_add(struct hv_strbuf *out, const char *s, size_t len);
/* Display columns of len bytes of s (one per code point; an escaped
 * byte counts its escape). */
int hv_term_width(const char *s, size_t len);
/* Appends text as the rest of a line that already holds col columns,
 * breaking at blanks so lines stay within width; the lines after the
 * first start with indent spaces. Ends with a newline. A word longer than
 * a whole line is put on a line of its own. */
void hv_wrap_add(struct hv_strbuf *out, const char *text, int col, int indent,
		 int width, enum hv_wrap_mode mode);
/* The width to wrap to: COLUMNS from the environment when it is a
 * number of at least HV_WRAP_MIN, else HV_WRAP_DEFAULT. */
int hv_wrap_width(const char *columns);

#endif
