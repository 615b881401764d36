/* Recognising symptoms in what an admin pastes. Codes are matched in
 * every spelling Windows tools print them; pasted text is also searched
 * for the knowledge base's message fragments and for the host and VM
 * names that Hyper-V quotes in its messages. */
#include "diagnosis/symptoms.h"

#include "base/alloc.h"
#include "base/strbuf.h"

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

struct scan {
	const struct hv_kb *kb;
	struct hv_symptoms *out;
	unsigned input;
	unsigned line;
};

static bool have_symptom(const struct hv_symptoms *s, size_t sig)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].sig == sig)
			return true;
	return false;
}

static void add_symptom(struct scan *sc, size_t sig, const char *matched,
			size_t len, const char *as)
{
	struct hv_symptoms *s = sc->out;

	if (have_symptom(s, sig))
		return;
	HV_GROW(s->items, s->n, s->cap);
	s->items[s->n].sig = sig;
	s->items[s->n].matched = hv_strndup(matched, len);
	s->items[s->n].as = hv_strdup(as);
	s->items[s->n].input = sc->input;
	s->items[s->n].line = sc->line;
	s->n++;
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
	int found = 0;

	for (size_t i = 0; i < sc->kb->n_sigs; i++) {
		const struct hv_signature *sig = &sc->kb->sigs[i];
		bool hit = sig->kind == kind &&
			   (kind == HV_SIG_EVENT ? sig->event == code
						 : sig->code == code);

		if (hit) {
			add_symptom(sc, i, text, len, as);
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
				add_symptom(sc, i, name, len, "symbolic name");
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
	if (strspn(buf, base == 16 ? "0123456789abcdefABCDEF" : "0123456789") !=
	    len)
		return false;
	errno = 0;
	*out = strtoull(buf, &end, base);
	return !errno && end && *end == '\0';
}

bool hv_parse_hresult(const char *text, uint32_t *out)
{
	size_t len = strlen(text);
	uint64_t v;

	if (len > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		return len <= 10 && parse_span(text + 2, len - 2, 16, &v) &&
		       (*out = (uint32_t)v, true);
	if (len == 8 && parse_span(text, 8, 16, &v) &&
	    strspn(text, "0123456789") != 8) {
		*out = (uint32_t)v;
		return true;
	}
	if (len == 8 && parse_span(text, 8, 16, &v) &&
	    (text[0] == '8' || text[0] == 'C' || text[0] == 'c')) {
		*out = (uint32_t)v;
		return true;
	}
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

#define DIGITS "0123456789"
#define HEX "0123456789abcdefABCDEF"
#define NAME_CHARS                                                             \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789"

/* Reads one whole argument that is a single token. Returns matches; a
 * code-like token that matched nothing is remembered as unknown. */
static int scan_token(struct scan *sc, const char *t, size_t len)
{
	uint64_t v = 0;
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
	} else if (len == 8 && is_word(t, len, HEX) &&
		   (t[0] == '8' || !is_word(t, len, DIGITS))) {
		/* "80070005": eight digits are hex; as a decimal number
		 * it would be no HRESULT at all */
		parse_span(t, len, 16, &v);
		found = match_hresult(sc, (uint32_t)v, t, len);
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

static size_t span_of(const char *s, const char *chars)
{
	return strspn(s, chars);
}

/* "event 21502", "Event ID: 21502", "EventID 21502", "event #21502" */
static size_t scan_event_phrase(struct scan *sc, const char *s)
{
	size_t i = 5, d;
	uint64_t v;

	if (strncasecmp(s, "event", 5) != 0)
		return 0;
	i += span_of(s + i, " \t");
	if (strncasecmp(s + i, "id", 2) == 0)
		i += 2;
	i += span_of(s + i, " \t:#");
	d = span_of(s + i, DIGITS);
	if (d == 0 || d > 5 || !parse_span(s + i, d, 10, &v) || v > 65535)
		return 0;
	if (isalnum((unsigned char)s[i + d]))
		return 0;
	if (!match_event(sc, (uint32_t)v, s, i + d))
		add_unknown(sc, s, i + d);
	return i + d;
}

/* "error 10061", "error code 10061", "Win32 error: 10061" */
static size_t scan_error_phrase(struct scan *sc, const char *s)
{
	size_t i = 5, d;
	uint64_t v;

	if (strncasecmp(s, "error", 5) != 0)
		return 0;
	i += span_of(s + i, " \t");
	if (strncasecmp(s + i, "code", 4) == 0)
		i += 4;
	i += span_of(s + i, " \t:");
	d = span_of(s + i, DIGITS);
	if (d < 3 || d > 5 || isalnum((unsigned char)s[i + d]) ||
	    !parse_span(s + i, d, 10, &v) || v > 65535)
		return 0;
	return match_win32(sc, (uint32_t)v, s + i, d) ? i + d : 0;
}

/* One code-like word inside pasted text; returns its length if it was
 * taken. Bare decimal numbers are not codes inside text ("blackout time
 * of 5 seconds"), only explicit spellings are. */
static size_t scan_text_word(struct scan *sc, const char *s)
{
	size_t n;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		n = span_of(s + 2, HEX);
		if (n == 0 || n > 8 || isalnum((unsigned char)s[2 + n]))
			return 0;
		parse_span(s + 2, n, 16, &v);
		if (v > 0xFFFF) {
			if (!match_hresult(sc, (uint32_t)v, s, n + 2))
				add_unknown(sc, s, n + 2);
		} else if (v > 0 &&
			   !(match_small(sc, (uint32_t)v, s, n + 2) +
			     match_hresult(sc, (uint32_t)v, s, n + 2))) {
			add_unknown(sc, s, n + 2);
		}
		return n + 2;
	}
	if (s[0] == '-' && isdigit((unsigned char)s[1])) {
		n = span_of(s + 1, DIGITS);
		if (n >= 9 && n <= 10 && !isalnum((unsigned char)s[1 + n]))
			match_negative(sc, s, n + 1);
		return n + 1;
	}
	if ((n = scan_event_phrase(sc, s)) || (n = scan_error_phrase(sc, s)))
		return n;
	n = span_of(s, NAME_CHARS);
	if (n == 8 && is_word(s, 8, HEX) && s[8] != '-' &&
	    (s[0] == '8' || s[0] == 'C' || s[0] == 'c') &&
	    parse_span(s, 8, 16, &v)) {
		if (!match_hresult(sc, (uint32_t)v, s, 8))
			add_unknown(sc, s, 8);
		return 8;
	}
	if (n == 10 && is_word(s, 10, DIGITS) && parse_span(s, 10, 10, &v) &&
	    v >= 0x80000000u && v <= 0xFFFFFFFFu) {
		match_hresult(sc, (uint32_t)v, s, 10);
		return 10;
	}
	/* Symbolic names are upper case with an underscore, or Winsock's
	 * WSAE… names, so ordinary words never match. */
	if (n >= 5 && (memchr(s, '_', n) || strncmp(s, "WSAE", 4) == 0) &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789") >= n)
		match_name(sc, s, n);
	return n;
}

/* Text with every whitespace run made one space, and for each byte the
 * line it came from, so fragments match across wrapped lines and still
 * report where they were. */
struct flat {
	struct hv_strbuf text;
	unsigned *line;
};

static void flatten(const char *text, struct flat *out)
{
	size_t len = strlen(text);
	unsigned line = 1;
	bool space = false;

	out->line = hv_calloc(len + 1, sizeof(*out->line));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (isspace(c)) {
			space = out->text.len > 0;
			if (c == '\n')
				line++;
			continue;
		}
		if (space) {
			out->line[out->text.len] = line;
			hv_strbuf_addch(&out->text, ' ');
			space = false;
		}
		out->line[out->text.len] = line;
		hv_strbuf_addch(&out->text, (char)c);
	}
}

static const char *find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	int first = tolower((unsigned char)*needle);

	/* the first byte filters: every fragment is tried at every
	 * position of a pasted text */
	for (; n && *hay; hay++)
		if (tolower((unsigned char)*hay) == first &&
		    strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/* Fragments are compared after the same whitespace folding as the text. */
static void scan_fragments(struct scan *sc, const struct flat *flat)
{
	const char *text = hv_strbuf_str(&flat->text);

	for (size_t i = 0; i < sc->kb->n_sigs; i++) {
		const struct hv_signature *sig = &sc->kb->sigs[i];

		for (size_t f = 0; f < sig->n_fragments; f++) {
			struct flat frag = {HV_STRBUF_INIT, NULL};
			const char *hit;

			flatten(sig->fragments[f], &frag);
			hit = find_ci(text, hv_strbuf_str(&frag.text));
			if (hit) {
				sc->line = flat->line[hit - text];
				add_symptom(sc, i, hit, frag.text.len,
					    "message text");
			}
			hv_strbuf_release(&frag.text);
			free(frag.line);
			if (hit)
				break;
		}
	}
}

/* Length of an opening quote at s (ASCII or UTF-8 curly), else 0. */
static size_t quote_len(const char *s)
{
	if (*s == '\'' || *s == '"')
		return 1;
	if ((unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
	    ((unsigned char)s[2] == 0x98 || (unsigned char)s[2] == 0x99 ||
	     (unsigned char)s[2] == 0x9C || (unsigned char)s[2] == 0x9D))
		return 3;
	return 0;
}

/* The quoted name after s, as Hyper-V prints names: 'HV02'. */
static bool quoted_name(const char *s, const char **out, size_t *out_len)
{
	size_t q = quote_len(s);
	size_t n = 0;

	if (!q)
		return false;
	s += q;
	while (s[n] && !quote_len(s + n) && n < 256)
		n++;
	if (n == 0 || n == 256 || !s[n])
		return false;
	*out = s;
	*out_len = n;
	return true;
}

static void add_named(struct hv_named **items, size_t *n, size_t *cap,
		      const char *name, size_t len, enum hv_host_role role)
{
	for (size_t i = 0; i < *n; i++) {
		if (strlen((*items)[i].name) == len &&
		    strncasecmp((*items)[i].name, name, len) == 0) {
			if ((*items)[i].role == HV_ROLE_UNKNOWN)
				(*items)[i].role = role;
			return;
		}
	}
	HV_GROW(*items, *n, *cap);
	(*items)[*n].name = hv_strndup(name, len);
	(*items)[*n].role = role;
	(*n)++;
}

static const struct {
	const char *prefix;
	bool vm;
	enum hv_host_role role;
} name_patterns[] = {
	{"migration source ", false, HV_ROLE_SOURCE},
	{"migration destination ", false, HV_ROLE_DESTINATION},
	{"destination host ", false, HV_ROLE_DESTINATION},
	{"migration with host ", false, HV_ROLE_DESTINATION},
	{"source host ", false, HV_ROLE_SOURCE},
	{"host ", false, HV_ROLE_UNKNOWN},
	{"-DestinationHost ", false, HV_ROLE_DESTINATION},
	{"virtual machine ", true, HV_ROLE_UNKNOWN},
	{"migration operation for ", true, HV_ROLE_UNKNOWN},
	{"live migration of ", true, HV_ROLE_UNKNOWN},
};

static void scan_names(struct hv_symptoms *out, const char *text)
{
	for (size_t p = 0; p < sizeof(name_patterns) / sizeof(*name_patterns);
	     p++) {
		const char *at = text;
		size_t plen = strlen(name_patterns[p].prefix);

		while ((at = find_ci(at, name_patterns[p].prefix)) != NULL) {
			const char *name;
			size_t len;

			at += plen;
			if (!quoted_name(at, &name, &len))
				continue;
			/* cluster resources are named "Virtual Machine X" */
			if (len > 16 &&
			    strncasecmp(name, "Virtual Machine ", 16) == 0) {
				name += 16;
				len -= 16;
			}
			if (name_patterns[p].vm)
				add_named(&out->vms, &out->n_vms, &out->cap_vms,
					  name, len, HV_ROLE_UNKNOWN);
			else
				add_named(&out->hosts, &out->n_hosts,
					  &out->cap_hosts, name, len,
					  name_patterns[p].role);
		}
	}
}

static void scan_phase_percent(struct hv_symptoms *out, const char *text)
{
	if (!out->has_phase) {
		if (find_ci(text, "at migration source") ||
		    find_ci(text, "at the source host")) {
			out->has_phase =
				hv_ctx_value_parse(HV_CTX_PHASE, "source",
						   &out->phase, NULL) == 0;
		} else if (find_ci(text, "at migration destination")) {
			out->has_phase =
				hv_ctx_value_parse(HV_CTX_PHASE, "destination",
						   &out->phase, NULL) == 0;
		}
	}
	for (const char *p = text; !out->has_percent && *p; p++) {
		size_t d = strspn(p, DIGITS);
		const char *after = p + d;
		uint64_t v;

		if (d == 0 || d > 3 || !word_start(text, (size_t)(p - text))) {
			p += d ? d - 1 : 0;
			continue;
		}
		if (*after == ' ')
			after++;
		if (*after == '%' && parse_span(p, d, 10, &v) && v <= 100) {
			out->percent = (int)v;
			out->has_percent = true;
		}
		p += d - 1;
	}
}

static void scan_text(struct scan *sc, const char *text)
{
	struct flat flat = {HV_STRBUF_INIT, NULL};
	const char *s = text;

	sc->line = 1;
	while (*s) {
		size_t n = 0;

		if (*s == '\n')
			sc->line++;
		if (word_start(text, (size_t)(s - text)))
			n = scan_text_word(sc, s);
		s += n ? n : 1;
	}
	flatten(text, &flat);
	scan_fragments(sc, &flat);
	scan_names(sc->out, hv_strbuf_str(&flat.text));
	scan_phase_percent(sc->out, hv_strbuf_str(&flat.text));
	hv_strbuf_release(&flat.text);
	free(flat.line);
}

void hv_symptoms_scan(const struct hv_kb *kb, const char *text, unsigned input,
		      struct hv_symptoms *out)
{
	struct scan sc = {kb, out, input, 1};
	size_t lead = strspn(text, " \t\r\n");
	const char *t = text + lead;
	size_t len = strlen(t);

	while (len && isspace((unsigned char)t[len - 1]))
		len--;
	if (len == 0)
		return;
	/* A lone token is taken at its word: "10061" or "5" as typed.
	 * If that finds nothing it is read as text too, for
	 * "hr=0x8009030E;" or a one-word fragment ("-IncludeStorage"). */
	if (strcspn(t, " \t\r\n") >= len) {
		size_t unknown = out->n_unknown, found = out->n;
		bool token_unknown;

		if (scan_token(&sc, t, len) > 0)
			return;
		token_unknown = out->n_unknown > unknown;
		scan_text(&sc, text);
		/* recognised as text: the token was no unknown code */
		if (token_unknown && out->n > found) {
			free(out->unknown[unknown]);
			memmove(&out->unknown[unknown],
				&out->unknown[unknown + 1],
				(out->n_unknown - unknown - 1) *
					sizeof(*out->unknown));
			out->n_unknown--;
		}
		return;
	}
	{
		size_t n = scan_event_phrase(&sc, t);

		if (n == len)
			return;
	}
	scan_text(&sc, text);
}

bool hv_symptoms_empty(const struct hv_symptoms *s)
{
	return s->n == 0;
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
