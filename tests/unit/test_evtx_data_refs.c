/* The event data the field path reads (hv_evtx_record_data(), what the
 * timeline uses) against the references' XML, record by record, over
 * every record of every sample in ../shared/data/evtx: libevtx's XML
 * (evtxexport -f xml, run here on each file) for every record it
 * prints, and python-evtx's for the first three records of each file
 * (refs/FILE.ref.json).
 *
 * From a reference's XML the pairs are taken by the rule data.c states,
 * written again here over text: inside Event/EventData or
 * Event/UserData, each attribute of an element below that (but a Data
 * element's Name, and namespace declarations), and each leaf element's
 * text, named by its Data Name, its position among unnamed Data, or its
 * own name. The pairs must be equal, in order. A difference is allowed
 * only where known_defect() names the reference's own defect.
 *
 * Without ../shared or evtxexport the test says so and skips; under
 * CI=true that is a failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/base64.h"
#include "base/strbuf.h"
#include "base/utf16.h"
#include "sources/evtx/evtx.h"

#include "evtx_refs.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A record's pairs, as "name\x1fvalue\x1e" one after another. */
struct rec { /* id and used first: a struct refs_key */
	unsigned long long id;
	bool used;
	char *pairs;
	size_t n_pairs;
};

struct recs {
	struct rec *items;
	size_t n, cap, hint;
};

struct tally {
	size_t records, fields, differences, explained;
	struct hv_strbuf bad, notes;
};

static void pair_add(struct hv_strbuf *sb, const char *name, size_t nlen,
		     const char *value, size_t vlen)
{
	hv_strbuf_add(sb, name, nlen);
	hv_strbuf_addch(sb, '\x1f');
	hv_strbuf_add(sb, value, vlen);
	hv_strbuf_addch(sb, '\x1e');
}

/* --- ours ----------------------------------------------------------- */

static void read_ours(const char *path, struct recs *out)
{
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems problems = {0};
	struct hv_error err;

	assert_int_equal(hv_evtx_open(&f, path, &err), 0);
	for (size_t c = 0; c < f.n_chunks; c++) {
		struct hv_evtx_record rec;

		hv_evtx_chunk_begin(r, &f, c, &problems);
		while (hv_evtx_chunk_next(r, &rec)) {
			struct hv_evtx_data d = {0};
			struct hv_strbuf sb = HV_STRBUF_INIT;
			struct rec *x;
			uint64_t v;

			hv_evtx_record_data(&rec, &d);
			for (size_t i = 0; i < d.n; i++)
				pair_add(&sb, d.items[i].name,
					 strlen(d.items[i].name),
					 d.items[i].value,
					 strlen(d.items[i].value));
			hv_strbuf_addch(&sb, '\0');
			HV_GROW(out->items, out->n, out->cap);
			x = &out->items[out->n++];
			x->id = hv_evtx_field_uint(&rec, HV_EVTX_F_RECORD_ID,
						   &v)
					? v
					: rec.id;
			x->pairs = hv_strbuf_detach(&sb);
			x->n_pairs = d.n;
			x->used = false;
			hv_evtx_data_release(&d);
		}
	}
	hv_evtx_problems_release(&problems);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
}

/* The next of our records with this id not yet matched. */
static struct rec *find(struct recs *r, unsigned long long id)
{
	return refs_find(r->items, r->n, sizeof(*r->items), &r->hint, id);
}

static void recs_release(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->items[i].pairs);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* --- the reference's XML -------------------------------------------- */

/* XML 1.0 section 4.6 entities and character references. */
static void unescape(const char *s, size_t n, struct hv_strbuf *out)
{
	static const struct {
		const char *e;
		char c;
	} ents[] = {{"amp;", '&'},
		    {"lt;", '<'},
		    {"gt;", '>'},
		    {"quot;", '"'},
		    {"apos;", '\''}};

	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (s[i] != '&') {
			hv_strbuf_addch(out, s[i]);
			continue;
		}
		if (i + 2 < n && s[i + 1] == '#') {
			bool hex = s[i + 2] == 'x';
			char *end;
			unsigned long cp =
				strtoul(s + i + 2 + hex, &end, hex ? 16 : 10);
			char u[4];

			if (*end == ';') {
				hv_strbuf_add(out, u,
					      hv_utf8_encode((uint32_t)cp, u));
				i = (size_t)(end - s);
				continue;
			}
		}
		for (k = 0; k < 5; k++)
			if (i + 1 + strlen(ents[k].e) <= n &&
			    !strncmp(s + i + 1, ents[k].e, strlen(ents[k].e)))
				break;
		if (k == 5) {
			hv_strbuf_addch(out, '&');
			continue;
		}
		hv_strbuf_addch(out, ents[k].c);
		i += strlen(ents[k].e);
	}
}

struct elem {
	char name[128];
	char data_name[256];
	bool has_data_name, has_child;
	struct hv_strbuf text;
};

/* The pairs of one record's XML s[0..n), by the rule above; its record
 * id from <EventRecordID>. */
struct ref_reader {
	struct elem stack[64];
	int depth;  /* open elements */
	int active; /* depth of EventData/UserData, or 0 */
	unsigned position;
	struct hv_strbuf *pairs;
	size_t n_pairs;
};

static void open_element(struct ref_reader *rr, const char *name, size_t len)
{
	struct elem *e;

	if (rr->depth > 0)
		rr->stack[rr->depth - 1].has_child = true;
	assert_true(rr->depth < 64);
	e = &rr->stack[rr->depth++];
	snprintf(e->name, sizeof(e->name), "%.*s", (int)len, name);
	e->has_data_name = e->has_child = false;
	hv_strbuf_reset(&e->text);
	if (rr->depth == 2 &&
	    (!strcmp(e->name, "EventData") || !strcmp(e->name, "UserData")))
		rr->active = 2;
}

static void attribute(struct ref_reader *rr, const char *name, size_t nlen,
		      const char *v, size_t vlen)
{
	struct elem *e = &rr->stack[rr->depth - 1];
	struct hv_strbuf value = HV_STRBUF_INIT;

	if (!rr->active || rr->depth <= rr->active)
		return;
	unescape(v, vlen, &value);
	if (!strcmp(e->name, "Data") && nlen == 4 && !memcmp(name, "Name", 4)) {
		snprintf(e->data_name, sizeof(e->data_name), "%s",
			 hv_strbuf_str(&value));
		e->has_data_name = true;
	} else if (!(nlen >= 5 && !memcmp(name, "xmlns", 5))) {
		pair_add(rr->pairs, name, nlen, value.buf ? value.buf : "",
			 value.len);
		rr->n_pairs++;
	}
	hv_strbuf_release(&value);
}

static void close_element(struct ref_reader *rr)
{
	struct elem *e = &rr->stack[rr->depth - 1];

	if (rr->active && rr->depth > rr->active && !e->has_child) {
		const char *v = e->text.buf ? e->text.buf : "";
		char pos[16];

		if (e->has_data_name) {
			pair_add(rr->pairs, e->data_name, strlen(e->data_name),
				 v, e->text.len);
		} else if (!strcmp(e->name, "Data")) {
			snprintf(pos, sizeof(pos), "%u", ++rr->position);
			pair_add(rr->pairs, pos, strlen(pos), v, e->text.len);
		} else {
			pair_add(rr->pairs, e->name, strlen(e->name), v,
				 e->text.len);
		}
		rr->n_pairs++;
	}
	if (rr->depth == rr->active)
		rr->active = 0;
	rr->depth--;
}

/* One start tag at s[i] ('<' already seen); returns where it ends. */
static size_t start_tag(struct ref_reader *rr, const char *s, size_t n,
			size_t i)
{
	size_t j = i;

	while (j < n && !strchr(" \t\r\n/>", s[j]))
		j++;
	open_element(rr, s + i, j - i);
	for (i = j;;) {
		size_t a, eq, v0;

		while (i < n && strchr(" \t\r\n", s[i]))
			i++;
		if (i >= n || s[i] == '>' || s[i] == '/')
			break;
		a = i;
		while (i < n && s[i] != '=')
			i++;
		eq = i;
		v0 = i + 2; /* =" */
		i = v0;
		while (i < n && s[i] != '"')
			i++;
		attribute(rr, s + a, eq - a, s + v0, i - v0);
		i++;
	}
	if (i < n && s[i] == '/') {
		close_element(rr);
		i++;
	}
	return i + 1;
}

static size_t ref_pairs(const char *s, size_t n, struct hv_strbuf *pairs,
			unsigned long long *id)
{
	struct ref_reader rr = {.pairs = pairs};
	const char *p;

	*id = (p = strstr(s, "<EventRecordID>")) && p < s + n
		      ? strtoull(p + strlen("<EventRecordID>"), NULL, 10)
		      : 0;
	for (size_t i = 0; i < n;) {
		if (s[i] != '<') {
			size_t j = i;

			while (j < n && s[j] != '<')
				j++;
			if (rr.depth > 0)
				unescape(s + i, j - i,
					 &rr.stack[rr.depth - 1].text);
			i = j;
		} else if (!strncmp(s + i, "<![CDATA[", 9)) {
			const char *end = strstr(s + i, "]]>");
			size_t j = end ? (size_t)(end - s) : n;

			if (rr.depth > 0)
				hv_strbuf_add(&rr.stack[rr.depth - 1].text,
					      s + i + 9, j - i - 9);
			i = j + 3;
		} else if (s[i + 1] == '/') {
			if (rr.depth > 0)
				close_element(&rr);
			while (i < n && s[i] != '>')
				i++;
			i++;
		} else if (s[i + 1] == '?' || s[i + 1] == '!') {
			while (i < n && s[i] != '>')
				i++;
			i++;
		} else {
			i = start_tag(&rr, s, n, i + 1);
		}
	}
	for (int k = 0; k < 64; k++)
		hv_strbuf_release(&rr.stack[k].text);
	return rr.n_pairs;
}

/* --- comparing ------------------------------------------------------ */

/* A record's pairs split into names and values (pointers into text,
 * which is cut in place). */
struct pairs {
	char *name[512], *value[512];
	size_t n;
};

static bool split(char *text, struct pairs *p)
{
	p->n = 0;
	for (char *s = text; *s;) {
		char *us = strchr(s, '\x1f'), *rs = strchr(s, '\x1e');

		if (!us || !rs || p->n == 512)
			return false;
		*us = *rs = '\0';
		p->name[p->n] = s;
		p->value[p->n++] = us + 1;
		s = rs + 1;
	}
	return true;
}

static bool blank_text(const char *s)
{
	return strspn(s, " \t\r\n") == strlen(s);
}

/* A value as python-evtx writes binary: base64 of the bytes ours writes
 * in hex. */
static bool same_base64(const char *hex, const char *b64)
{
	struct hv_strbuf bytes = HV_STRBUF_INIT, enc = HV_STRBUF_INIT;
	size_t n = strlen(hex);
	bool same;

	if (n % 2 || strspn(hex, "0123456789ABCDEF") != n || !n)
		return false;
	for (size_t i = 0; i < n; i += 2)
		hv_strbuf_addch(&bytes,
				(char)strtoul((char[]){hex[i], hex[i + 1], 0},
					      NULL, 16));
	hv_base64_encode(&enc, bytes.buf, bytes.len);
	same = !strcmp(hv_strbuf_str(&enc), b64);
	hv_strbuf_release(&bytes);
	hv_strbuf_release(&enc);
	return same;
}

/* python-evtx writes an array as "<string>item</string>" lines in one
 * element, where Windows and libevtx repeat the element: the items must
 * be ours' next values. Returns how many of ours it covers, or 0. */
static size_t array_items(const struct pairs *o, size_t i, const char *v)
{
	size_t k = 0;

	while (!strncmp(v, "<string>", 8)) {
		const char *end = strstr(v, "</string>");

		if (!end || i + k >= o->n ||
		    strlen(o->value[i + k]) != (size_t)(end - v - 8) ||
		    strncmp(o->value[i + k], v + 8, (size_t)(end - v - 8)))
			return 0;
		k++;
		v = end + strlen("</string>");
		v += strspn(v, "\n");
	}
	return *v ? 0 : k;
}

enum defect {
	D_LIBEVTX_BLANK = 1,	  /* libevtx: white space only, left out */
	D_PY_ARRAY = 2,		  /* python-evtx: <string> items */
	D_PY_GUID_CASE = 4,	  /* python-evtx: GUIDs in lower case */
	D_PY_BOOL = 8,		  /* python-evtx: True/False */
	D_PY_BASE64 = 16,	  /* python-evtx: binary as base64 */
	D_PY_EMPTY_OPTIONAL = 32, /* python-evtx: a NULL optional value
				     written as an empty element */
};

static const char *const defect_text[] = {
	"libevtx writes a value of only white space as an empty element "
	"(python-evtx and ours keep it)",
	"python-evtx writes an array as <string> items inside one element",
	"python-evtx writes GUIDs in lower case",
	"python-evtx writes booleans as True/False",
	"python-evtx writes binary as base64, Windows and libevtx in hex",
	"python-evtx writes a missing optional value as an empty element "
	"([MS-EVEN6] 2.2.12 OptionalSubstitution: left out)",
};

/* The defects of python-evtx that turn our pair i into their pair j;
 * how many of each side they cover (0: none applies). */
static unsigned python_defect(const struct pairs *o, size_t i,
			      const struct pairs *t, size_t j, size_t *di,
			      size_t *dj)
{
	const char *ov = i < o->n ? o->value[i] : NULL, *tv = t->value[j];
	bool same_name = ov && !strcmp(o->name[i], t->name[j]);

	*di = *dj = 1;
	if ((*di = array_items(o, i, tv)) > 0)
		return D_PY_ARRAY;
	*di = 1;
	if (same_name && strlen(ov) == 38 && ov[0] == '{' &&
	    !strcasecmp(ov, tv))
		return D_PY_GUID_CASE;
	if (same_name && ((!strcmp(ov, "false") && !strcmp(tv, "False")) ||
			  (!strcmp(ov, "true") && !strcmp(tv, "True"))))
		return D_PY_BOOL;
	if (same_name && same_base64(ov, tv))
		return D_PY_BASE64;
	if (!*tv) {
		*di = 0;
		return D_PY_EMPTY_OPTIONAL;
	}
	return 0;
}

/* Why ours and theirs differ where one reference is known to be wrong,
 * or NULL when no known defect of that reference explains it. */
static const char *known_defect(const char *who, const char *ours,
				const char *theirs)
{
	static char why[512];
	char *a = hv_strdup(ours), *b = hv_strdup(theirs);
	struct pairs *o = hv_calloc(2, sizeof(*o)), *t = o + 1;
	bool python = !strcmp(who, "python-evtx");
	size_t i = 0, j = 0;
	unsigned defects = 0;

	if (!split(a, o) || !split(b, t))
		goto out;
	while (j < t->n) {
		size_t di = 1, dj = 1;
		unsigned d = 0;

		if (i < o->n && !strcmp(o->name[i], t->name[j]) &&
		    !strcmp(o->value[i], t->value[j]))
			d = 0;
		else if (!python && i < o->n &&
			 !strcmp(o->name[i], t->name[j]) && !*t->value[j] &&
			 blank_text(o->value[i]))
			d = D_LIBEVTX_BLANK;
		else if (!python || !(d = python_defect(o, i, t, j, &di, &dj)))
			goto out;
		defects |= d;
		i += di;
		j += dj;
	}
	if (i != o->n)
		defects = 0;
out:
	why[0] = '\0';
	for (size_t k = 0; defects && k < 6; k++)
		if (defects & (1u << k))
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%s%s", why[0] ? "; " : "", defect_text[k]);
	free(a);
	free(b);
	free(o);
	return defects ? why : NULL;
}

/* One pair from s on, printable: "name=value", controls as \xNN. */
static void put_pair(const char *s, struct hv_strbuf *out)
{
	for (size_t k = 0; s[k] && s[k] != '\x1e' && k < 80; k++) {
		unsigned char c = (unsigned char)s[k];

		if (c == 0x1f)
			hv_strbuf_addch(out, '=');
		else if (c < 0x20 || c == 0x7f)
			hv_strbuf_addf(out, "\\x%02X", c);
		else
			hv_strbuf_addch(out, (char)c);
	}
}

/* The first pair that differs, printable. */
static void first_difference(const char *a, const char *b,
			     struct hv_strbuf *out)
{
	size_t i = 0, from;

	while (a[i] && a[i] == b[i])
		i++;
	from = i;
	while (from > 0 && a[from - 1] != '\x1e')
		from--;
	hv_strbuf_adds(out, "ours \"");
	put_pair(a + from, out);
	hv_strbuf_adds(out, "\", theirs \"");
	put_pair(b + from, out);
	hv_strbuf_addch(out, '"');
}

/* Prints text a line at a time (print_message() has a short buffer),
 * the first `most` lines, then how many more. */
static void print_lines(const char *text, size_t most)
{
	size_t n = 0;

	for (const char *p = text; *p; n++) {
		size_t l = strcspn(p, "\n");

		if (n < most)
			print_message("%.*s\n", (int)l, p);
		p += l + (p[l] == '\n');
	}
	if (n > most)
		print_message("  ... and %zu more\n", n - most);
}

static void compare(struct recs *ours, const char *who, const char *file,
		    const char *xml, size_t len, struct tally *t)
{
	struct hv_strbuf theirs = HV_STRBUF_INIT;
	unsigned long long id;
	size_t n = ref_pairs(xml, len, &theirs, &id);
	struct rec *r = find(ours, id);
	const char *why;

	hv_strbuf_addch(&theirs, '\0');
	t->records++;
	t->fields += n;
	if (!r) {
		t->differences++;
		hv_strbuf_addf(&t->bad, "  %s: %s: record %llu is not ours\n",
			       file, who, id);
	} else if (strcmp(r->pairs, theirs.buf) != 0) {
		t->differences++;
		why = known_defect(who, r->pairs, theirs.buf);
		hv_strbuf_addf(why ? &t->notes : &t->bad,
			       "  %s: %s: record %llu: ", file, who, id);
		first_difference(r->pairs, theirs.buf,
				 why ? &t->notes : &t->bad);
		if (why) {
			t->explained++;
			hv_strbuf_addf(&t->notes, " (%s)", why);
		}
		hv_strbuf_addch(why ? &t->notes : &t->bad, '\n');
	}
	hv_strbuf_release(&theirs);
}

/* Each <Event ...>...</Event> of text, against ours. */
static void compare_all(struct recs *ours, const char *who, const char *file,
			const char *text, struct tally *t)
{
	const char *p = text ? strstr(text, "<Event") : NULL;

	for (size_t i = 0; i < ours->n; i++)
		ours->items[i].used = false;
	ours->hint = 0;
	while (p) {
		const char *end = strstr(p, "</Event>");

		if (!end)
			break;
		end += strlen("</Event>");
		compare(ours, who, file, p, (size_t)(end - p), t);
		p = strstr(end, "<Event");
	}
}

static char *run_evtxexport(const char *path)
{
	struct hv_strbuf cmd = HV_STRBUF_INIT, out = HV_STRBUF_INIT;
	char buf[65536];
	size_t n;
	FILE *f;

	hv_strbuf_addf(&cmd, "evtxexport -f xml '%s' 2>/dev/null", path);
	f = popen(hv_strbuf_str(&cmd), "r");
	assert_non_null(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		hv_strbuf_add(&out, buf, n);
	pclose(f);
	hv_strbuf_release(&cmd);
	hv_strbuf_addch(&out, '\0');
	return hv_strbuf_detach(&out);
}

/* python-evtx's first three records (refs/FILE.ref.json). */
static void compare_python_evtx(const char *dir, const char *file,
				struct recs *ours, struct tally *t)
{
	struct hv_strbuf path = HV_STRBUF_INIT;
	char *json, *py[3];
	size_t n;

	hv_strbuf_addf(&path, "%s/refs/%s.ref.json", dir, file);
	json = slurp(hv_strbuf_str(&path));
	assert_non_null(json);
	n = first3(json, "\"python_evtx\": {", py);
	for (size_t i = 0; i < n; i++) {
		compare_all(ours, "python-evtx", file, py[i], t);
		free(py[i]);
	}
	free(json);
	hv_strbuf_release(&path);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t samples(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0, cap = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 5, ".evtx"))
			continue;
		HV_GROW(*out, n, cap);
		(*out)[n++] = hv_strdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(*out, n, sizeof(**out), by_name);
	return n;
}

static void test_event_data_against_references(void **state)
{
	char *dir = data_dir(), **files = NULL;
	struct tally t = {0, 0, 0, 0, HV_STRBUF_INIT, HV_STRBUF_INIT};
	size_t n, ours_total = 0;

	(void)state;
	if (!dir) {
		EVTX_REFS_ABSENT("../shared/data/evtx is absent; the event "
				 "data are not checked against libevtx and "
				 "python-evtx");
		return;
	}
	if (system("command -v evtxexport >/dev/null 2>&1") != 0) {
		free(dir);
		EVTX_REFS_ABSENT("evtxexport (libevtx-utils) is not "
				 "installed; the event data are not checked "
				 "against libevtx");
		return;
	}
	n = samples(dir, &files);
	assert_true(n >= 16);
	for (size_t i = 0; i < n; i++) {
		struct hv_strbuf path = HV_STRBUF_INIT;
		struct recs ours = {0};
		char *xml;
		size_t before = t.records, fields = t.fields;

		hv_strbuf_addf(&path, "%s/%s", dir, files[i]);
		read_ours(hv_strbuf_str(&path), &ours);
		xml = run_evtxexport(hv_strbuf_str(&path));
		compare_all(&ours, "evtxexport", files[i], xml, &t);
		compare_python_evtx(dir, files[i], &ours, &t);
		print_message("  %-66s %5zu records, %6zu fields\n", files[i],
			      t.records - before, t.fields - fields);
		ours_total += ours.n;
		free(xml);
		recs_release(&ours);
		hv_strbuf_release(&path);
		free(files[i]);
	}
	print_message("event data: %zu records and %zu fields compared in %zu "
		      "files (%zu records read); %zu differences, %zu of them "
		      "explained by the reference\n",
		      t.records, t.fields, n, ours_total, t.differences,
		      t.explained);
	if (t.notes.len) {
		print_message("explained by a reference's known defect:\n");
		print_lines(hv_strbuf_str(&t.notes), 12);
	}
	if (t.bad.len) {
		fputs(hv_strbuf_str(&t.bad), stderr);
		fail_msg("event data differ from the references (above)");
	}
	free(files);
	free(dir);
	hv_strbuf_release(&t.bad);
	hv_strbuf_release(&t.notes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_data_against_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
