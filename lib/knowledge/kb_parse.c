/* Reader for the knowledge-base text format (kb/README.md): records of
 * "field: value" lines, two-space continuation lines, blank-line
 * separators, '#' comments. Every error names file:line. */
#include "knowledge/kb.h"

#include "base/alloc.h"
#include "knowledge/kb_internal.h"
#include "base/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 64

struct field {
	char name[24];
	struct hv_strbuf value;
	unsigned line;
	bool used;
};

struct record {
	struct field fields[MAX_FIELDS];
	size_t n;
	unsigned line; /* of the first field */
	const char *file;
};

static void record_reset(struct record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		hv_strbuf_release(&rec->fields[i].value);
	rec->n = 0;
}

static int at(struct hv_error *err, const char *file, unsigned line,
	      const char *msg, const char *detail)
{
	char where[300];

	snprintf(where, sizeof(where), "%s:%u", file, line);
	return hv_error_set(err, HV_ERR_INPUT, where, "%s%s%s%s", msg,
			    detail ? " '" : "", detail ? detail : "",
			    detail ? "'" : "");
}

/* Finds the only value of a field; marks it used. */
static const char *get(struct record *rec, const char *name)
{
	for (size_t i = 0; i < rec->n; i++) {
		if (strcmp(rec->fields[i].name, name) == 0) {
			rec->fields[i].used = true;
			return hv_strbuf_str(&rec->fields[i].value);
		}
	}
	return NULL;
}

static unsigned line_of(const struct record *rec, const char *name)
{
	for (size_t i = 0; i < rec->n; i++)
		if (strcmp(rec->fields[i].name, name) == 0)
			return rec->fields[i].line;
	return rec->line;
}

static int require(struct record *rec, const char *name, char **out,
		   struct hv_error *err)
{
	const char *v = get(rec, name);

	if (!v || !*v)
		return at(err, rec->file, rec->line,
			  "record lacks required field", name);
	*out = hv_strdup(v);
	return 0;
}

static char *optional(struct record *rec, const char *name)
{
	const char *v = get(rec, name);

	return v ? hv_strdup(v) : NULL;
}

/* Collects every value of a repeatable field into a new array. */
static char **all_values(struct record *rec, const char *name, size_t *out_n)
{
	char **values = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < rec->n; i++) {
		if (strcmp(rec->fields[i].name, name) != 0)
			continue;
		rec->fields[i].used = true;
		HV_GROW(values, n, cap);
		values[n++] = hv_strdup(hv_strbuf_str(&rec->fields[i].value));
	}
	*out_n = n;
	return values;
}

static int check_unused(const struct record *rec, struct hv_error *err)
{
	for (size_t i = 0; i < rec->n; i++)
		if (!rec->fields[i].used)
			return at(err, rec->file, rec->fields[i].line,
				  "unknown or repeated field",
				  rec->fields[i].name);
	return 0;
}

static int parse_severity(struct record *rec, enum hv_severity *out,
			  struct hv_error *err)
{
	const char *v = get(rec, "severity");

	if (!v)
		return at(err, rec->file, rec->line,
			  "record lacks required field", "severity");
	if (strcmp(v, "error") == 0)
		*out = HV_SEV_ERROR;
	else if (strcmp(v, "warning") == 0)
		*out = HV_SEV_WARNING;
	else if (strcmp(v, "info") == 0)
		*out = HV_SEV_INFO;
	else
		return at(err, rec->file, line_of(rec, "severity"),
			  "severity must be error, warning or info, not", v);
	return 0;
}

/* "COND[,COND...] SCORE REASON" */
static int parse_rule(const char *text, struct hv_rule *rule,
		      struct hv_error *err)
{
	char conds[256];
	size_t len = strcspn(text, " ");
	char *end = NULL;
	long score;

	memset(rule, 0, sizeof(*rule));
	if (len == 0 || len >= sizeof(conds))
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "context rule needs CONDITIONS SCORE "
				    "REASON");
	memcpy(conds, text, len);
	conds[len] = '\0';
	for (char *c = conds, *next; c; c = next) {
		next = strchr(c, ',');
		if (next)
			*next++ = '\0';
		if (rule->n_cond == HV_RULE_MAX_CONDITIONS)
			return hv_error_set(err, HV_ERR_INPUT, NULL,
					    "context rule has more than %d "
					    "conditions",
					    HV_RULE_MAX_CONDITIONS);
		if (hv_ctx_condition_parse(c, &rule->cond[rule->n_cond++],
					   err) < 0)
			return HV_ERR_INPUT;
	}
	text += len;
	/* "out": the facts exclude the cause, whatever its evidence */
	if (strncmp(text, " out ", 5) == 0 && text[5]) {
		rule->out = true;
		rule->reason = hv_strdup(text + 5);
		return 0;
	}
	errno = 0;
	score = strtol(text, &end, 10);
	if (end == text || errno || score < -1000 || score > 1000 ||
	    *end != ' ' || !end[1])
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "context rule needs a score (-1000..1000)"
				    " or 'out', and a reason after the "
				    "conditions");
	rule->score = (int)score;
	rule->reason = hv_strdup(end + 1);
	return 0;
}

static int parse_rules(struct record *rec, struct hv_cause *cause,
		       struct hv_error *err)
{
	for (size_t i = 0; i < rec->n; i++) {
		struct field *f = &rec->fields[i];

		if (strcmp(f->name, "context") != 0)
			continue;
		f->used = true;
		cause->rules = hv_reallocarray(cause->rules, cause->n_rules + 1,
					       sizeof(*cause->rules));
		if (parse_rule(hv_strbuf_str(&f->value),
			       &cause->rules[cause->n_rules], err) < 0) {
			if (err)
				snprintf(err->where, sizeof(err->where),
					 "%s:%u", rec->file, f->line);
			return HV_ERR_INPUT;
		}
		cause->n_rules++;
	}
	return 0;
}

static bool is_slug(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return false;
	return true;
}

/* True if s starts with "hvdoctor WORD" and WORD is a command-like
 * slug; *out_len is WORD's length. */
static bool names_command(const char *s, size_t *out_len)
{
	size_t n;

	if (strncmp(s, "hvdoctor ", 9) != 0)
		return false;
	n = strspn(s + 9, "abcdefghijklmnopqrstuvwxyz-");
	*out_len = n;
	return n > 0 &&
	       (s[9 + n] == '\0' || s[9 + n] == ' ' || s[9 + n] == '\n');
}

/* checked-by: "none", or lines that each start "hvdoctor COMMAND"; a
 * line that does not continues the one before it. */
static int parse_checks(struct record *rec, struct hv_cause *cause,
			struct hv_error *err)
{
	const char *v = cause->checked_by;
	size_t cap = 0;

	if (!v || strcmp(v, "none") == 0)
		return 0;
	while (*v) {
		size_t line = strcspn(v, "\n"), word;

		if (names_command(v, &word)) {
			HV_GROW(cause->checks, cause->n_checks, cap);
			cause->checks[cause->n_checks].command =
				hv_strndup(v + 9, word);
			cause->checks[cause->n_checks].text =
				hv_strndup(v, line);
			cause->n_checks++;
		} else if (cause->n_checks) {
			struct hv_cause_check *c =
				&cause->checks[cause->n_checks - 1];
			struct hv_strbuf sb = HV_STRBUF_INIT;

			hv_strbuf_addf(&sb, "%s\n%.*s", c->text, (int)line, v);
			free(c->text);
			c->text = hv_strbuf_detach(&sb);
		} else {
			return at(err, rec->file, line_of(rec, "checked-by"),
				  "checked-by is 'none' or lines that start "
				  "'hvdoctor COMMAND', not",
				  cause->checked_by);
		}
		v += line;
		v += *v == '\n';
	}
	return 0;
}

void hv_kb_cause_free(struct hv_cause *cause)
{
	free(cause->id);
	free(cause->title);
	free(cause->explain);
	free(cause->confirm);
	free(cause->fix);
	free(cause->verify);
	free(cause->checked_by);
	free(cause->source);
	free(cause->origin);
	for (size_t i = 0; i < cause->n_rules; i++)
		free(cause->rules[i].reason);
	free(cause->rules);
	for (size_t i = 0; i < cause->n_checks; i++) {
		free(cause->checks[i].command);
		free(cause->checks[i].text);
	}
	free(cause->checks);
	memset(cause, 0, sizeof(*cause));
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

void hv_kb_signature_free(struct hv_signature *sig)
{
	free(sig->id);
	free(sig->channel);
	free_list(sig->names, sig->n_names);
	free_list(sig->fragments, sig->n_fragments);
	free_list(sig->folded, sig->n_fragments);
	free(sig->meaning);
	free(sig->phase);
	free(sig->note);
	free(sig->outside);
	free(sig->source);
	free(sig->status);
	free(sig->message);
	free_list(sig->cause_ids, sig->n_causes);
	free(sig->cause_index);
	free(sig->origin);
	memset(sig, 0, sizeof(*sig));
}

static char *origin_of(const struct record *rec)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	hv_strbuf_addf(&sb, "%s:%u", rec->file, rec->line);
	return hv_strbuf_detach(&sb);
}

static int cause_from_record(struct record *rec, struct hv_cause *cause,
			     struct hv_error *err)
{
	int rc;

	memset(cause, 0, sizeof(*cause));
	cause->origin = origin_of(rec);
	if ((rc = require(rec, "cause", &cause->id, err)) < 0 ||
	    (rc = require(rec, "title", &cause->title, err)) < 0 ||
	    (rc = parse_severity(rec, &cause->severity, err)) < 0 ||
	    (rc = require(rec, "explain", &cause->explain, err)) < 0 ||
	    (rc = require(rec, "confirm", &cause->confirm, err)) < 0 ||
	    (rc = require(rec, "fix", &cause->fix, err)) < 0 ||
	    (rc = require(rec, "verify", &cause->verify, err)) < 0 ||
	    (rc = require(rec, "checked-by", &cause->checked_by, err)) < 0 ||
	    (rc = parse_checks(rec, cause, err)) < 0 ||
	    (rc = parse_rules(rec, cause, err)) < 0)
		return rc;
	cause->source = optional(rec, "source");
	if (!is_slug(cause->id))
		return at(err, rec->file, rec->line,
			  "a cause id is a lower-case slug, not", cause->id);
	return check_unused(rec, err);
}

static int parse_kind(struct record *rec, enum hv_sig_kind *out,
		      struct hv_error *err)
{
	static const char *const names[] = {"hresult", "win32", "kerberos",
					    "event", "message"};
	const char *v = get(rec, "kind");

	if (!v)
		return at(err, rec->file, rec->line,
			  "record lacks required field", "kind");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (enum hv_sig_kind)i;
			return 0;
		}
	}
	return at(err, rec->file, line_of(rec, "kind"),
		  "kind must be hresult, win32, kerberos, event or message,"
		  " not",
		  v);
}

/* HRESULTs are written 0x + 8 hex digits so that a typo cannot turn one
 * into a different, valid code; win32/kerberos codes and event ids are
 * decimal. */
static int parse_number(struct record *rec, const char *field, bool hex8,
			uint32_t *out, struct hv_error *err)
{
	const char *v = get(rec, field);
	char *end = NULL;
	unsigned long n;

	if (!v)
		return at(err, rec->file, rec->line,
			  "record lacks required field", field);
	errno = 0;
	/* strtoul alone would take a sign or leading blanks */
	if (hex8) {
		if (strlen(v) != 10 || v[0] != '0' || v[1] != 'x' ||
		    strspn(v + 2, "0123456789abcdefABCDEF") != 8)
			return at(err, rec->file, line_of(rec, field),
				  "an HRESULT is 0x and 8 hex digits, not", v);
		n = strtoul(v + 2, &end, 16);
	} else {
		n = strtoul(v, &end, 10);
	}
	if (errno || !end || *end || n > UINT32_MAX || v[0] < '0' || v[0] > '9')
		return at(err, rec->file, line_of(rec, field),
			  "not a valid number", v);
	*out = (uint32_t)n;
	return 0;
}

static int split_causes(struct record *rec, struct hv_signature *sig,
			struct hv_error *err)
{
	const char *v = get(rec, "causes");
	size_t cap = 0;

	if (!v || !*v)
		return at(err, rec->file, rec->line,
			  "record lacks required field", "causes");
	if (strcmp(v, "none") == 0)
		return 0;
	while (*v) {
		size_t len = strcspn(v, " \n");

		if (len) {
			HV_GROW(sig->cause_ids, sig->n_causes, cap);
			sig->cause_ids[sig->n_causes++] = hv_strndup(v, len);
		}
		v += len;
		v += strspn(v, " \n");
	}
	return 0;
}

static int signature_codes(struct record *rec, struct hv_signature *sig,
			   struct hv_error *err)
{
	switch (sig->kind) {
	case HV_SIG_HRESULT:
		return parse_number(rec, "code", true, &sig->code, err);
	case HV_SIG_WIN32:
	case HV_SIG_KERBEROS:
		return parse_number(rec, "code", false, &sig->code, err);
	case HV_SIG_EVENT: {
		uint32_t id;
		int rc = parse_number(rec, "event", false, &id, err);

		if (rc < 0)
			return rc;
		if (id > 65535)
			return at(err, rec->file, line_of(rec, "event"),
				  "event ids are 0..65535", NULL);
		sig->event = id;
		return require(rec, "channel", &sig->channel, err);
	}
	case HV_SIG_MESSAGE:
		if (sig->n_fragments == 0)
			return at(err, rec->file, rec->line,
				  "a message signature needs a fragment", NULL);
		return 0;
	}
	return 0;
}

/* container: yes|no (default no) */
static int parse_container(struct record *rec, struct hv_signature *sig,
			   struct hv_error *err)
{
	const char *v = get(rec, "container");

	if (!v || strcmp(v, "no") == 0)
		return 0;
	if (strcmp(v, "yes") != 0)
		return at(err, rec->file, line_of(rec, "container"),
			  "container is yes or no, not", v);
	sig->container = true;
	return 0;
}

static size_t count_blanks(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r';
	return n;
}

static int signature_from_record(struct record *rec, struct hv_signature *sig,
				 struct hv_error *err)
{
	int rc;

	memset(sig, 0, sizeof(*sig));
	sig->origin = origin_of(rec);
	if ((rc = require(rec, "signature", &sig->id, err)) < 0 ||
	    (rc = parse_kind(rec, &sig->kind, err)) < 0)
		return rc;
	sig->names = all_values(rec, "name", &sig->n_names);
	sig->fragments = all_values(rec, "fragment", &sig->n_fragments);
	if (sig->kind != HV_SIG_EVENT)
		sig->channel = optional(rec, "channel");
	if ((rc = signature_codes(rec, sig, err)) < 0 ||
	    (rc = require(rec, "meaning", &sig->meaning, err)) < 0 ||
	    (rc = split_causes(rec, sig, err)) < 0)
		return rc;
	sig->phase = optional(rec, "phase");
	sig->note = optional(rec, "note");
	sig->status = optional(rec, "status");
	sig->outside = optional(rec, "outside");
	sig->source = optional(rec, "source");
	if (sig->outside && sig->n_causes)
		return at(err, rec->file, line_of(rec, "outside"),
			  "a signature outside what hvdoctor diagnoses names "
			  "no cause (causes: none), so not",
			  sig->cause_ids[0]);
	if (sig->kind == HV_SIG_EVENT)
		sig->message = optional(rec, "message");
	if ((rc = parse_container(rec, sig, err)) < 0)
		return rc;
	sig->folded = sig->n_fragments
			      ? hv_calloc(sig->n_fragments, sizeof(char *))
			      : NULL;
	for (size_t i = 0; i < sig->n_fragments; i++)
		sig->folded[i] = hv_kb_fold(sig->fragments[i]);
	if (!is_slug(sig->id))
		return at(err, rec->file, rec->line,
			  "a signature id is a lower-case slug, not", sig->id);
	/* blanks do not count: a blank fragment would match any text */
	for (size_t i = 0; i < sig->n_fragments; i++)
		if (strlen(sig->fragments[i]) -
			    count_blanks(sig->fragments[i]) <
		    8)
			return at(err, rec->file, rec->line,
				  "fragment too short to be specific",
				  sig->fragments[i]);
	return check_unused(rec, err);
}

/* Adds a record to kb; a record whose id exists replaces the old one, so
 * a --kb directory can correct the built-in knowledge. */
static int store_record(struct hv_kb *kb, struct record *rec,
			struct hv_error *err)
{
	int rc;

	if (strcmp(rec->fields[0].name, "cause") == 0) {
		struct hv_cause cause;
		long idx;

		if ((rc = cause_from_record(rec, &cause, err)) < 0) {
			hv_kb_cause_free(&cause);
			return rc;
		}
		idx = hv_kb_cause_index(kb, cause.id);
		if (idx >= 0) {
			hv_kb_cause_free(&kb->causes[idx]);
			kb->causes[idx] = cause;
			return 0;
		}
		HV_GROW(kb->causes, kb->n_causes, kb->cap_causes);
		kb->causes[kb->n_causes++] = cause;
		return 0;
	}
	if (strcmp(rec->fields[0].name, "signature") == 0) {
		struct hv_signature sig;

		if ((rc = signature_from_record(rec, &sig, err)) < 0) {
			hv_kb_signature_free(&sig);
			return rc;
		}
		for (size_t i = 0; i < kb->n_sigs; i++) {
			if (strcmp(kb->sigs[i].id, sig.id) == 0) {
				hv_kb_signature_free(&kb->sigs[i]);
				kb->sigs[i] = sig;
				return 0;
			}
		}
		HV_GROW(kb->sigs, kb->n_sigs, kb->cap_sigs);
		kb->sigs[kb->n_sigs++] = sig;
		return 0;
	}
	return at(err, rec->file, rec->line,
		  "a record starts with 'cause:' or 'signature:', not",
		  rec->fields[0].name);
}

/* Adds "name: value" at line to rec. */
static int add_field(struct record *rec, const char *line, size_t len,
		     unsigned lineno, struct hv_error *err)
{
	size_t name_len = 0;
	struct field *f;

	while (name_len < len &&
	       ((line[name_len] >= 'a' && line[name_len] <= 'z') ||
		line[name_len] == '-'))
		name_len++;
	if (name_len == 0 || name_len >= sizeof(f->name) || name_len >= len ||
	    line[name_len] != ':')
		return at(err, rec->file, lineno,
			  "expected 'field: value' (lower-case field name)",
			  NULL);
	if (rec->n == MAX_FIELDS)
		return at(err, rec->file, lineno, "too many fields in record",
			  NULL);
	f = &rec->fields[rec->n++];
	memset(f, 0, sizeof(*f));
	memcpy(f->name, line, name_len);
	f->line = lineno;
	line += name_len + 1;
	len -= name_len + 1;
	if (len && *line == ' ') {
		line++;
		len--;
	}
	hv_strbuf_add(&f->value, line, len);
	if (rec->n == 1)
		rec->line = lineno;
	return 0;
}

static int end_record(struct hv_kb *kb, struct record *rec,
		      struct hv_error *err)
{
	int rc = rec->n ? store_record(kb, rec, err) : 0;

	record_reset(rec);
	return rc;
}

/* Handles one line; returns 0 or an error. */
static int take_line(struct hv_kb *kb, struct record *rec, const char *line,
		     size_t len, unsigned lineno, struct hv_error *err)
{
	size_t blank = 0;

	if (len && line[len - 1] == '\r')
		len--;
	/* the text need not be NUL-terminated: stay within the line */
	while (blank < len && (line[blank] == ' ' || line[blank] == '\t'))
		blank++;
	if (len && line[0] == '#')
		return 0;
	if (blank >= len)
		return end_record(kb, rec, err);
	if (len >= 2 && line[0] == ' ' && line[1] == ' ') {
		if (rec->n == 0)
			return at(err, rec->file, lineno,
				  "continuation line outside a field", NULL);
		hv_strbuf_addch(&rec->fields[rec->n - 1].value, '\n');
		hv_strbuf_add(&rec->fields[rec->n - 1].value, line + 2,
			      len - 2);
		return 0;
	}
	if (line[0] == ' ' || line[0] == '\t')
		return at(err, rec->file, lineno,
			  "continuation lines start with exactly two spaces",
			  NULL);
	return add_field(rec, line, len, lineno, err);
}

int hv_kb_parse(struct hv_kb *kb, const char *name, const char *text,
		size_t len, struct hv_error *err)
{
	struct record *rec = hv_calloc(1, sizeof(*rec));
	unsigned lineno = 0;
	size_t pos = 0;
	int rc = 0;

	rec->file = name;
	if (memchr(text, '\0', len)) {
		rc = at(err, name, 1, "file contains a NUL byte", NULL);
		goto out;
	}
	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		rc = take_line(kb, rec, text + pos, line_len, lineno, err);
		pos += line_len + (nl ? 1 : 0);
	}
	if (rc == 0)
		rc = end_record(kb, rec, err);
out:
	record_reset(rec);
	free(rec);
	return rc;
}
