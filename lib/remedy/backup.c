/* Backups as LDIF change records; the format and why it is so narrow are
 * in backup.h. Lines are unfolded and values decoded by the LDIF reader's
 * own code (ldif_lines.h), so a backup reads exactly as ldapmodify
 * would read it. */
#include "remedy/backup.h"

#include "base/alloc.h"
#include "base/utf8.h"
#include "sources/ldif.h"
#include "sources/ldif_lines.h"
#include "base/quote.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ *
 * Taking and comparing                                                *
 * ------------------------------------------------------------------ */

static long find_index(const struct hv_directory *bk, const char *dn)
{
	for (size_t i = 0; i < bk->n_entries; i++)
		if (strcasecmp(bk->entries[i].dn, dn) == 0)
			return (long)i;
	return -1;
}

const struct hv_entry *hv_backup_find(const struct hv_directory *bk,
				      const char *dn)
{
	long i = find_index(bk, dn);

	return i < 0 ? NULL : &bk->entries[i];
}

/* Adds an attribute with no values: a "replace:" that removes it. */
static struct hv_attr *add_empty_attr(struct hv_entry *rec, const char *name)
{
	struct hv_attr *attr;

	HV_GROW(rec->attrs, rec->n_attrs, rec->cap_attrs);
	attr = &rec->attrs[rec->n_attrs++];
	memset(attr, 0, sizeof(*attr));
	attr->name = hv_strdup(name);
	return attr;
}

static void add_value(struct hv_attr *attr, const void *data, size_t len)
{
	HV_GROW(attr->values, attr->n_values, attr->cap_values);
	attr->values[attr->n_values].data = hv_strndup(data, len);
	attr->values[attr->n_values].len = len;
	attr->n_values++;
}

void hv_backup_take(struct hv_directory *bk, const char *dn, const char *attr,
		    const struct hv_entry *current)
{
	long at = find_index(bk, dn);
	struct hv_entry *rec = at < 0 ? NULL : &bk->entries[at];
	const struct hv_attr *now =
		current ? hv_entry_attr(current, attr) : NULL;
	struct hv_attr *copy;

	if (!rec)
		rec = hv_directory_add_entry(bk, dn,
					     current ? current->origin : NULL);
	if (hv_entry_attr(rec, attr))
		return;
	copy = add_empty_attr(rec, attr);
	for (size_t v = 0; now && v < now->n_values; v++)
		add_value(copy, now->values[v].data, now->values[v].len);
}

bool hv_backup_has_value(const struct hv_attr *attr, const void *data,
			 size_t len)
{
	for (size_t v = 0; attr && v < attr->n_values; v++)
		if (attr->values[v].len == len &&
		    memcmp(attr->values[v].data, data, len) == 0)
			return true;
	return false;
}

/* How often attr holds exactly this value. */
static size_t count_value(const struct hv_attr *attr,
			  const struct hv_value *val)
{
	size_t n = 0;

	for (size_t v = 0; attr && v < attr->n_values; v++)
		n += attr->values[v].len == val->len &&
		     memcmp(attr->values[v].data, val->data, val->len) == 0;
	return n;
}

bool hv_backup_same_values(const struct hv_attr *a, const struct hv_attr *b)
{
	size_t na = a ? a->n_values : 0, nb = b ? b->n_values : 0;

	if (na != nb)
		return false;
	/* quadratic, but an attribute of a host has a few dozen values */
	for (size_t v = 0; v < na; v++)
		if (count_value(a, &a->values[v]) !=
		    count_value(b, &a->values[v]))
			return false;
	return true;
}

/* ------------------------------------------------------------------ *
 * Writing                                                             *
 * ------------------------------------------------------------------ */

static void comment_line(struct hv_strbuf *out, const char *label,
			 const char *text)
{
	if (!text)
		return;
	hv_strbuf_adds(out, "# ");
	hv_strbuf_adds(out, label);
	hv_quote_comment(out, text);
	hv_strbuf_addch(out, '\n');
}

void hv_backup_write(struct hv_strbuf *out, const struct hv_directory *bk,
		     const struct hv_backup_info *info)
{
	hv_strbuf_adds(out, "# hvdoctor backup: the values these objects "
			    "had before a change.\n");
	comment_line(out, "", info ? info->what : NULL);
	comment_line(out, "read from: ", info ? info->source : NULL);
	comment_line(out, "taken: ", info ? info->taken : NULL);
	hv_strbuf_addf(out,
		       "# %zu object%s. Each record replaces the listed "
		       "attributes with these exact\n# values; an "
		       "attribute listed without values was absent and "
		       "is removed.\n# Restore with:\n"
		       "#   hvdoctor apply --ldap URI --rollback FILE "
		       "--yes\n# or by hand, with the same effect:\n"
		       "#   ldapmodify -H ldap://DC -Y GSSAPI -f FILE\n"
		       "version: 1\n\n",
		       bk->n_entries, bk->n_entries == 1 ? "" : "s");
	for (size_t i = 0; i < bk->n_entries; i++) {
		const struct hv_entry *rec = &bk->entries[i];

		hv_ldif_put_dn(out, rec->dn);
		hv_strbuf_adds(out, "changetype: modify\n");
		for (size_t a = 0; a < rec->n_attrs; a++) {
			const struct hv_attr *attr = &rec->attrs[a];

			hv_ldif_put_value(out, "replace", attr->name,
					  strlen(attr->name));
			for (size_t v = 0; v < attr->n_values; v++)
				hv_ldif_put_value(out, attr->name,
						  attr->values[v].data,
						  attr->values[v].len);
			hv_strbuf_adds(out, "-\n");
		}
		hv_strbuf_addch(out, '\n');
	}
}

/* ------------------------------------------------------------------ *
 * Reading                                                             *
 * ------------------------------------------------------------------ */

enum bk_state {
	BK_NONE,   /* between records */
	BK_DN,	   /* read "dn:", "changetype: modify" must follow */
	BK_MODS,   /* "replace:" or the end of the record may follow */
	BK_VALUES, /* values of the replaced attribute, or "-" */
};

struct bk_reader {
	const char *name;
	struct hv_ldif_lines in;
	enum bk_state state;
	bool seen_text;
	char attr[HV_LDIF_MAX_NAME + 1];
	struct hv_strbuf value;
	struct hv_directory *out;
	struct hv_entry *rec; /* the record being read, in out */
	struct hv_attr *mod;  /* its attribute being replaced */
	struct hv_error *err;
};

__attribute__((format(printf, 2, 3))) static int bad(struct bk_reader *rd,
						     const char *fmt, ...)
{
	char where[600];
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(where, sizeof(where), "%s:%zu", rd->name, rd->in.line);
	return hv_error_set(rd->err, HV_ERR_INPUT, where, "%s", msg);
}

static bool attr_is(const struct bk_reader *rd, const char *name)
{
	return strcasecmp(rd->attr, name) == 0;
}

static const char *value_str(const struct bk_reader *rd)
{
	return hv_strbuf_str(&rd->value);
}

static bool valid_utf8(const char *s, size_t len)
{
	for (size_t i = 0, k; i < len; i += k) {
		k = hv_utf8_valid_prefix(s + i, len - i);
		if (!k)
			return false;
	}
	return true;
}

/* An attribute name as the writer puts it after "replace:": a plain
 * AttributeType (RFC 4512 2.5), no options. */
static bool plain_name(const char *s, size_t len)
{
	if (!len || len > HV_LDIF_MAX_NAME ||
	    !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static int start_record(struct bk_reader *rd, bool first_line)
{
	const char *dn = value_str(rd);
	const struct hv_entry *seen;
	char origin[600];

	if (first_line && attr_is(rd, "version"))
		return strcmp(dn, "1") == 0
			       ? 0
			       : bad(rd, "unsupported LDIF version (RFC 2849 "
					 "note 1)");
	if (!attr_is(rd, "dn"))
		return bad(rd,
			   "expected 'dn:' to start a record, found "
			   "'%s:'",
			   rd->attr);
	if (!rd->value.len || memchr(dn, '\0', rd->value.len) ||
	    !valid_utf8(dn, rd->value.len))
		return bad(rd, "the DN is empty, has a NUL byte or is not "
			       "UTF-8 (RFC 2849 note 7)");
	seen = hv_backup_find(rd->out, dn);
	if (seen)
		return bad(rd,
			   "a second record for this DN (the first is at "
			   "%s): a backup has one per object",
			   seen->origin);
	snprintf(origin, sizeof(origin), "%s:%zu", rd->name, rd->in.line);
	rd->rec = hv_directory_add_entry(rd->out, dn, origin);
	rd->state = BK_DN;
	return 0;
}

static int changetype_line(struct bk_reader *rd)
{
	if (attr_is(rd, "control"))
		return bad(rd, "controls are not accepted in a backup");
	if (!attr_is(rd, "changetype"))
		return bad(rd, "expected 'changetype: modify' after the DN");
	if (strcmp(value_str(rd), "modify") != 0)
		return bad(rd, "only 'changetype: modify' records are read "
			       "from a backup");
	rd->state = BK_MODS;
	return 0;
}

static int replace_line(struct bk_reader *rd)
{
	const char *name = value_str(rd);

	if (!attr_is(rd, "replace"))
		return bad(rd,
			   "only 'replace:' is read from a backup, not "
			   "'%s:'",
			   rd->attr);
	if (!plain_name(name, rd->value.len))
		return bad(rd, "'replace:' needs a plain attribute name");
	if (hv_entry_attr(rd->rec, name))
		return bad(rd, "'%s' is replaced twice in one record", name);
	if (rd->rec->n_attrs >= HV_LDIF_MAX_ATTRS)
		return bad(rd, "more than %d attributes in one record",
			   HV_LDIF_MAX_ATTRS);
	rd->mod = add_empty_attr(rd->rec, name);
	rd->state = BK_VALUES;
	return 0;
}

static int value_line(struct bk_reader *rd)
{
	if (!attr_is(rd, rd->mod->name))
		return bad(rd,
			   "a '%s:' value inside 'replace: %s' (values "
			   "must name the replaced attribute)",
			   rd->attr, rd->mod->name);
	add_value(rd->mod, hv_strbuf_str(&rd->value), rd->value.len);
	return 0;
}

static int text_line(struct bk_reader *rd)
{
	const char *text = hv_strbuf_str(&rd->in.text);
	struct hv_strbuf why = HV_STRBUF_INIT;
	bool first_line = !rd->seen_text;
	int rc;

	rd->seen_text = true;
	if (rd->in.too_long)
		return bad(rd, "line longer than %u bytes once unfolded",
			   HV_LDIF_MAX_LINE);
	if (rd->in.text.len == 1 && text[0] == '-') {
		if (rd->state != BK_VALUES)
			return bad(rd, "'-' without a 'replace:' before it");
		rd->state = BK_MODS;
		return 0;
	}
	rc = hv_ldif_parse_field(text, rd->in.text.len, rd->attr, &rd->value,
				 &why);
	if (rc)
		bad(rd, "%s", hv_strbuf_str(&why));
	hv_strbuf_release(&why);
	if (rc)
		return HV_ERR_INPUT;
	switch (rd->state) {
	case BK_NONE:
		return start_record(rd, first_line);
	case BK_DN:
		return changetype_line(rd);
	case BK_MODS:
		return replace_line(rd);
	case BK_VALUES:
		return value_line(rd);
	}
	return 0;
}

static int end_record(struct bk_reader *rd)
{
	switch (rd->state) {
	case BK_NONE:
		return 0;
	case BK_DN:
		return bad(rd, "the record ends before 'changetype: modify'");
	case BK_VALUES:
		return bad(rd,
			   "the values of 'replace: %s' end without '-' "
			   "(RFC 2849 mod-spec)",
			   rd->mod->name);
	case BK_MODS:
		break;
	}
	if (!rd->rec->n_attrs)
		return bad(rd, "a record that replaces nothing");
	rd->state = BK_NONE;
	return 0;
}

static int read_lines(struct bk_reader *rd)
{
	for (;;) {
		int rc = 0;

		switch (hv_ldif_next_line(&rd->in)) {
		case HV_LDIF_LINE_END:
			rd->in.line = rd->in.lineno;
			return end_record(rd);
		case HV_LDIF_LINE_BLANK:
			rd->in.line = rd->in.lineno;
			rc = end_record(rd);
			break;
		case HV_LDIF_LINE_COMMENT:
			break;
		case HV_LDIF_LINE_ORPHAN:
			rc = bad(rd, "continuation line with no line to "
				     "continue (RFC 2849 note 2)");
			break;
		case HV_LDIF_LINE_TEXT:
			rc = text_line(rd);
			break;
		}
		if (rc)
			return rc;
	}
}

int hv_backup_read_buffer(const char *name, const char *data, size_t len,
			  struct hv_directory *out, struct hv_error *err)
{
	struct bk_reader rd = {0};
	struct hv_directory got = {0};
	struct hv_error local = {0};
	int rc;

	rd.name = name ? name : "-";
	rd.in.p = data ? data : "";
	rd.in.end = rd.in.p + (data ? len : 0);
	rd.out = &got;
	rd.err = err ? err : &local;
	hv_error_clear(rd.err);
	if (len >= 3 && memcmp(rd.in.p, "\xef\xbb\xbf", 3) == 0)
		rd.in.p += 3; /* a byte order mark from a Windows editor */
	rc = read_lines(&rd);
	if (rc == 0 && !got.n_entries)
		rc = hv_error_set(rd.err, HV_ERR_INPUT, rd.name,
				  "no records: "
				  "this is not an hvdoctor backup");
	hv_strbuf_release(&rd.in.text);
	hv_strbuf_release(&rd.value);
	if (rc == 0) {
		for (size_t i = 0; i < got.n_entries; i++) {
			HV_GROW(out->entries, out->n_entries, out->cap_entries);
			out->entries[out->n_entries++] = got.entries[i];
		}
		free(got.entries);
		free(got.base_dn);
	} else {
		hv_directory_clear(&got);
	}
	return rc;
}

int hv_backup_read_file(const char *path, struct hv_directory *out,
			struct hv_error *err)
{
	struct hv_strbuf data = HV_STRBUF_INIT;
	char chunk[16384];
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = 0, code;

	if (!f) {
		code = errno;
		rc = hv_error_set(err, HV_ERR_IO, path,
				  "cannot read the "
				  "backup file");
		hv_error_native(err, "libc", code, strerror(code));
		return rc;
	}
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (n > HV_BACKUP_MAX_FILE - data.len)
			rc = hv_error_set(err, HV_ERR_INPUT, path,
					  "larger "
					  "than %u bytes: not an hvdoctor "
					  "backup",
					  HV_BACKUP_MAX_FILE);
		else
			hv_strbuf_add(&data, chunk, n);
	}
	if (!rc && ferror(f)) {
		rc = hv_error_set(err, HV_ERR_IO, path,
				  "cannot read the "
				  "backup file");
		hv_error_native(err, "libc", EIO, strerror(EIO));
	}
	fclose(f);
	if (!rc)
		rc = hv_backup_read_buffer(path, hv_strbuf_str(&data), data.len,
					   out, err);
	hv_strbuf_release(&data);
	return rc;
}
