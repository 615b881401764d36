/* The backup reader (the format is in backup.h). Lines are unfolded and
 * values decoded by the LDIF reader's own code (ldif_lines.h), so a
 * backup reads exactly as ldapmodify would read it; what a rollback may
 * write is checked here, before anybody connects to AD. Linear in the
 * input: DNs and values are looked up through hash maps. */
#include "remedy/backup.h"

#include "base/alloc.h"
#include "base/file.h"
#include "base/term.h"
#include "base/utf8.h"
#include "sources/ldif.h"
#include "sources/ldif_lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum bk_state {
	BK_NONE,   /* between records */
	BK_DN,	   /* read "dn:", "# had:" or "changetype: modify" follow */
	BK_MODS,   /* "add:"/"delete:" or the end of the record may follow */
	BK_VALUES, /* values of the mod, or "-" */
};

/* What the header says, to hold the records against. */
struct bk_header {
	int format;
	char id[HV_BACKUP_ID_LEN + 1];
	bool have_records;
	size_t n_records;
	char **objects;
	size_t n_objects, cap_objects;
};

struct bk_reader {
	const char *name;
	struct hv_ldif_lines in;
	enum bk_state state;
	bool seen_text;
	struct bk_header head;
	char attr[HV_LDIF_MAX_NAME + 1];
	struct hv_strbuf value;
	struct hv_backup *out;
	struct hv_backup_record *rec; /* the record being read, in out */
	struct hv_backup_mod *mod;    /* its mod being read */
	struct hv_strmap had_seen;    /* "dn\1attr" of every "# had:" */
	struct hv_strbuf key;
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

/* Splits "attr: value" at s into rd->attr and rd->value; -1 on error
 * (reported when report is set). */
static int field(struct bk_reader *rd, const char *s, size_t n, bool report)
{
	struct hv_strbuf why = HV_STRBUF_INIT;
	int rc = hv_ldif_parse_field(s, n, rd->attr, &rd->value, &why);

	if (rc && report)
		bad(rd, "%s", hv_strbuf_str(&why));
	hv_strbuf_release(&why);
	return rc;
}

/* ------------------------------------------------------------------ *
 * Comments: the header, and "# had:" in a record                      *
 * ------------------------------------------------------------------ */

static int header_line(struct bk_reader *rd, const char *s, size_t n)
{
	struct bk_header *h = &rd->head;
	const char *v;

	if (field(rd, s, n, false))
		return 0; /* an ordinary comment */
	v = value_str(rd);
	if (attr_is(rd, "hvdoctor-backup")) {
		h->format = strcmp(v, "2") == 0 ? 2 : -1;
		if (h->format < 0)
			return bad(rd,
				   "a backup in format '%.20s'; this "
				   "hvdoctor reads format 2",
				   v);
	} else if (attr_is(rd, "change")) {
		if (rd->value.len != HV_BACKUP_ID_LEN ||
		    strspn(v, "0123456789abcdef") != HV_BACKUP_ID_LEN)
			return bad(rd, "'# change:' needs %d hex digits",
				   HV_BACKUP_ID_LEN);
		memcpy(h->id, v, HV_BACKUP_ID_LEN + 1);
	} else if (attr_is(rd, "records")) {
		char *end;
		unsigned long long k = strtoull(v, &end, 10);

		if (!rd->value.len || *end || v[0] == '-' || k > SIZE_MAX)
			return bad(rd, "'# records:' needs a number");
		h->have_records = true;
		h->n_records = (size_t)k;
	} else if (attr_is(rd, "object")) {
		HV_GROW(h->objects, h->n_objects, h->cap_objects);
		h->objects[h->n_objects++] = hv_strndup(v, rd->value.len);
	}
	return 0;
}

/* The "# had:" entry of attr in the record, made on first use; once per
 * object and attribute in the whole file. */
static struct hv_backup_had *had_of(struct bk_reader *rd, const char *attr,
				    bool none)
{
	struct hv_backup_record *rec = rd->rec;

	for (size_t i = 0; i < rec->n_had; i++)
		if (rec->had[i].attr == attr)
			return none || !rec->had[i].n_values ? NULL
							     : &rec->had[i];
	hv_strbuf_reset(&rd->key);
	hv_strbuf_addf(&rd->key, "%s\1%s", rec->dn, attr);
	if (!hv_strmap_put(&rd->had_seen, rd->key.buf, rd->key.len, 0, NULL))
		return NULL;
	hv_backup_add_had(rec, attr, NULL);
	return &rec->had[rec->n_had - 1];
}

static int had_line(struct bk_reader *rd, const char *s, size_t n)
{
	static const char had[] = "# had: ", none[] = "# had none: ";
	bool is_none =
		n >= sizeof(none) - 1 && memcmp(s, none, sizeof(none) - 1) == 0;
	const char *attr;
	struct hv_backup_had *h;

	if (!is_none &&
	    (n < sizeof(had) - 1 || memcmp(s, had, sizeof(had) - 1) != 0))
		return 0; /* an ordinary comment */
	if (rd->state != BK_DN)
		return bad(rd, "'# had' lines belong between 'dn:' and "
			       "'changetype:'");
	if (is_none) {
		attr = hv_backup_managed_attr(s + sizeof(none) - 1,
					      n - (sizeof(none) - 1));
	} else {
		if (field(rd, s + sizeof(had) - 1, n - (sizeof(had) - 1), true))
			return HV_ERR_INPUT;
		attr = hv_backup_managed_attr(rd->attr, strlen(rd->attr));
	}
	if (!attr || strcmp(attr, "userAccountControl") == 0)
		return bad(rd, "'# had' names an attribute other than "
			       "msDS-AllowedToDelegateTo or "
			       "servicePrincipalName");
	h = had_of(rd, attr, is_none);
	if (!h)
		return bad(rd, "'# had' for %s of this object is given twice",
			   attr);
	if (!is_none)
		hv_backup_add_value(&h->values, &h->n_values, &h->cap_values,
				    value_str(rd), rd->value.len);
	return 0;
}

static int comment_line(struct bk_reader *rd)
{
	const char *s = hv_strbuf_str(&rd->in.text);
	size_t n = rd->in.text.len;

	if (rd->in.too_long)
		return bad(rd, "line longer than %u bytes once unfolded",
			   HV_LDIF_MAX_LINE);
	if (rd->state != BK_NONE)
		return had_line(rd, s, n);
	if (rd->out->n_records || n < 2 || s[1] != ' ')
		return 0;
	return header_line(rd, s + 2, n - 2);
}

/* ------------------------------------------------------------------ *
 * Records                                                             *
 * ------------------------------------------------------------------ */

static int start_record(struct bk_reader *rd, bool first_line)
{
	const char *dn = value_str(rd);
	char origin[600];

	if (first_line && attr_is(rd, "version"))
		return strcmp(dn, "1") == 0
			       ? 0
			       : bad(rd, "unsupported LDIF version (RFC 2849 "
					 "note 1)");
	if (!attr_is(rd, "dn"))
		return bad(rd, "expected 'dn:' to start a record, found '%s:'",
			   rd->attr);
	if (rd->head.format != HV_BACKUP_FORMAT)
		return bad(rd, "no '# hvdoctor-backup: 2' header before the "
			       "first record: not an hvdoctor backup, or one "
			       "from an older hvdoctor (restore that by hand "
			       "with ldapmodify, after reading it)");
	if (!rd->value.len || memchr(dn, '\0', rd->value.len) ||
	    !hv_utf8_valid(dn, rd->value.len))
		return bad(rd, "the DN is empty, has a NUL byte or is not "
			       "UTF-8 (RFC 2849 note 7)");
	snprintf(origin, sizeof(origin), "%s:%zu", rd->name, rd->in.line);
	rd->rec = hv_backup_add_record(rd->out, dn, origin);
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

static int mod_line(struct bk_reader *rd)
{
	bool add = attr_is(rd, "add");
	const char *attr;

	if (attr_is(rd, "replace"))
		return bad(rd, "'replace:' is refused: a rollback deletes and "
			       "adds values one by one, so that what others "
			       "changed since stays");
	if (!add && !attr_is(rd, "delete"))
		return bad(rd,
			   "only 'add:' and 'delete:' are read from a "
			   "backup, not '%s:'",
			   rd->attr);
	attr = hv_backup_managed_attr(value_str(rd), rd->value.len);
	if (!attr) {
		struct hv_strbuf shown = HV_STRBUF_INIT;
		int rc;

		hv_term_escape(&shown, value_str(rd),
			       rd->value.len < 80 ? rd->value.len : 80);
		rc = bad(rd,
			 "'%s' is not an attribute hvdoctor manages "
			 "(msDS-AllowedToDelegateTo, servicePrincipalName, "
			 "userAccountControl): refused",
			 hv_strbuf_str(&shown));
		hv_strbuf_release(&shown);
		return rc;
	}
	for (size_t m = 0; m < rd->rec->n_mods; m++)
		if (rd->rec->mods[m].attr == attr &&
		    rd->rec->mods[m].op ==
			    (add ? HV_BACKUP_ADD : HV_BACKUP_DELETE))
			return bad(rd, "'%s: %s' twice in one record",
				   add ? "add" : "delete", attr);
	rd->mod = hv_backup_add_mod(
		rd->rec, add ? HV_BACKUP_ADD : HV_BACKUP_DELETE, attr);
	rd->state = BK_VALUES;
	return 0;
}

static int value_line(struct bk_reader *rd)
{
	if (!attr_is(rd, rd->mod->attr))
		return bad(rd,
			   "a '%s:' value inside '%s: %s' (values must name "
			   "its attribute)",
			   rd->attr,
			   rd->mod->op == HV_BACKUP_ADD ? "add" : "delete",
			   rd->mod->attr);
	/* the DC judges the rest: a plan may remove an SPN with controls in
	 * it, and its rollback must be able to put that back */
	if (memchr(value_str(rd), '\0', rd->value.len))
		return bad(rd, "a value of %s has a NUL byte", rd->mod->attr);
	hv_backup_add_value(&rd->mod->values, &rd->mod->n_values,
			    &rd->mod->cap_values, value_str(rd), rd->value.len);
	return 0;
}

static int text_line(struct bk_reader *rd)
{
	const char *text = hv_strbuf_str(&rd->in.text);
	bool first_line = !rd->seen_text;

	rd->seen_text = true;
	if (rd->in.too_long)
		return bad(rd, "line longer than %u bytes once unfolded",
			   HV_LDIF_MAX_LINE);
	if (rd->in.text.len == 1 && text[0] == '-') {
		if (rd->state != BK_VALUES)
			return bad(rd, "'-' without 'add:' or 'delete:' "
				       "before it");
		if (!rd->mod->n_values)
			return bad(rd,
				   "'%s: %s' without values (that would "
				   "remove every value)",
				   rd->mod->op == HV_BACKUP_ADD ? "add"
								: "delete",
				   rd->mod->attr);
		rd->state = BK_MODS;
		return 0;
	}
	if (field(rd, text, rd->in.text.len, true))
		return HV_ERR_INPUT;
	switch (rd->state) {
	case BK_NONE:
		return start_record(rd, first_line);
	case BK_DN:
		return changetype_line(rd);
	case BK_MODS:
		return mod_line(rd);
	case BK_VALUES:
		return value_line(rd);
	}
	return 0;
}

/* A userAccountControl value as written: decimal, at most 32 bits. */
static bool uac_number(const struct hv_value *v, uint32_t *out)
{
	unsigned long long n = 0;

	if (!v->len || v->len > 10)
		return false;
	for (size_t i = 0; i < v->len; i++) {
		if (v->data[i] < '0' || v->data[i] > '9')
			return false;
		n = n * 10 + (unsigned)(v->data[i] - '0');
	}
	*out = (uint32_t)n;
	return n <= UINT32_MAX;
}

/* userAccountControl comes back as hvdoctor changes it: the exact value
 * the change set is deleted and the one it replaced added, in that
 * order, and the only difference is protocol transition, cleared. A
 * rollback never enables, disables or turns an account into something
 * else, never sets TRUSTED_FOR_DELEGATION and never clears NOT_DELEGATED
 * (MS-ADTS 2.2.16): `apply` only ever sets protocol transition. */
static int check_uac(struct bk_reader *rd)
{
	const struct hv_backup_mod *del = NULL, *add = NULL;
	size_t n = 0;
	uint32_t old, now;

	for (size_t m = 0; m < rd->rec->n_mods; m++) {
		const struct hv_backup_mod *mod = &rd->rec->mods[m];

		if (strcmp(mod->attr, "userAccountControl") != 0)
			continue;
		n++;
		if (mod->op == HV_BACKUP_DELETE && m + 1 < rd->rec->n_mods &&
		    rd->rec->mods[m + 1].attr == mod->attr) {
			del = mod;
			add = &rd->rec->mods[m + 1];
		}
	}
	if (!n)
		return 0;
	if (n != 2 || !del || !add || del->n_values != 1 ||
	    add->n_values != 1 || !uac_number(&del->values[0], &now) ||
	    !uac_number(&add->values[0], &old))
		return bad(rd, "userAccountControl is restored only as "
			       "'delete:' of one number, then right after it "
			       "'add:' of one");
	if ((now ^ old) != HV_BACKUP_UAC_BITS || (old & HV_BACKUP_UAC_BITS))
		return bad(rd,
			   "userAccountControl %u -> %u: a rollback only ever "
			   "clears protocol transition (0x%x) and changes "
			   "nothing else: refused",
			   now, old, HV_BACKUP_UAC_BITS);
	return 0;
}

/* The service class of an SPN or delegation entry, "class/host...". */
static bool has_class(const struct hv_value *v, const char *cls)
{
	size_t len = strlen(cls);

	return v->len > len && v->data[len] == '/' &&
	       strncasecmp(v->data, cls, len) == 0;
}

/* The values a rollback writes are those hvdoctor writes: delegation
 * entries to the migration service and cifs, and HOST/ and migration
 * SPNs (class compared as AD compares SPNs, without regard to case). */
static int check_values(struct bk_reader *rd)
{
	for (size_t m = 0; m < rd->rec->n_mods; m++) {
		const struct hv_backup_mod *mod = &rd->rec->mods[m];
		bool a2d = strcmp(mod->attr, "msDS-AllowedToDelegateTo") == 0;

		if (!a2d && strcmp(mod->attr, "servicePrincipalName") != 0)
			continue;
		for (size_t v = 0; v < mod->n_values; v++) {
			const struct hv_value *val = &mod->values[v];
			bool ok = has_class(val, HV_SPN_VSMS) ||
				  has_class(val, a2d ? "cifs" : "HOST");

			if (!ok)
				return bad(rd,
					   a2d ? "a rollback writes only "
						 "migration-service and cifs "
						 "delegation entries: refused"
					       : "a rollback writes only HOST "
						 "and migration-service SPNs: "
						 "refused");
		}
	}
	return 0;
}

/* A value both deleted and added in one record (compared as AD does,
 * without regard to case) makes no sense. */
static int check_overlap(struct bk_reader *rd)
{
	struct hv_strmap deleted = {0};
	size_t unused;
	int rc = 0;

	for (int pass = 0; pass < 2 && !rc; pass++)
		for (size_t m = 0; m < rd->rec->n_mods && !rc; m++) {
			const struct hv_backup_mod *mod = &rd->rec->mods[m];

			if (mod->op !=
			    (pass ? HV_BACKUP_ADD : HV_BACKUP_DELETE))
				continue;
			for (size_t v = 0; v < mod->n_values && !rc; v++) {
				hv_strbuf_reset(&rd->key);
				hv_strbuf_addf(&rd->key, "%s\1", mod->attr);
				hv_strbuf_add(&rd->key, mod->values[v].data,
					      mod->values[v].len);
				if (!pass)
					hv_strmap_put(&deleted, rd->key.buf,
						      rd->key.len, 0, NULL);
				else if (hv_strmap_get(&deleted, rd->key.buf,
						       rd->key.len, &unused))
					rc = bad(rd,
						 "a value of %s is both "
						 "deleted and added",
						 mod->attr);
			}
		}
	hv_strmap_release(&deleted);
	return rc;
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
			   "the values of '%s: %s' end without '-' (RFC "
			   "2849 mod-spec)",
			   rd->mod->op == HV_BACKUP_ADD ? "add" : "delete",
			   rd->mod->attr);
	case BK_MODS:
		break;
	}
	if (!rd->rec->n_mods)
		return bad(rd, "a record that changes nothing");
	rd->state = BK_NONE;
	if (check_uac(rd) || check_values(rd) || check_overlap(rd))
		return HV_ERR_INPUT;
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
			rc = comment_line(rd);
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

/* The records must be what the header says: their number, their objects
 * in order, and the id of their content. A file cut at a record
 * boundary, or edited, fails here. */
static int check_header(struct bk_reader *rd)
{
	const struct bk_header *h = &rd->head;
	struct hv_backup *bk = rd->out;
	const char *what = NULL;

	if (!bk->n_records)
		what = "no records: this is not an hvdoctor backup";
	else if (!h->id[0] || !h->have_records)
		what = "the header lacks '# change:' or '# records:'";
	else if (h->n_records != bk->n_records)
		what = "it holds another number of records than its header "
		       "says (cut short, or edited): refused";
	if (!what) {
		hv_backup_seal(bk);
		if (h->n_objects != bk->n_objects)
			what = "its records name other objects than its "
			       "header lists: refused";
		for (size_t i = 0; !what && i < bk->n_objects; i++)
			if (strcmp(h->objects[i], bk->objects[i]) != 0)
				what = "its records name other objects than "
				       "its header lists: refused";
		if (!what && strcmp(h->id, bk->id) != 0)
			what = "its records are not those of the change its "
			       "header names (damaged, cut or mixed up): "
			       "refused";
	}
	return what ? hv_error_set(rd->err, HV_ERR_INPUT, rd->name, "%s", what)
		    : 0;
}

int hv_backup_read_buffer(const char *name, const char *data, size_t len,
			  struct hv_backup *out, struct hv_error *err)
{
	struct bk_reader rd = {0};
	struct hv_error local = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	rd.name = name ? name : "-";
	rd.in.p = data ? data : "";
	rd.in.end = rd.in.p + (data ? len : 0);
	rd.out = out;
	rd.err = err ? err : &local;
	hv_error_clear(rd.err);
	if (len >= 3 && memcmp(rd.in.p, "\xef\xbb\xbf", 3) == 0)
		rd.in.p += 3; /* a byte order mark from a Windows editor */
	rc = read_lines(&rd);
	if (rc == 0)
		rc = check_header(&rd);
	hv_strbuf_release(&rd.in.text);
	hv_strbuf_release(&rd.value);
	hv_strbuf_release(&rd.key);
	hv_strmap_release(&rd.had_seen);
	for (size_t i = 0; i < rd.head.n_objects; i++)
		free(rd.head.objects[i]);
	free(rd.head.objects);
	if (rc)
		hv_backup_release(out);
	return rc;
}

int hv_backup_read_file(const char *path, struct hv_backup *out,
			struct hv_error *err)
{
	struct hv_strbuf data = HV_STRBUF_INIT;
	int rc = hv_file_read(path, HV_BACKUP_MAX_FILE, "the backup file",
			      &data, err);

	memset(out, 0, sizeof(*out));
	if (!rc)
		rc = hv_backup_read_buffer(path, hv_strbuf_str(&data), data.len,
					   out, err);
	hv_strbuf_release(&data);
	return rc;
}
