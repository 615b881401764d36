/* Terminal styling for text renderers: ANSI colour only when asked (the
 * CLI asks when stdout is a terminal), so files and pipes stay plain. */
#ifndef HV_STYLE_H
#define HV_STYLE_H

#include "base/strbuf.h"

#include <stdbool.h>

enum hv_tone {
	HV_TONE_BOLD,
	HV_TONE_RED,
	HV_TONE_YELLOW,
	HV_TONE_GREEN,
	HV_TONE_CYAN,
	HV_TONE_DIM
};

struct hv_style {
	bool color;
	int width; /* columns to fit text in; 0 means 80 */
};

/* Appends text in a tone (plain when colour is off). */
void hv_style_add(struct hv_strbuf *out, const struct hv_style *style,
		  enum hv_tone tone, const char *text);
/* Appends every line of text, each prefixed by `indent` spaces. */
void hv_style_indent(struct hv_strbuf *out, const char *text, int indent);
/* Appends s escaped for the terminal (hv_term_escapes) and padded with
 * spaces to width display columns (UTF-8 aware). */
void hv_style_pad(struct hv_strbuf *out, const char *s, int width);
/* Appends text word-wrapped to the style's width: the first line starts
 * after `first` columns already used, the following lines are indented by
 * `indent` spaces; a word longer than a line stands alone. Ends with a
 * newline. */
void hv_style_wrap(struct hv_strbuf *out, const struct hv_style *style,
		   const char *text, int first, int indent);
/* The same for a command line: breaks only at spaces outside quotes and
 * ends each broken line with PowerShell's continuation " `", so the
 * command still runs when pasted. */
void hv_style_wrap_command(struct hv_strbuf *out, const struct hv_style *style,
			   const char *text, int first, int indent);
/* Display width of s as hv_style_pad shows it (one column per code
 * point of the escaped text). */
int hv_style_width(const char *s);

#endif
