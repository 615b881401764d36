/* The logical-line reader of RFC 2849 and its field splitter, shared by
 * the LDIF reader (ldif.c) and the backup reader (remedy/backup.c) so that
 * both unfold lines and decode values the same way. */
#ifndef HV_LDIF_LINES_H
#define HV_LDIF_LINES_H

#include "base/strbuf.h"
#include "sources/ldif.h"

#include <stdbool.h>
#include <stddef.h>

enum hv_ldif_line {
	HV_LDIF_LINE_END,     /* no more input */
	HV_LDIF_LINE_BLANK,   /* a record separator */
	HV_LDIF_LINE_COMMENT, /* '#' line with its continuations (notes 2,
			       * 3), unfolded in text like any line */
	HV_LDIF_LINE_ORPHAN,  /* continuation with nothing to continue */
	HV_LDIF_LINE_TEXT,    /* a logical line, in text */
};

/* A cursor over LDIF text that yields logical lines. Set p and end (and
 * zero the rest); release text with hv_strbuf_release() when done. */
struct hv_ldif_lines {
	const char *p, *end;   /* the unread input, borrowed */
	size_t lineno;	       /* physical lines read so far */
	size_t line;	       /* first physical line of the last line */
	struct hv_strbuf text; /* the current logical line, unfolded */
	bool too_long;	       /* text was cut at HV_LDIF_MAX_LINE */
};

/* Reads the next logical line: joins continuation lines (one leading
 * space dropped, RFC 2849 note 2), takes LF or CR LF as line end. For
 * HV_LDIF_LINE_TEXT the line is in ls->text and starts at ls->line. */
enum hv_ldif_line hv_ldif_next_line(struct hv_ldif_lines *ls);

/* Splits a logical line "description: value" (or "::" base64) into its
 * attribute type (options cut) in attr and the decoded value in value
 * (reset first). Returns 0, or -1 with a one-sentence reason in why. */
int hv_ldif_parse_field(const char *s, size_t n,
			char attr[HV_LDIF_MAX_NAME + 1],
			struct hv_strbuf *value, struct hv_strbuf *why);

#endif
