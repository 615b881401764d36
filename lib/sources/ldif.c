/* LDIF reader and writer (RFC 2849); what is accepted and why is in
 * ldif.h. The reader is one pass over a bounded cursor: physical lines
 * are joined into logical lines (note 2), each logical line is split into
 * description and value, and a small state machine per record decides
 * what the line means. No recursion; memory grows with the input only:
 * one logical line (at most HV_LDIF_MAX_LINE) plus the entries kept. */
#include "sources/ldif.h"

#include "base/alloc.h"
#include "base/base64.h"
#include "base/file.h"
#include "base/utf8.h"
#include "sources/ldif_lines.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum rec_state {
	REC_NONE,     /* between records */
	REC_HEADER,   /* read "dn:" */
	REC_CONTROLS, /* read "control:" lines, "changetype:" must follow */
	REC_AFTER_CT, /* read "changetype: add" */
	REC_BODY,     /* read an attribute */
	REC_TRAILER,  /* ldapsearch's "search:"/"result:" record */
	REC_SKIP,     /* ignored or dropped up to the next blank line */
};

struct reader {
	const char *name;	 /* for origins and errors */
	struct hv_ldif_lines in; /* the input, as logical lines */
	bool seen_text;		 /* a non-comment line came before */
	enum rec_state state;
	char attr[HV_LDIF_MAX_NAME + 1]; /* the line's type, options cut */
	struct hv_strbuf value;		 /* the line's value, decoded */
	bool open; /* the record being read is dir's last entry */
	struct hv_strbuf origin;
	struct hv_directory *dir;
	struct hv_ldif_errors *errs;
	int rc;
};

void hv_ldif_errors_clear(struct hv_ldif_errors *errs)
{
	*errs = (struct hv_ldif_errors){0};
}

/* Hostile text made fit for a message: printable ASCII only, cut short.
 * Returned by value so a call can sit in an argument list: the array
 * lives until the end of that full expression (C11 6.2.4p8). */
struct shown {
	char text[64];
};

static struct shown tame(const char *s, size_t len)
{
	struct shown out;
	size_t n = 0, i;

	for (i = 0; i < len && n + 4 < sizeof(out.text); i++) {
		unsigned char c = (unsigned char)s[i];

		out.text[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	while (i < len && n + 1 < sizeof(out.text))
		out.text[n++] = '.';
	out.text[n] = '\0';
	return out;
}

static struct shown tame_value(const struct reader *rd)
{
	return tame(hv_strbuf_str(&rd->value), rd->value.len);
}

__attribute__((format(printf, 2, 0))) static void
add_error(struct reader *rd, const char *fmt, va_list ap)
{
	struct hv_ldif_errors *errs = rd->errs;
	struct hv_strbuf where = HV_STRBUF_INIT, message = HV_STRBUF_INIT;

	rd->rc = HV_ERR_INPUT;
	errs->n_total++;
	if (errs->n_listed >= HV_LDIF_MAX_ERRORS)
		return;
	hv_strbuf_addf(&where, "%s:%zu", rd->name, rd->in.line);
	hv_strbuf_vaddf(&message, fmt, ap);
	hv_error_set(&errs->list[errs->n_listed++], HV_ERR_INPUT,
		     hv_strbuf_str(&where), "%s", hv_strbuf_str(&message));
	hv_strbuf_release(&where);
	hv_strbuf_release(&message);
}

/* Records an error that leaves the record alone. */
__attribute__((format(printf, 2, 3))) static void note(struct reader *rd,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(rd, fmt, ap);
	va_end(ap);
}

/* Records an error and drops the record it is in: a half-read entry could
 * make the checks conclude wrongly. Returns -1 for the caller to pass on. */
__attribute__((format(printf, 2, 3))) static int fail(struct reader *rd,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_error(rd, fmt, ap);
	va_end(ap);
	if (rd->open)
		hv_directory_pop_entry(rd->dir);
	rd->open = false;
	rd->state = REC_SKIP;
	rd->errs->n_dropped++;
	return -1;
}

/* Reads one physical line. SEP is LF or CR LF (RFC 2849); a CR that ends
 * the input is dropped too, as an ldifde file cut after its CR would. */
static bool physical(struct hv_ldif_lines *ls, const char **out_s,
		     size_t *out_n)
{
	const char *s = ls->p, *stop;

	if (ls->p >= ls->end)
		return false;
	stop = memchr(s, '\n', (size_t)(ls->end - s));
	ls->p = stop ? stop + 1 : ls->end;
	if (!stop)
		stop = ls->end;
	if (stop > s && stop[-1] == '\r')
		stop--;
	ls->lineno++;
	*out_s = s;
	*out_n = (size_t)(stop - s);
	return true;
}

static void append(struct hv_ldif_lines *ls, const char *s, size_t n)
{
	if (ls->too_long || n > HV_LDIF_MAX_LINE - ls->text.len) {
		ls->too_long = true;
		return;
	}
	hv_strbuf_add(&ls->text, s, n);
}

/* Joins a line and its continuations: a line that starts with one space
 * continues the previous non-empty line, comments included, and exactly
 * that one space is dropped (RFC 2849 note 2). */
enum hv_ldif_line hv_ldif_next_line(struct hv_ldif_lines *ls)
{
	const char *s;
	size_t n;
	char first;

	if (!physical(ls, &s, &n))
		return HV_LDIF_LINE_END;
	if (n == 0)
		return HV_LDIF_LINE_BLANK;
	first = s[0];
	hv_strbuf_reset(&ls->text);
	ls->too_long = false;
	ls->line = ls->lineno;
	if (first != ' ')
		append(ls, s, n);
	while (ls->p < ls->end && *ls->p == ' ') {
		physical(ls, &s, &n);
		if (first != ' ')
			append(ls, s + 1, n - 1);
	}
	if (first == '#')
		return HV_LDIF_LINE_COMMENT;
	return first == ' ' ? HV_LDIF_LINE_ORPHAN : HV_LDIF_LINE_TEXT;
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* attr-type-chars of RFC 2849. Options also take '=', '*' and '.':
 * AD's ranged retrieval writes "member;range=1500-*". */
static bool type_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-';
}

static bool option_char(unsigned char c)
{
	return type_char(c) || c == '=' || c == '*' || c == '.';
}

/* Length of the numeric OID (1*DIGIT *("." 1*DIGIT)) at u, or 0. */
static size_t oid_len(const unsigned char *u, size_t len)
{
	size_t i = 0;

	for (;;) {
		size_t start = i;

		while (i < len && is_digit(u[i]))
			i++;
		if (i == start)
			return 0;
		if (i == len || u[i] != '.')
			return i;
		i++;
	}
}

/* AttributeDescription = AttributeType *(";" option), AttributeType being
 * a name or a numeric OID (RFC 2849, from RFC 4512 section 2.5). Sets
 * *out_base to the length of the AttributeType. */
static bool valid_description(const char *s, size_t len, size_t *out_base)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	if (len && is_alpha(u[0])) {
		while (i < len && type_char(u[i]))
			i++;
	} else {
		i = oid_len(u, len);
		if (i == 0)
			return false;
	}
	*out_base = i;
	while (i < len) {
		size_t start;

		if (u[i] != ';')
			return false;
		start = ++i;
		while (i < len && option_char(u[i]))
			i++;
		if (i == start)
			return false;
	}
	return true;
}

/* value-spec: ":" FILL SAFE-STRING, "::" FILL BASE64-STRING or ":<" FILL
 * url. Plain values are kept byte for byte, trailing spaces included;
 * spaces after base64 cannot be data and are dropped. */
static int parse_value(const char *attr, const char *v, size_t n,
		       struct hv_strbuf *value, struct hv_strbuf *why)
{
	struct hv_error err;
	size_t i, end;
	bool b64 = n && v[0] == ':';

	hv_strbuf_reset(value);
	if (n && v[0] == '<') {
		hv_strbuf_addf(why,
			       "value of '%s' is a URL (':<'), refused: "
			       "hvdoctor never reads files named by its input",
			       attr);
		return -1;
	}
	for (i = b64; i < n && v[i] == ' '; i++)
		;
	if (!b64) {
		hv_strbuf_add(value, v + i, n - i);
		return 0;
	}
	for (end = n; end > i && v[end - 1] == ' '; end--)
		;
	if (hv_base64_decode(value, v + i, end - i, &err)) {
		hv_strbuf_addf(why, "bad base64 value of '%s': %s", attr,
			       err.message);
		return -1;
	}
	return 0;
}

int hv_ldif_parse_field(const char *s, size_t n,
			char attr[HV_LDIF_MAX_NAME + 1],
			struct hv_strbuf *value, struct hv_strbuf *why)
{
	const char *colon;
	size_t len, base;

	attr[0] = '\0';
	if (memchr(s, '\0', n)) {
		hv_strbuf_adds(why, "NUL byte in a line; binary values must "
				    "be base64 ('attr::', RFC 2849 note 4)");
		return -1;
	}
	colon = memchr(s, ':', n);
	if (!colon) {
		hv_strbuf_adds(why, "missing ':' after the attribute name");
		return -1;
	}
	len = (size_t)(colon - s);
	if (len > HV_LDIF_MAX_NAME) {
		hv_strbuf_addf(why,
			       "attribute description longer than %d "
			       "bytes",
			       HV_LDIF_MAX_NAME);
		return -1;
	}
	if (!valid_description(s, len, &base)) {
		hv_strbuf_addf(why, "invalid attribute description '%s'",
			       tame(s, len).text);
		return -1;
	}
	for (size_t i = 0; i < base; i++) /* base <= HV_LDIF_MAX_NAME */
		attr[i] = s[i];
	attr[base] = '\0';
	return parse_value(attr, colon + 1, n - len - 1, value, why);
}

/* Splits the logical line into rd->attr (options cut) and rd->value. */
static int parse_line(struct reader *rd)
{
	struct hv_strbuf why = HV_STRBUF_INIT;
	int rc = hv_ldif_parse_field(hv_strbuf_str(&rd->in.text),
				     rd->in.text.len, rd->attr, &rd->value,
				     &why);

	if (rc)
		fail(rd, "%s", hv_strbuf_str(&why));
	hv_strbuf_release(&why);
	return rc;
}

static bool attr_is(const struct reader *rd, const char *name)
{
	return strcasecmp(rd->attr, name) == 0;
}

static bool value_is(const struct reader *rd, const char *text)
{
	size_t len = strlen(text);

	return rd->value.len == len &&
	       strncasecmp(hv_strbuf_str(&rd->value), text, len) == 0;
}

/* A DN is text (RFC 2849 note 7) and is used as a C string: a NUL would
 * hide its tail. */
static int check_dn(struct reader *rd)
{
	const char *v = hv_strbuf_str(&rd->value);
	size_t n = rd->value.len;

	if (memchr(v, '\0', n))
		return fail(rd, "DN contains a NUL byte");
	if (!hv_utf8_valid(v, n))
		return fail(rd, "DN is not valid UTF-8 (RFC 2849 note 7)");
	return 0;
}

/* The first line of a record says what it is: an entry ("dn:"), or one
 * of ldapsearch's trailer ("search:") or search reference ("ref:"). The
 * very first line of the input may be "version: 1" (note 1). */
static void start_record(struct reader *rd, bool first_line)
{
	if (first_line && attr_is(rd, "version")) {
		if (!value_is(rd, "1"))
			note(rd,
			     "unsupported LDIF version '%s' (RFC 2849 "
			     "note 1)",
			     tame_value(rd).text);
		return;
	}
	if (attr_is(rd, "dn")) {
		if (check_dn(rd))
			return;
		hv_strbuf_reset(&rd->origin);
		hv_strbuf_addf(&rd->origin, "%s:%zu", rd->name, rd->in.line);
		hv_directory_add_entry(rd->dir, hv_strbuf_str(&rd->value),
				       hv_strbuf_str(&rd->origin));
		rd->open = true;
		rd->state = REC_HEADER;
	} else if (attr_is(rd, "search")) {
		rd->state = REC_TRAILER;
	} else if (attr_is(rd, "ref")) {
		rd->state = REC_SKIP;
	} else {
		fail(rd, "attribute line without a DN");
	}
}

static void add_value(struct reader *rd)
{
	struct hv_entry *entry = &rd->dir->entries[rd->dir->n_entries - 1];

	if (attr_is(rd, "dn")) {
		fail(rd, "a second 'dn:' line in one record (missing blank "
			 "line?)");
		return;
	}
	if (entry->n_attrs >= HV_LDIF_MAX_ATTRS &&
	    !hv_entry_attr(entry, rd->attr)) {
		fail(rd, "more than %d attributes in one entry",
		     HV_LDIF_MAX_ATTRS);
		return;
	}
	hv_entry_add_value(entry, rd->attr, hv_strbuf_str(&rd->value),
			   rd->value.len);
	rd->state = REC_BODY;
}

/* Lines between "dn:" and the first attribute: ldif-change-record is
 * dn-spec *control changerecord. Controls may be ignored (note 9); of the
 * changerecords only "add" describes an entry. */
static void header_line(struct reader *rd)
{
	if (attr_is(rd, "control")) {
		if (rd->state == REC_AFTER_CT)
			fail(rd, "'control:' after 'changetype:'");
		else
			rd->state = REC_CONTROLS;
	} else if (attr_is(rd, "changetype")) {
		if (rd->state == REC_AFTER_CT)
			fail(rd, "repeated 'changetype:'");
		else if (!value_is(rd, "add"))
			fail(rd,
			     "'changetype: %s' is a change, not an entry; "
			     "only 'changetype: add' is read",
			     tame_value(rd).text);
		else
			rd->state = REC_AFTER_CT;
	} else if (rd->state == REC_CONTROLS) {
		fail(rd, "'control:' without 'changetype:' (RFC 2849 "
			 "ldif-change-record)");
	} else {
		add_value(rd);
	}
}

/* ldapsearch ends with "search: N" and "result: CODE TEXT"; anything but
 * 0 means the server stopped early (4 = size limit) and entries are
 * missing, which would make an audit look cleaner than the estate is. */
static void trailer_line(struct reader *rd)
{
	const char *v = hv_strbuf_str(&rd->value);
	size_t n = rd->value.len, i = 0;
	unsigned long code = 0;
	if (!attr_is(rd, "result"))
		return;
	while (i < n && i < 9 && is_digit((unsigned char)v[i]))
		code = code * 10 + (unsigned long)(v[i++] - '0');
	if (i == 0 || code == 0)
		return;
	while (i < n && v[i] == ' ')
		i++;
	note(rd,
	     "ldapsearch reported result %lu (%s): the export is "
	     "incomplete",
	     code, tame(v + i, n - i).text);
}

static void handle_text(struct reader *rd)
{
	bool first_line = !rd->seen_text;

	rd->seen_text = true;
	if (rd->state == REC_SKIP)
		return;
	if (rd->in.too_long) {
		fail(rd, "line longer than %u bytes once unfolded",
		     HV_LDIF_MAX_LINE);
		return;
	}
	if (parse_line(rd))
		return;
	switch (rd->state) {
	case REC_NONE:
		start_record(rd, first_line);
		break;
	case REC_HEADER:
	case REC_CONTROLS:
	case REC_AFTER_CT:
		header_line(rd);
		break;
	case REC_BODY:
		add_value(rd);
		break;
	case REC_TRAILER:
		trailer_line(rd);
		break;
	case REC_SKIP:
		break;
	}
}

/* A record read whole stays in the directory (it was added at its "dn:"
 * and is dropped by fail() on any error): only whole records get in. */
static void end_record(struct reader *rd)
{
	if (rd->state == REC_CONTROLS)
		fail(rd, "'control:' without 'changetype:' (RFC 2849 "
			 "ldif-change-record)");
	rd->open = false;
	rd->state = REC_NONE;
}

static void read_records(struct reader *rd)
{
	for (;;) {
		switch (hv_ldif_next_line(&rd->in)) {
		case HV_LDIF_LINE_END:
			end_record(rd);
			return;
		case HV_LDIF_LINE_BLANK:
			end_record(rd);
			break;
		case HV_LDIF_LINE_COMMENT:
			break;
		case HV_LDIF_LINE_ORPHAN:
			rd->seen_text = true;
			if (rd->state != REC_SKIP)
				fail(rd, "continuation line with no line to "
					 "continue (RFC 2849 note 2)");
			break;
		case HV_LDIF_LINE_TEXT:
			handle_text(rd);
			break;
		}
	}
}

int hv_ldif_read_buffer_errors(const char *name, const char *data, size_t len,
			       struct hv_directory *dir,
			       struct hv_ldif_errors *errs)
{
	const unsigned char *u;
	struct reader rd = {0};

	rd.name = name ? name : "-";
	rd.in.p = data ? data : "";
	rd.in.end = rd.in.p + (data ? len : 0);
	rd.dir = dir;
	rd.errs = errs;
	if (rd.in.end - rd.in.p >= 3 && memcmp(rd.in.p, "\xef\xbb\xbf", 3) == 0)
		rd.in.p += 3; /* ldifde's byte order mark */
	u = (const unsigned char *)rd.in.p;
	if (rd.in.end - rd.in.p >= 2 && ((u[0] == 0xff && u[1] == 0xfe) ||
					 (u[0] == 0xfe && u[1] == 0xff))) {
		rd.in.line = 1;
		note(&rd, "text is UTF-16 (ldifde -u?); LDIF must be UTF-8 "
			  "(RFC 2849 note 7)");
	} else {
		read_records(&rd);
	}
	hv_strbuf_release(&rd.in.text);
	hv_strbuf_release(&rd.value);
	hv_strbuf_release(&rd.origin);
	if (rd.open)
		hv_directory_pop_entry(dir);
	return rd.rc;
}

int hv_ldif_read_file_errors(const char *path, struct hv_directory *dir,
			     struct hv_ldif_errors *errs)
{
	struct hv_strbuf data = HV_STRBUF_INIT;
	struct hv_error err;
	int rc = hv_file_read(path, HV_LDIF_MAX_FILE, "the LDIF file", &data,
			      &err);

	if (rc) {
		errs->n_total++;
		if (errs->n_listed < HV_LDIF_MAX_ERRORS)
			errs->list[errs->n_listed++] = err;
	} else {
		rc = hv_ldif_read_buffer_errors(path, hv_strbuf_str(&data),
						data.len, dir, errs);
	}
	hv_strbuf_release(&data);
	return rc;
}

static int first_error(int rc, const struct hv_ldif_errors *errs,
		       struct hv_error *err)
{
	if (err) {
		hv_error_clear(err);
		if (errs->n_listed)
			*err = errs->list[0];
	}
	return rc;
}

int hv_ldif_read_buffer(const char *name, const char *data, size_t len,
			struct hv_directory *dir, struct hv_error *err)
{
	struct hv_ldif_errors *errs = hv_calloc(1, sizeof(*errs));
	int rc = hv_ldif_read_buffer_errors(name, data, len, dir, errs);

	rc = first_error(rc, errs, err);
	free(errs);
	return rc;
}

int hv_ldif_read_file(const char *path, struct hv_directory *dir,
		      struct hv_error *err)
{
	struct hv_ldif_errors *errs = hv_calloc(1, sizeof(*errs));
	int rc = hv_ldif_read_file_errors(path, dir, errs);

	rc = first_error(rc, errs, err);
	free(errs);
	return rc;
}

/* The writer. Lines are folded at HV_LDIF_WIDTH columns as OpenLDAP
 * does: the first physical line holds HV_LDIF_WIDTH bytes, each
 * continuation a space and HV_LDIF_WIDTH - 1 more (note 2). */
struct folder {
	struct hv_strbuf *out;
	size_t col;
};

static void fold_add(struct folder *f, const char *s, size_t len)
{
	while (len) {
		size_t room;

		if (f->col == HV_LDIF_WIDTH) {
			hv_strbuf_add(f->out, "\n ", 2);
			f->col = 1;
		}
		room = HV_LDIF_WIDTH - f->col;
		if (room > len)
			room = len;
		hv_strbuf_add(f->out, s, room);
		f->col += room;
		s += room;
		len -= room;
	}
}

/* SAFE-STRING (RFC 2849 note 4) without a trailing space (note 8), and
 * narrower: control characters and DEL go base64 too, so that a plan an
 * admin reads cannot hide text or drive the terminal. Non-ASCII must be
 * base64 (SAFE-CHAR stops at 0x7f). */
static bool plain_ok(const unsigned char *s, size_t len)
{
	if (len == 0)
		return true;
	if (s[0] == ' ' || s[0] == ':' || s[0] == '<' || s[len - 1] == ' ')
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

static void put_line(struct hv_strbuf *out, const char *attr, const void *data,
		     size_t len)
{
	struct folder f = {out, 0};
	struct hv_strbuf b64 = HV_STRBUF_INIT;
	const char *a = attr && *attr ? attr : "_";

	for (; *a; a++) {
		unsigned char c = (unsigned char)*a;
		char ch = option_char(c) || c == ';' ? (char)c : '_';

		fold_add(&f, &ch, 1);
	}
	if (plain_ok(data, len)) {
		fold_add(&f, ": ", len ? 2 : 1);
		fold_add(&f, data, len);
	} else {
		hv_base64_encode(&b64, data, len);
		fold_add(&f, ":: ", 3);
		fold_add(&f, hv_strbuf_str(&b64), b64.len);
		hv_strbuf_release(&b64);
	}
	hv_strbuf_addch(out, '\n');
}

void hv_ldif_put_value(struct hv_strbuf *out, const char *attr,
		       const void *data, size_t len)
{
	put_line(out, attr, data, len);
}

void hv_ldif_put_dn(struct hv_strbuf *out, const char *dn)
{
	put_line(out, "dn", dn ? dn : "", dn ? strlen(dn) : 0);
}

void hv_ldif_put_entry(struct hv_strbuf *out, const struct hv_entry *entry)
{
	hv_ldif_put_dn(out, entry->dn);
	for (size_t i = 0; i < entry->n_attrs; i++) {
		const struct hv_attr *attr = &entry->attrs[i];

		for (size_t v = 0; v < attr->n_values; v++)
			put_line(out, attr->name, attr->values[v].data,
				 attr->values[v].len);
	}
	hv_strbuf_addch(out, '\n');
}
