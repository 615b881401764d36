#include "render/style.h"

#include "base/term.h"
#include "render/wrap.h"

#include <stdbool.h>
#include <string.h>

static const char *const tone_codes[] = {
	[HV_TONE_BOLD] = "\033[1m",    [HV_TONE_RED] = "\033[1;31m",
	[HV_TONE_YELLOW] = "\033[33m", [HV_TONE_GREEN] = "\033[32m",
	[HV_TONE_CYAN] = "\033[36m",   [HV_TONE_DIM] = "\033[2m",
};

void hv_style_add(struct hv_strbuf *out, const struct hv_style *style,
		  enum hv_tone tone, const char *text)
{
	if (style && style->color)
		hv_strbuf_adds(out, tone_codes[tone]);
	hv_strbuf_adds(out, text);
	if (style && style->color)
		hv_strbuf_adds(out, "\033[0m");
}

void hv_style_indent(struct hv_strbuf *out, const char *text, int indent)
{
	while (*text) {
		size_t len = strcspn(text, "\n");

		for (int i = 0; i < indent; i++)
			hv_strbuf_addch(out, ' ');
		hv_strbuf_add(out, text, len);
		hv_strbuf_addch(out, '\n');
		text += len;
		if (*text == '\n')
			text++;
	}
}

static int code_points(const char *s, size_t len)
{
	int width = 0;

	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			width++;
	return width;
}

/* Names in a table come from AD: they are shown escaped (base/term.h),
 * and measured as shown. */
int hv_style_width(const char *s)
{
	struct hv_strbuf shown = HV_STRBUF_INIT;
	int width;

	hv_term_escapes(&shown, s);
	width = code_points(hv_strbuf_str(&shown), shown.len);
	hv_strbuf_release(&shown);
	return width;
}

void hv_style_pad(struct hv_strbuf *out, const char *s, int width)
{
	size_t start = out->len;

	hv_term_escapes(out, s);
	for (int w = code_points(hv_strbuf_str(out) + start, out->len - start);
	     w < width; w++)
		hv_strbuf_addch(out, ' ');
}

/* Length of the next word of a command: up to a space outside quotes. */
static size_t command_word(const char *s)
{
	char quote = 0;
	size_t i = 0;

	for (; s[i]; i++) {
		if (quote && s[i] == quote)
			quote = 0;
		else if (!quote && (s[i] == '"' || s[i] == '\''))
			quote = s[i];
		else if (!quote && s[i] == ' ')
			break;
	}
	return i;
}

/* Prose goes through render/wrap.c; a command needs its own loop: words
 * that keep their quotes, and `cont` before each break, which must fit
 * too. */
static void wrap(struct hv_strbuf *out, const struct hv_style *style,
		 const char *text, int first, int indent,
		 size_t (*next_word)(const char *), const char *cont)
{
	int width = style && style->width > 0 ? style->width : 80;
	int col = first, extra = (int)strlen(cont);
	bool line_empty = true;

	while (*text) {
		size_t len = next_word(text);
		int w = 0;

		for (size_t i = 0; i < len; i++)
			w += ((unsigned char)text[i] & 0xC0) != 0x80;
		if (len && !line_empty && col + 1 + w + extra > width) {
			hv_strbuf_addf(out, "%s\n%*s", cont, indent, "");
			col = indent;
		} else if (len && !line_empty) {
			hv_strbuf_addch(out, ' ');
			col++;
		}
		hv_strbuf_add(out, text, len);
		col += w;
		line_empty = line_empty && !len;
		text += len;
		text += strspn(text, " ");
	}
	hv_strbuf_addch(out, '\n');
}

void hv_style_wrap(struct hv_strbuf *out, const struct hv_style *style,
		   const char *text, int first, int indent)
{
	int width = style && style->width > 0 ? style->width : HV_WRAP_DEFAULT;

	hv_wrap_add(out, text, first, indent, width, HV_WRAP_PROSE);
}

void hv_style_wrap_command(struct hv_strbuf *out, const struct hv_style *style,
			   const char *text, int first, int indent)
{
	/* PowerShell's line continuation */
	wrap(out, style, text, first, indent, command_word, " `");
}
