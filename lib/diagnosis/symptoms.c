/* Recognising symptoms in what an admin pastes. Codes are matched in
 * every spelling Windows tools print them, and event ids under the label
 * Event Viewer gives them in any of its languages; pasted text is also
 * searched for the knowledge base's message fragments. The facts around
 * them (hosts, VMs, phase, progress) are read in text_facts.c. */
#include "diagnosis/symptoms_internal.h"

#include "base/alloc.h"
#include "base/textnorm.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* krb5's com_err table base (krb5_err.et): library codes are the
 * Kerberos protocol error (RFC 4120 section 7.5.9) plus this base. */
#define KRB5_ERROR_TABLE_BASE (-1765328384L)

#define DIGITS "0123456789"
#define HEX "0123456789abcdefABCDEF"
#define NAME_CHARS                                                             \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789"

struct scan {
	const struct hv_kb *kb;
	struct hv_symptoms *out;
	unsigned input;
	unsigned line;
	const char *line_start; /* of the line being scanned */
};

static struct hv_symptom *find_symptom(struct hv_symptoms *s, size_t sig)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].sig == sig)
			return &s->items[i];
	return NULL;
}

static void fill_symptom(struct hv_symptom *item, const struct scan *sc,
			 const char *matched, size_t len, const char *as,
			 enum hv_match how)
{
	item->matched = hv_strndup(matched, len);
	item->as = hv_strdup(as);
	item->how = how;
	item->input = sc->input;
	item->line = sc->line;
}

/* A signature is one symptom however often it is seen; what is kept is
 * its strongest sighting (the HRESULT rather than the bare event id). */
static void add_symptom(struct scan *sc, size_t sig, const char *matched,
			size_t len, const char *as, enum hv_match how)
{
	struct hv_symptoms *s = sc->out;
	struct hv_symptom *item = find_symptom(s, sig);

	if (item) {
		if (how <= item->how)
			return;
		free(item->matched);
		free(item->as);
	} else {
		HV_GROW(s->items, s->n, s->cap);
		item = &s->items[s->n++];
		item->sig = sig;
	}
	fill_symptom(item, sc, matched, len, as, how);
}

static void add_unknown(struct scan *sc, const char *text, size_t len)
{
	struct hv_symptoms *s = sc->out;

	for (size_t i = 0; i < s->n_unknown; i++)
		if (strlen(s->unknown[i]) == len &&
		    strncasecmp(s->unknown[i], text, len) == 0)
			return;
	HV_GROW(s->unknown, s->n_unknown, s->cap_unknown);
	s->unknown[s->n_unknown++] = hv_strndup(text, len);
}

/* Adds every signature of `kind` with `code`; returns how many. */
static int match_code(struct scan *sc, enum hv_sig_kind kind, uint32_t code,
		      const char *text, size_t len, const char *as)
{
	enum hv_match how =
		kind == HV_SIG_EVENT ? HV_MATCH_EVENT_ID : HV_MATCH_CODE;
	int found = 0;

	for (size_t i = 0; i < sc->kb->n_sigs; i++) {
		const struct hv_signature *sig = &sc->kb->sigs[i];
		bool hit = sig->kind == kind &&
			   (kind == HV_SIG_EVENT ? sig->event == code
						 : sig->code == code);

		if (hit) {
			add_symptom(sc, i, text, len, as, how);
			found++;
		}
	}
	return found;
}

/* An HRESULT of FACILITY_WIN32 (0x8007xxxx) is HRESULT_FROM_WIN32 of the
 * low 16 bits, so the two spellings name one error. */
static int match_hresult(struct scan *sc, uint32_t hr, const char *text,
			 size_t len)
{
	char as[64];
	int found;

	snprintf(as, sizeof(as), "HRESULT 0x%08" PRIX32, hr);
	found = match_code(sc, HV_SIG_HRESULT, hr, text, len, as);
	if ((hr & 0xFFFF0000u) == 0x80070000u)
		found += match_code(sc, HV_SIG_WIN32, hr & 0xFFFF, text, len,
				    as);
	return found;
}

static int match_win32(struct scan *sc, uint32_t code, const char *text,
		       size_t len)
{
	char as[64];

	snprintf(as, sizeof(as),
		 "Win32 error %" PRIu32 " = HRESULT 0x%08" PRIX32, code,
		 0x80070000u | code);
	return match_code(sc, HV_SIG_WIN32, code, text, len, as) +
	       match_code(sc, HV_SIG_HRESULT, 0x80070000u | code, text, len,
			  as);
}

static int match_kerberos(struct scan *sc, uint32_t code, const char *text,
			  size_t len)
{
	char as[64];

	snprintf(as, sizeof(as), "Kerberos error %" PRIu32, code);
	return match_code(sc, HV_SIG_KERBEROS, code, text, len, as);
}

static int match_event(struct scan *sc, uint32_t id, const char *text,
		       size_t len)
{
	char as[64];

	snprintf(as, sizeof(as), "event id %" PRIu32, id);
	return match_code(sc, HV_SIG_EVENT, id, text, len, as);
}

static int match_name(struct scan *sc, const char *name, size_t len)
{
	int found = 0;

	for (size_t i = 0; i < sc->kb->n_sigs; i++) {
		const struct hv_signature *sig = &sc->kb->sigs[i];

		for (size_t n = 0; n < sig->n_names; n++) {
			if (strlen(sig->names[n]) == len &&
			    strncasecmp(sig->names[n], name, len) == 0) {
				add_symptom(sc, i, name, len, "symbolic name",
					    HV_MATCH_CODE);
				found++;
				break;
			}
		}
	}
	return found;
}

/* Parses exactly len characters as a number in base; false if any
 * character is not a digit or it does not fit. */
static bool parse_span(const char *s, size_t len, int base, uint64_t *out)
{
	char buf[32];
	char *end = NULL;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* strtoull alone would also take "0x", a sign or blanks */
	if (strspn(buf, base == 16 ? HEX : DIGITS) != len)
		return false;
	errno = 0;
	*out = strtoull(buf, &end, base);
	return !errno && end && *end == '\0';
}

bool hv_hresult_word(const char *s, size_t len, uint32_t *out)
{
	uint64_t v;

	if (len != 8 || !(s[0] == '8' || s[0] == 'C' || s[0] == 'c') ||
	    !parse_span(s, 8, 16, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool hv_parse_hresult(const char *text, uint32_t *out)
{
	size_t len = strlen(text);
	uint64_t v;

	if (len > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		return len <= 10 && parse_span(text + 2, len - 2, 16, &v) &&
		       (*out = (uint32_t)v, true);
	if (hv_hresult_word(text, len, out))
		return true;
	if (text[0] == '-' && parse_span(text + 1, len - 1, 10, &v) &&
	    v <= 0x80000000u && v > 0) {
		*out = (uint32_t)(0x100000000ull - v);
		return true;
	}
	if (parse_span(text, len, 10, &v) && v >= 0x80000000u &&
	    v <= 0xFFFFFFFFu) {
		*out = (uint32_t)v;
		return true;
	}
	return false;
}

/* A negative number is an HRESULT printed as signed (PowerShell's
 * $_.Exception.HResult) or a krb5 library error code. */
static int match_negative(struct scan *sc, const char *text, size_t len)
{
	uint64_t v;
	long code;

	if (!parse_span(text + 1, len - 1, 10, &v) || v > 0x80000000u || v == 0)
		return 0;
	code = -(long)v;
	if (code >= KRB5_ERROR_TABLE_BASE && code < KRB5_ERROR_TABLE_BASE + 128)
		return match_kerberos(sc,
				      (uint32_t)(code - KRB5_ERROR_TABLE_BASE),
				      text, len);
	return match_hresult(sc, (uint32_t)(0x100000000ull - v), text, len);
}

/* A small number could be a Win32/Winsock code, an event id or a
 * Kerberos error: all readings are offered, the admin knows which. */
static int match_small(struct scan *sc, uint32_t v, const char *text,
		       size_t len)
{
	int found =
		match_win32(sc, v, text, len) + match_event(sc, v, text, len);

	if (v < 128)
		found += match_kerberos(sc, v, text, len);
	return found;
}

static bool is_word(const char *s, size_t len, const char *chars)
{
	return len > 0 && strspn(s, chars) >= len;
}

/* Reads one whole argument that is a single token. Returns matches; a
 * code-like token that matched nothing is remembered as unknown. */
static int scan_token(struct scan *sc, const char *t, size_t len)
{
	uint64_t v = 0;
	uint32_t hr;
	int found = 0;
	bool code_like = true;

	if (len > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') &&
	    is_word(t + 2, len - 2, HEX) && len <= 10) {
		parse_span(t + 2, len - 2, 16, &v);
		found = v > 0xFFFF ? match_hresult(sc, (uint32_t)v, t, len)
				   : match_small(sc, (uint32_t)v, t, len) +
					     match_hresult(sc, (uint32_t)v, t,
							   len);
	} else if (len > 1 && t[0] == '-' && is_word(t + 1, len - 1, DIGITS)) {
		found = match_negative(sc, t, len);
	} else if (hv_hresult_word(t, len, &hr)) {
		found = match_hresult(sc, hr, t, len);
	} else if (is_word(t, len, DIGITS) && len <= 10) {
		parse_span(t, len, 10, &v);
		found = v > 0xFFFF ? match_hresult(sc, (uint32_t)v, t, len)
				   : match_small(sc, (uint32_t)v, t, len);
	} else if (is_word(t, len, NAME_CHARS)) {
		found = match_name(sc, t, len);
	} else {
		code_like = false;
	}
	if (!found && code_like)
		add_unknown(sc, t, len);
	return found;
}

static bool word_start(const char *text, size_t i)
{
	return i == 0 ||
	       !(isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_');
}

/* How Event Viewer labels the event id, in the languages of Windows
 * Server, lower case (matched case-insensitively for ASCII), longest
 * first where one starts another; and the XML view's element. */
static const char *const event_labels[] = {
	"<eventid", "event id", "eventid", "event", "ereignis-id",
	"olay kimli\xC4\x9Fi",			      /* Turkish */
	"id de l'\xC3\xA9v\xC3\xA9nement",	      /* French */
	"id de l\xE2\x80\x99\xC3\xA9v\xC3\xA9nement", /* French, typeset */
	"id. del evento",			      /* Spanish */
	"id do evento",				      /* Portuguese */
	"id evento",				      /* Italian */
	"gebeurtenis-id",			      /* Dutch */
	"identyfikator zdarzenia",		      /* Polish */
	/* one label, in parentheses so no compiler takes it for two */
	("\xD0\x9A\xD0\xBE\xD0\xB4 \xD1\x81\xD0\xBE\xD0\xB1\xD1\x8B\xD1"
	 "\x82\xD0\xB8\xD1\x8F"),			       /* Russian */
	"\xE3\x82\xA4\xE3\x83\x99\xE3\x83\xB3\xE3\x83\x88 id", /* Japanese */
	"\xE4\xBA\x8B\xE4\xBB\xB6 id",			       /* Chinese */
};

/* Bytes between a label and its number: blanks, ':', '#', a no-break
 * space (U+00A0), and an XML element's attributes up to '>'. */
static size_t skip_separators(const char *s, bool xml)
{
	size_t i = 0;

	if (xml) {
		size_t attrs = strcspn(s, "<>");

		if (s[attrs] != '>' || attrs > 80)
			return SIZE_MAX;
		return attrs + 1;
	}
	for (;;) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == ':' || s[i] == '#')
			i++;
		else if ((unsigned char)s[i] == 0xC2 &&
			 (unsigned char)s[i + 1] == 0xA0)
			i += 2;
		else
			return i;
	}
}

/* "Event ID: 21502", "event 21502", "Ereignis-ID: 21502", "Olay
 * Kimliği: 21502", "<EventID Qualifiers="0">21502</EventID>". Returns
 * the length taken, 0 if s starts no event-id phrase. */
static size_t scan_event_phrase(struct scan *sc, const char *s)
{
	/* the first byte filters: this runs at every word of a paste */
	int first = tolower((unsigned char)*s);

	for (size_t l = 0; l < sizeof(event_labels) / sizeof(*event_labels);
	     l++) {
		size_t i, d, sep;
		uint64_t v;

		if ((unsigned char)event_labels[l][0] != first)
			continue;
		i = strlen(event_labels[l]);
		if (strncasecmp(s, event_labels[l], i) != 0)
			continue;
		sep = skip_separators(s + i, l == 0);
		if (sep == SIZE_MAX)
			return 0;
		i += sep;
		d = strspn(s + i, DIGITS);
		if (d == 0 || d > 5 || isalnum((unsigned char)s[i + d]) ||
		    !parse_span(s + i, d, 10, &v) || v > 65535)
			continue;
		if (!match_event(sc, (uint32_t)v, s, i + d))
			add_unknown(sc, s, i + d);
		return i + d;
	}
	return 0;
}

/* "error 10061", "error code 10061", "Win32 error: 10061" */
static size_t scan_error_phrase(struct scan *sc, const char *s)
{
	size_t i = 5, d;
	uint64_t v;

	if (strncasecmp(s, "error", 5) != 0)
		return 0;
	i += strspn(s + i, " \t");
	if (strncasecmp(s + i, "code", 4) == 0)
		i += 4;
	i += strspn(s + i, " \t:");
	d = strspn(s + i, DIGITS);
	if (d < 3 || d > 5 || isalnum((unsigned char)s[i + d]) ||
	    !parse_span(s + i, d, 10, &v) || v > 65535)
		return 0;
	return match_win32(sc, (uint32_t)v, s + i, d) ? i + d : 0;
}

static size_t scan_hex_word(struct scan *sc, const char *s)
{
	size_t n = strspn(s + 2, HEX);
	uint64_t v = 0;

	if (n == 0 || n > 8 || isalnum((unsigned char)s[2 + n]))
		return 0;
	parse_span(s + 2, n, 16, &v);
	if (v > 0xFFFF) {
		if (!match_hresult(sc, (uint32_t)v, s, n + 2))
			add_unknown(sc, s, n + 2);
	} else if (v > 0 && !(match_small(sc, (uint32_t)v, s, n + 2) +
			      match_hresult(sc, (uint32_t)v, s, n + 2))) {
		add_unknown(sc, s, n + 2);
	}
	return n + 2;
}

/* True if the line around s (from sc->line_start) names Hyper-V. */
static bool line_names_hyperv(const struct scan *sc, const char *s)
{
	const char *end = strchr(s, '\n');
	size_t len =
		end ? (size_t)(end - sc->line_start) : strlen(sc->line_start);

	for (size_t i = 0; i + 7 <= len; i++)
		if (strncasecmp(sc->line_start + i, "hyper-v", 7) == 0)
			return true;
	return false;
}

/* Five digits in text are an event id when the line names Hyper-V as
 * the source (Failover Cluster Manager's event list prints "Hyper-V-
 * High-Availability  21502" with no label) and the knowledge base has
 * such an event; any other bare number is no code ("21502 events"). */
static bool bare_event_id(struct scan *sc, const char *s, size_t n)
{
	uint64_t v;

	if (n != 5 || !is_word(s, 5, DIGITS) || !parse_span(s, 5, 10, &v) ||
	    v < 10000 || v > 65535 || !line_names_hyperv(sc, s))
		return false;
	for (size_t i = 0; i < sc->kb->n_sigs; i++)
		if (sc->kb->sigs[i].kind == HV_SIG_EVENT &&
		    sc->kb->sigs[i].event == v)
			return match_event(sc, (uint32_t)v, s, n) > 0;
	return false;
}

/* One code-like word inside pasted text; returns its length if it was
 * taken. Bare decimal numbers are not codes inside text ("blackout time
 * of 5 seconds"), only explicit spellings are. */
static size_t scan_text_word(struct scan *sc, const char *s)
{
	size_t n;
	uint64_t v = 0;
	uint32_t hr;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return scan_hex_word(sc, s);
	if (s[0] == '-' && isdigit((unsigned char)s[1])) {
		n = strspn(s + 1, DIGITS);
		if (n >= 9 && n <= 10 && !isalnum((unsigned char)s[1 + n]))
			match_negative(sc, s, n + 1);
		return n + 1;
	}
	if ((n = scan_event_phrase(sc, s)) || (n = scan_error_phrase(sc, s)))
		return n;
	n = strspn(s, NAME_CHARS);
	/* a GUID's first part is 8 hex digits and a '-' */
	if (s[n] != '-' && hv_hresult_word(s, n, &hr)) {
		if (!match_hresult(sc, hr, s, 8))
			add_unknown(sc, s, 8);
		return 8;
	}
	if (n == 10 && is_word(s, 10, DIGITS) && parse_span(s, 10, 10, &v) &&
	    v >= 0x80000000u && v <= 0xFFFFFFFFu) {
		match_hresult(sc, (uint32_t)v, s, 10);
		return 10;
	}
	if (bare_event_id(sc, s, n))
		return n;
	/* Symbolic names are upper case with an underscore, or Winsock's
	 * WSAE… names, so ordinary words never match. */
	if (n >= 5 && (memchr(s, '_', n) || strncmp(s, "WSAE", 4) == 0) &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") >= n)
		match_name(sc, s, n);
	return n;
}

/* Every fragment is looked for in the normal form of the text (base/
 * textnorm.h), as the fragments were when the kb was loaded: the way a
 * tool printed a message (wraps, quotes, contractions, a wrapper's lines,
 * names where the template has %1) does not decide whether it is
 * recognised (issue 23). */
static void scan_fragments(struct scan *sc, const struct hv_textnorm *n)
{
	for (size_t i = 0; i < sc->kb->n_sigs; i++) {
		const struct hv_signature *sig = &sc->kb->sigs[i];

		for (size_t k = 0; k < sig->n_fragments; k++) {
			size_t start, end;

			if (!hv_textnorm_find(n, sig->folded[k], &start, &end))
				continue;
			sc->line = n->line[start];
			add_symptom(sc, i, n->text + start, end - start,
				    "message text", HV_MATCH_TEXT);
			sc->out->text_read = true;
			break;
		}
	}
}

static void scan_text(struct scan *sc, const char *text)
{
	struct hv_textnorm norm = {0};
	struct hv_folded folded;
	const char *s = text;

	sc->line = 1;
	sc->line_start = text;
	while (*s) {
		size_t n = 0;

		if (word_start(text, (size_t)(s - text)))
			n = scan_text_word(sc, s);
		for (size_t i = 0; i < (n ? n : 1); i++) {
			if (s[i] == '\n') {
				sc->line++;
				sc->line_start = s + i + 1;
			}
		}
		s += n ? n : 1;
	}
	hv_textnorm_text(text, strlen(text), &norm);
	folded = (struct hv_folded){norm.text, norm.lower, norm.len, norm.line};
	scan_fragments(sc, &norm);
	hv_text_facts(sc->out, &folded);
	hv_textnorm_release(&norm);
}

/* Removes unknown[i], keeping the order of the rest. */
static void drop_unknown(struct hv_symptoms *out, size_t i)
{
	free(out->unknown[i]);
	memmove(&out->unknown[i], &out->unknown[i + 1],
		(out->n_unknown - i - 1) * sizeof(*out->unknown));
	out->n_unknown--;
}

/* A lone token is taken at its word: "10061" or "5" as typed. If that
 * finds nothing it is read as text too, for "hr=0x8009030E;" or a
 * one-word fragment ("-IncludeStorage"). */
static void scan_lone_token(struct scan *sc, const char *text, const char *t,
			    size_t len)
{
	struct hv_symptoms *out = sc->out;
	size_t unknown = out->n_unknown, found = out->n;
	bool token_unknown;

	if (scan_token(sc, t, len) > 0)
		return;
	token_unknown = out->n_unknown > unknown;
	scan_text(sc, text);
	/* recognised as text: the token was no unknown code */
	if (token_unknown && out->n > found)
		drop_unknown(out, unknown);
}

/* Words of text: tokens with a letter in them. */
static unsigned count_words(const char *t, size_t len, unsigned enough)
{
	unsigned words = 0;
	size_t i = 0;

	while (i < len && words < enough) {
		size_t tok;
		bool letter = false;

		i += strspn(t + i, " \t\r\n");
		tok = strcspn(t + i, " \t\r\n");
		if (tok > len - i)
			tok = len - i;
		for (size_t k = 0; k < tok && !letter; k++)
			letter = isalpha((unsigned char)t[i + k]) ||
				 (unsigned char)t[i + k] >= 0x80;
		words += letter;
		i += tok;
	}
	return words;
}

void hv_symptoms_scan(const struct hv_kb *kb, const char *text, unsigned input,
		      struct hv_symptoms *out)
{
	struct scan sc = {kb, out, input, 1, text};
	size_t lead = strspn(text, " \t\r\n");
	const char *t = text + lead;
	size_t len = strlen(t);

	while (len && isspace((unsigned char)t[len - 1]))
		len--;
	if (len == 0)
		return;
	out->inputs++;
	if (strcspn(t, " \t\r\n") >= len) {
		scan_lone_token(&sc, text, t, len);
		return;
	}
	if (scan_event_phrase(&sc, t) == len)
		return;
	/* four words or more is wording the admin expects to be read */
	if (count_words(t, len, 4) >= 4)
		out->text_inputs++;
	scan_text(&sc, text);
}

bool hv_symptoms_empty(const struct hv_symptoms *s)
{
	return s->n == 0;
}

bool hv_symptoms_given(const struct hv_symptoms *s)
{
	return s->inputs > 0;
}

bool hv_symptoms_words_unread(const struct hv_symptoms *s)
{
	return s->n > 0 && s->text_inputs > 0 && !s->text_read;
}

static void release_named(struct hv_named *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i].name);
	free(items);
}

void hv_symptoms_release(struct hv_symptoms *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->items[i].matched);
		free(s->items[i].as);
	}
	free(s->items);
	for (size_t i = 0; i < s->n_unknown; i++)
		free(s->unknown[i]);
	free(s->unknown);
	release_named(s->hosts, s->n_hosts);
	release_named(s->vms, s->n_vms);
	memset(s, 0, sizeof(*s));
}

const char *hv_host_role_name(enum hv_host_role role)
{
	switch (role) {
	case HV_ROLE_SOURCE:
		return "source";
	case HV_ROLE_DESTINATION:
		return "destination";
	case HV_ROLE_UNKNOWN:
		break;
	}
	return NULL;
}
