/* The EVTX reader against two independent parsers, on the public samples
 * in ../shared/data/evtx (read in place, never copied into the project):
 * python-evtx and libevtx, whose outputs are in refs/ (see README.md and
 * BASELINES.md there).
 *
 * Per file: where the references agree, the same record count, the same
 * counts per (provider, event id), the same first and last times, and
 * the same provider, id and time for every record; on damaged files at
 * least as many records as the better reference, and every record the
 * two references agree on, read the same. The XML of every record is
 * compared, normalised for layout (evtx_canon.h), with evtxexport's when
 * it is installed, and with both references' first three records.
 *
 * Without ../shared the test says so and skips; under CI=true that is a
 * failure. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/alloc.h"
#include "base/strbuf.h"
#include "sources/evtx/evtx.h"
#include "sources/evtx/evtx_internal.h"

#include "evtx_canon.h"
#include "evtx_refs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rec { /* id and used first: a struct refs_key */
	unsigned long long id;
	bool used;
	char *provider;
	unsigned eid;
	char time[40]; /* "2019-05-08T02:10:43.487217Z" or "" */
	char *canon;   /* our XML, normalised (ours only) */
};

struct recs {
	struct rec *items;
	size_t n, cap;
	size_t hint; /* where find() starts: after the last one found */
};

static void recs_release(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].provider);
		free(r->items[i].canon);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* --- our side ---------------------------------------------------- */

/* A record rendered through a plan (plan.c) reads exactly as the walk
 * renders it, in XML and in JSON. */
static void same_as_walk(const struct hv_evtx_record *rec,
			 const struct hv_strbuf *xml, size_t *mismatch)
{
	struct hv_strbuf a = HV_STRBUF_INIT, b = HV_STRBUF_INIT;
	struct hv_evtx_ctx ctx;
	struct hv_evtx_doc doc;
	size_t values;

	hv_evtx_record_ctx(rec, &ctx);
	hv_evtx_record_doc(rec, &doc);
	hv_evtx_walk_xml(&ctx, &doc, &a, false, &values);
	if (a.len != xml->len || memcmp(a.buf, xml->buf, a.len))
		(*mismatch)++;
	hv_strbuf_reset(&a);
	hv_evtx_walk_json(&ctx, &doc, &a, false, &values);
	hv_evtx_render_json(rec, &b);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
		(*mismatch)++;
	hv_strbuf_release(&a);
	hv_strbuf_release(&b);
}

static void read_ours(const char *path, struct recs *out, size_t *damage,
		      size_t *plan_mismatch)
{
	struct hv_evtx_file f;
	struct hv_evtx_reader *r = hv_evtx_reader_new();
	struct hv_evtx_problems problems = {0};
	struct hv_error err;
	struct hv_strbuf xml = HV_STRBUF_INIT;

	assert_int_equal(hv_evtx_open(&f, path, &err), 0);
	for (size_t c = 0; c < f.n_chunks; c++) {
		struct hv_evtx_record rec;

		hv_evtx_chunk_begin(r, &f, c, &problems);
		while (hv_evtx_chunk_next(r, &rec)) {
			struct rec *x;
			struct hv_strbuf p = HV_STRBUF_INIT,
					 canon = HV_STRBUF_INIT;
			uint64_t v;

			HV_GROW(out->items, out->n, out->cap);
			x = &out->items[out->n++];
			memset(x, 0, sizeof(*x));
			x->id = hv_evtx_field_uint(&rec, HV_EVTX_F_RECORD_ID,
						   &v)
					? v
					: rec.id;
			hv_evtx_field_text(&rec, HV_EVTX_F_PROVIDER, &p);
			hv_strbuf_addch(&p, '\0');
			x->provider = hv_strbuf_detach(&p);
			x->eid =
				hv_evtx_field_uint(&rec, HV_EVTX_F_EVENT_ID, &v)
					? (unsigned)v
					: (unsigned)-1;
			hv_evtx_filetime_format(hv_evtx_record_time(&rec), 6,
						x->time);
			hv_strbuf_reset(&xml);
			hv_evtx_render_xml(&rec, &xml);
			same_as_walk(&rec, &xml, plan_mismatch);
			canon_xml(xml.buf, xml.len, &canon);
			hv_strbuf_addch(&canon, '\0');
			x->canon = hv_strbuf_detach(&canon);
		}
	}
	*damage = problems.n + problems.dropped + f.problems.n;
	hv_strbuf_release(&xml);
	hv_evtx_problems_release(&problems);
	hv_evtx_reader_free(r);
	hv_evtx_close(&f);
}

/* --- the references ---------------------------------------------- */

static void read_tsv(const char *dir, const char *file, struct recs *py,
		     struct recs *lib)
{
	struct hv_strbuf cmd = HV_STRBUF_INIT;
	char line[4096];
	FILE *p;

	hv_strbuf_addf(&cmd, "gzip -dc '%s/refs/%s.records.tsv.gz'", dir, file);
	p = popen(hv_strbuf_str(&cmd), "r");
	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *f[8] = {0}, *s = line;
		struct recs *to;
		struct rec *x;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		while (n < 7) {
			f[n++] = s;
			s = strchr(s, '\t');
			if (!s)
				break;
			*s++ = '\0';
		}
		if (n < 7 || !strcmp(f[0], "parser"))
			continue;
		to = !strcmp(f[0], "python-evtx") ? py
		     : !strcmp(f[0], "libevtx")	  ? lib
						  : NULL;
		if (!to)
			continue; /* libevtx-recovered: not in the counts */
		HV_GROW(to->items, to->n, to->cap);
		x = &to->items[to->n++];
		memset(x, 0, sizeof(*x));
		x->id = strtoull(f[3], NULL, 10);
		x->provider = hv_strdup(f[4]);
		x->eid = (unsigned)strtol(f[5], NULL, 10);
		snprintf(x->time, sizeof(x->time), "%s", f[6]);
	}
	assert_int_equal(pclose(p), 0);
	hv_strbuf_release(&cmd);
}

static int64_t micros(const char *t)
{
	int64_t us;

	return t[0] && canon_time(t, &us) ? us : INT64_MIN;
}

/* The next of our records with this id not yet matched. */
static struct rec *find(struct recs *r, unsigned long long id)
{
	return refs_find(r->items, r->n, sizeof(*r->items), &r->hint, id);
}

static void unuse(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		r->items[i].used = false;
	r->hint = 0;
}

static bool same_fields(const struct rec *a, const struct rec *b, int64_t slack)
{
	int64_t ta = micros(a->time), tb = micros(b->time);

	return !strcmp(a->provider, b->provider) && a->eid == b->eid &&
	       (ta == tb || (ta != INT64_MIN && tb != INT64_MIN &&
			     llabs(ta - tb) <= slack));
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Counts per (provider, event id), as sorted text lines. */
static char *counts_of(const struct recs *r)
{
	struct hv_strbuf out = HV_STRBUF_INIT;
	char **keys = hv_calloc(r->n + 1, sizeof(*keys));

	for (size_t i = 0; i < r->n; i++) {
		struct hv_strbuf k = HV_STRBUF_INIT;

		hv_strbuf_addf(&k, "%s\t%u", r->items[i].provider,
			       r->items[i].eid);
		keys[i] = hv_strbuf_detach(&k);
	}
	qsort(keys, r->n, sizeof(*keys), by_string);
	for (size_t i = 0; i < r->n;) {
		size_t j = i;

		while (j < r->n && !strcmp(keys[i], keys[j]))
			j++;
		hv_strbuf_addf(&out, "%s\t%zu\n", keys[i], j - i);
		i = j;
	}
	for (size_t i = 0; i < r->n; i++)
		free(keys[i]);
	free(keys);
	hv_strbuf_addch(&out, '\0');
	return hv_strbuf_detach(&out);
}

static void first_last(const struct recs *r, int64_t *first, int64_t *last)
{
	*first = INT64_MAX;
	*last = INT64_MIN;
	for (size_t i = 0; i < r->n; i++) {
		int64_t t = micros(r->items[i].time);

		if (t == INT64_MIN)
			continue;
		if (t < *first)
			*first = t;
		if (t > *last)
			*last = t;
	}
}

/* --- XML ------------------------------------------------------------ */

static unsigned long long canon_record_id(const char *canon)
{
	const char *p = strstr(canon, "S EventRecordID\nT ");

	return p ? strtoull(p + strlen("S EventRecordID\nT "), NULL, 10) : 0;
}

/* One reference record's XML against ours (by record id). */
/* The references write C0 controls of event data raw, which XML 1.0
 * (section 2.2, Char) forbids: their output is not XML there (record 90
 * of win11-rathbunvm-Security.evtx holds U+0001). Ours shows them as
 * control pictures (U+2400 + the code); the reference's are compared
 * as such. Returns how many were. */
static size_t as_control_pictures(const char *xml, size_t len,
				  struct hv_strbuf *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)xml[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			char pic[3] = {(char)0xE2, (char)0x90,
				       (char)(0x80 + c)};

			hv_strbuf_add(out, pic, 3);
			n++;
		} else {
			hv_strbuf_addch(out, (char)c);
		}
	}
	return n;
}

static size_t raw_controls; /* in the references' XML, all files */

static void compare_xml(struct recs *ours, const char *xml, size_t len,
			int64_t slack, const char *who, struct hv_strbuf *bad,
			size_t *compared)
{
	struct hv_strbuf canon = HV_STRBUF_INIT, fixed = HV_STRBUF_INIT;
	struct rec *r;
	const char *diff;

	raw_controls += as_control_pictures(xml, len, &fixed);
	canon_xml(fixed.buf ? fixed.buf : "", fixed.len, &canon);
	hv_strbuf_release(&fixed);
	hv_strbuf_addch(&canon, '\0');
	r = find(ours, canon_record_id(canon.buf));
	if (r && slack) { /* python-evtx: see canon_drop_empty() */
		char *mine = hv_strdup(r->canon);

		canon_drop_empty(mine);
		canon_drop_empty(canon.buf);
		diff = canon_diff(mine, canon.buf, slack);
		if (diff)
			hv_strbuf_addf(
				bad, "  %s: record %llu differs at \"%.*s\"\n",
				who, r->id, (int)strcspn(diff, "\n"), diff);
		free(mine);
	} else if (!r) {
		hv_strbuf_addf(bad, "  %s: record %llu is not in ours\n", who,
			       canon_record_id(canon.buf));
	} else if ((diff = canon_diff(r->canon, canon.buf, slack)) != NULL) {
		hv_strbuf_addf(bad, "  %s: record %llu differs at \"%.*s\"\n",
			       who, r->id, (int)strcspn(diff, "\n"), diff);
	}
	(*compared)++;
	hv_strbuf_release(&canon);
}

/* evtxexport -f xml: every record it prints, against ours. */
static size_t live_xml(const char *path, struct recs *ours,
		       struct hv_strbuf *bad)
{
	struct hv_strbuf cmd = HV_STRBUF_INIT, out = HV_STRBUF_INIT;
	char buf[65536];
	size_t n, compared = 0;
	const char *p;
	FILE *f;

	if (system("command -v evtxexport >/dev/null 2>&1") != 0)
		return 0;
	hv_strbuf_addf(&cmd, "evtxexport -f xml '%s' 2>/dev/null", path);
	f = popen(hv_strbuf_str(&cmd), "r");
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		hv_strbuf_add(&out, buf, n);
	if (f)
		pclose(f);
	unuse(ours);
	for (p = out.buf ? strstr(out.buf, "<Event ") : NULL; p;) {
		const char *end = strstr(p, "</Event>");

		if (!end)
			break;
		end += strlen("</Event>");
		compare_xml(ours, p, (size_t)(end - p), 0, "evtxexport", bad,
			    &compared);
		p = strstr(end, "<Event ");
	}
	unuse(ours);
	hv_strbuf_release(&cmd);
	hv_strbuf_release(&out);
	return compared;
}

static bool has_record_id(const char *xml)
{
	return strstr(xml, "<EventRecordID>") != NULL;
}

/* The references' first three records. python-evtx writes some values
 * its own way (string arrays as escaped <string> items in one element,
 * True/False, binary as base64): only where its XML and libevtx's agree
 * once normalised is ours held to python-evtx's too. */
static bool references_agree(const char *py, const char *lib)
{
	struct hv_strbuf a = HV_STRBUF_INIT, b = HV_STRBUF_INIT;
	bool same;

	canon_xml(py, strlen(py), &a);
	canon_xml(lib, strlen(lib), &b);
	hv_strbuf_addch(&a, '\0');
	hv_strbuf_addch(&b, '\0');
	canon_drop_empty(a.buf);
	canon_drop_empty(b.buf);
	same = canon_record_id(a.buf) == canon_record_id(b.buf) &&
	       canon_diff(a.buf, b.buf, 5) == NULL;
	hv_strbuf_release(&a);
	hv_strbuf_release(&b);
	return same;
}

static void ref_xml(const char *dir, const char *file, struct recs *ours,
		    struct hv_strbuf *bad)
{
	struct hv_strbuf path = HV_STRBUF_INIT;
	char *json, *py[3], *lib[3];
	size_t np, nl, compared = 0;

	hv_strbuf_addf(&path, "%s/refs/%s.ref.json", dir, file);
	json = slurp(hv_strbuf_str(&path));
	assert_non_null(json);
	np = first3(json, "\"python_evtx\": {", py);
	nl = first3(json, "\"libevtx\": {", lib);
	for (size_t i = 0; i < nl; i++)
		if (has_record_id(lib[i]))
			compare_xml(ours, lib[i], strlen(lib[i]), 0, "libevtx",
				    bad, &compared);
	unuse(ours);
	/* python-evtx rounds times through a float: 5 us of slack, as the
	 * references' own comparison allows */
	for (size_t i = 0; i < np; i++) {
		bool agreed = false;

		for (size_t k = 0; k < nl && !agreed; k++)
			agreed = references_agree(py[i], lib[k]);
		if (agreed && has_record_id(py[i]))
			compare_xml(ours, py[i], strlen(py[i]), 5,
				    "python-evtx", bad, &compared);
	}
	unuse(ours);
	for (size_t i = 0; i < np; i++)
		free(py[i]);
	for (size_t i = 0; i < nl; i++)
		free(lib[i]);
	free(json);
	hv_strbuf_release(&path);
}

/* --- per file -------------------------------------------------------- */

struct sample {
	char *file, *kind;
	bool agree;
};

/* Where the references agree (the same record count, fields and no
 * errors: `agree` in MANIFEST.tsv), ours must be exactly theirs. */
static void check_agreeing(struct recs *ours, struct recs *lib, struct recs *py,
			   struct hv_strbuf *bad)
{
	char *a = counts_of(ours), *b = counts_of(lib);
	int64_t f1, l1, f2, l2;

	if (ours->n != lib->n)
		hv_strbuf_addf(bad, "  %zu records, the references %zu\n",
			       ours->n, lib->n);
	if (strcmp(a, b))
		hv_strbuf_adds(bad, "  counts per (provider, event id) "
				    "differ\n");
	first_last(ours, &f1, &l1);
	first_last(lib, &f2, &l2);
	if (f1 != f2 || l1 != l2)
		hv_strbuf_adds(bad, "  first or last time differs\n");
	for (size_t i = 0; i < py->n; i++) {
		struct rec *r = find(ours, py->items[i].id);

		if (!r || !same_fields(r, &py->items[i], 5))
			hv_strbuf_addf(bad,
				       "  record %llu differs from "
				       "python-evtx\n",
				       py->items[i].id);
	}
	unuse(ours);
	free(a);
	free(b);
}

/* On damaged and edge files: at least as many records as the better
 * reference, and the records both references read alike, read alike. */
static void check_damaged(struct recs *ours, struct recs *lib, struct recs *py,
			  struct hv_strbuf *bad)
{
	size_t better = lib->n > py->n ? lib->n : py->n, common = 0;

	if (ours->n < better)
		hv_strbuf_addf(bad,
			       "  %zu records, the better reference "
			       "%zu\n",
			       ours->n, better);
	for (size_t i = 0; i < lib->n; i++) {
		struct rec *p = find(py, lib->items[i].id), *r;

		if (!p || !same_fields(p, &lib->items[i], 5))
			continue;
		common++;
		r = find(ours, lib->items[i].id);
		if (!r || !same_fields(r, &lib->items[i], 0))
			hv_strbuf_addf(bad,
				       "  record %llu, read alike by "
				       "both references, differs\n",
				       lib->items[i].id);
	}
	unuse(ours);
	unuse(py);
	(void)common;
}

/* `make SAN=1 unit` sets HVDOCTOR_SAN=1. */
static bool sanitized(void)
{
	const char *v = getenv("HVDOCTOR_SAN");

	return v && v[0] == '1';
}

static void check_sample(const char *dir, const struct sample *s,
			 struct hv_strbuf *report, struct hv_strbuf *fails)
{
	struct recs ours = {0}, py = {0}, lib = {0};
	struct hv_strbuf path = HV_STRBUF_INIT, bad = HV_STRBUF_INIT;
	size_t damage, live, plan_mismatch = 0;

	hv_strbuf_addf(&path, "%s/%s", dir, s->file);
	read_ours(hv_strbuf_str(&path), &ours, &damage, &plan_mismatch);
	if (plan_mismatch)
		hv_strbuf_addf(&bad,
			       "  %zu renderings differ between plan and "
			       "walk\n",
			       plan_mismatch);
	read_tsv(dir, s->file, &py, &lib);
	/* a file in which we found damage may hold more than the
	 * references recover: it is held to the damaged-file rule */
	if (s->agree && damage == 0)
		check_agreeing(&ours, &lib, &py, &bad);
	else
		check_damaged(&ours, &lib, &py, &bad);
	/* Under the sanitizers the reader is what is checked; the text
	 * comparisons (the plain unit run makes them) would take minutes. */
	live = 0;
	if (!sanitized()) {
		ref_xml(dir, s->file, &ours, &bad);
		live = live_xml(hv_strbuf_str(&path), &ours, &bad);
	}
	hv_strbuf_addf(report,
		       "  %-64s %-6s ours %5zu  python-evtx %5zu  libevtx "
		       "%5zu  xml vs evtxexport %5zu\n",
		       s->file, s->kind, ours.n, py.n, lib.n, live);
	if (bad.len)
		hv_strbuf_addf(fails, "%s:\n%s", s->file, hv_strbuf_str(&bad));
	hv_strbuf_release(&bad);
	hv_strbuf_release(&path);
	recs_release(&ours);
	recs_release(&py);
	recs_release(&lib);
}

static size_t read_manifest(const char *dir, struct sample **out)
{
	struct hv_strbuf path = HV_STRBUF_INIT;
	char line[8192];
	size_t n = 0, cap = 0;
	FILE *f;

	hv_strbuf_addf(&path, "%s/MANIFEST.tsv", dir);
	f = fopen(hv_strbuf_str(&path), "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *col[12] = {0}, *s = line;
		int k = 0;

		while (k < 12 && s) {
			col[k++] = s;
			s = strchr(s, '\t');
			if (s)
				*s++ = '\0';
		}
		if (k < 11 || !strcmp(col[0], "file"))
			continue;
		HV_GROW(*out, n, cap);
		(*out)[n].file = hv_strdup(col[0]);
		(*out)[n].kind = hv_strdup(col[3]);
		(*out)[n].agree = !strcmp(col[10], "yes");
		n++;
	}
	fclose(f);
	hv_strbuf_release(&path);
	return n;
}

static void test_samples_against_references(void **state)
{
	char *dir = data_dir();
	struct sample *samples = NULL;
	struct hv_strbuf report = HV_STRBUF_INIT, fails = HV_STRBUF_INIT;
	size_t n;

	(void)state;
	if (!dir) {
		EVTX_REFS_ABSENT("../shared/data/evtx is absent; the reader "
				 "is not checked against python-evtx and "
				 "libevtx");
		return;
	}
	n = read_manifest(dir, &samples);
	assert_true(n >= 16);
	for (size_t i = 0; i < n; i++) {
		check_sample(dir, &samples[i], &report, &fails);
		free(samples[i].file);
		free(samples[i].kind);
	}
	for (const char *p = hv_strbuf_str(&report); *p;) {
		size_t l = strcspn(p, "\n");

		print_message("%.*s\n", (int)l, p);
		p += l + (p[l] == '\n');
	}
	if (raw_controls)
		print_message("%zu C0 controls the references wrote raw (not "
			      "XML 1.0) compared as control pictures\n",
			      raw_controls);
	if (fails.len) {
		fputs(hv_strbuf_str(&fails), stderr);
		fail_msg("disagreements with the references (above)");
	}
	free(samples);
	free(dir);
	hv_strbuf_release(&report);
	hv_strbuf_release(&fails);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples_against_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
