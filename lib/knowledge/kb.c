#include "knowledge/kb.h"

#include "base/textnorm.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "knowledge/kb_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *hv_kb_fold(const char *text)
{
	return hv_textnorm_pattern(text);
}

long hv_kb_cause_index(const struct hv_kb *kb, const char *id)
{
	for (size_t i = 0; i < kb->n_causes; i++)
		if (strcmp(kb->causes[i].id, id) == 0)
			return (long)i;
	return -1;
}

const struct hv_cause *hv_kb_cause(const struct hv_kb *kb, const char *id)
{
	long i = hv_kb_cause_index(kb, id);

	return i >= 0 ? &kb->causes[i] : NULL;
}

static int validate_signature(const struct hv_kb *kb, struct hv_signature *sig,
			      struct hv_error *err)
{
	free(sig->cause_index);
	sig->cause_index =
		sig->n_causes ? hv_calloc(sig->n_causes, sizeof(size_t)) : NULL;
	for (size_t c = 0; c < sig->n_causes; c++) {
		long idx = hv_kb_cause_index(kb, sig->cause_ids[c]);

		if (idx < 0)
			return hv_error_set(err, HV_ERR_INPUT, sig->origin,
					    "signature %s names unknown "
					    "cause '%s'",
					    sig->id, sig->cause_ids[c]);
		for (size_t d = 0; d < c; d++)
			if (sig->cause_index[d] == (size_t)idx)
				return hv_error_set(
					err, HV_ERR_INPUT, sig->origin,
					"signature %s lists cause '%s' twice",
					sig->id, sig->cause_ids[c]);
		sig->cause_index[c] = (size_t)idx;
	}
	return 0;
}

/* How much a signature that names k of the kb's C causes says about
 * each: its information content ln(C/k) on the scale of ln(C), the most
 * any signature can say (one cause). A signature that names every cause
 * says nothing. */
/* Natural logarithm for x >= 1, without libm: divide by e until x < e,
 * then ln x = 2 atanh((x-1)/(x+1)), whose series converges fast there. */
static double ln(double x)
{
	const double e = 2.718281828459045;
	double n = 0.0, y, y2, term, sum = 0.0;

	while (x >= e) {
		x /= e;
		n += 1.0;
	}
	y = (x - 1.0) / (x + 1.0);
	y2 = y * y;
	term = y;
	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= y2;
	}
	return n + 2.0 * sum;
}

static double information(size_t k, size_t c)
{
	if (k == 0 || c == 0)
		return 0.0;
	if (c == 1 || k >= c)
		return k == 1 ? 1.0 : 0.0;
	return ln((double)c / (double)k) / ln((double)c);
}

int hv_kb_validate(struct hv_kb *kb, struct hv_error *err)
{
	for (size_t i = 0; i < kb->n_sigs; i++) {
		int rc = validate_signature(kb, &kb->sigs[i], err);

		if (rc < 0)
			return rc;
		kb->sigs[i].info =
			information(kb->sigs[i].n_causes, kb->n_causes);
	}
	/* A signature id must not collide with a cause id: both are shown
	 * to admins and scripts as plain ids. */
	for (size_t i = 0; i < kb->n_sigs; i++)
		if (hv_kb_cause_index(kb, kb->sigs[i].id) >= 0)
			return hv_error_set(err, HV_ERR_INPUT,
					    kb->sigs[i].origin,
					    "signature id '%s' is also a "
					    "cause id",
					    kb->sigs[i].id);
	if (kb->n_causes == 0)
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "the knowledge base has no causes");
	return 0;
}

static int read_whole_file(const char *path, struct hv_strbuf *out,
			   struct hv_error *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;

	if (!f)
		return hv_error_set(err, HV_ERR_IO, path, "cannot open: %s",
				    strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		hv_strbuf_add(out, chunk, n);
	if (ferror(f)) {
		fclose(f);
		return hv_error_set(err, HV_ERR_IO, path, "cannot read");
	}
	fclose(f);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of DIR's *.kb files, sorted so the load order is stable. */
static int list_kb_files(const char *dir, char ***out, size_t *out_n,
			 struct hv_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return hv_error_set(err, HV_ERR_IO, dir,
				    "cannot open knowledge-base directory: %s",
				    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 4 || strcmp(de->d_name + len - 3, ".kb") != 0)
			continue;
		HV_GROW(names, n, cap);
		names[n++] = hv_strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	*out = names;
	*out_n = n;
	return 0;
}

int hv_kb_load_dir(struct hv_kb *kb, const char *dir, struct hv_error *err)
{
	char **names = NULL;
	size_t n = 0;
	int rc = list_kb_files(dir, &names, &n, err);

	if (rc == 0 && n == 0)
		rc = hv_error_set(err, HV_ERR_INPUT, dir,
				  "no *.kb files in this directory");
	for (size_t i = 0; i < n; i++) {
		struct hv_strbuf path = HV_STRBUF_INIT;
		struct hv_strbuf text = HV_STRBUF_INIT;

		hv_strbuf_addf(&path, "%s/%s", dir, names[i]);
		if (rc == 0)
			rc = read_whole_file(hv_strbuf_str(&path), &text, err);
		if (rc == 0)
			rc = hv_kb_parse(kb, hv_strbuf_str(&path),
					 hv_strbuf_str(&text), text.len, err);
		hv_strbuf_release(&path);
		hv_strbuf_release(&text);
		free(names[i]);
	}
	free(names);
	return rc;
}

void hv_kb_release(struct hv_kb *kb)
{
	for (size_t i = 0; i < kb->n_causes; i++)
		hv_kb_cause_free(&kb->causes[i]);
	for (size_t i = 0; i < kb->n_sigs; i++)
		hv_kb_signature_free(&kb->sigs[i]);
	free(kb->causes);
	free(kb->sigs);
	memset(kb, 0, sizeof(*kb));
}

const char *hv_severity_name(enum hv_severity severity)
{
	switch (severity) {
	case HV_SEV_ERROR:
		return "error";
	case HV_SEV_WARNING:
		return "warning";
	case HV_SEV_INFO:
		return "info";
	}
	return "info";
}

const char *hv_sig_kind_name(enum hv_sig_kind kind)
{
	switch (kind) {
	case HV_SIG_HRESULT:
		return "hresult";
	case HV_SIG_WIN32:
		return "win32";
	case HV_SIG_KERBEROS:
		return "kerberos";
	case HV_SIG_EVENT:
		return "event";
	case HV_SIG_MESSAGE:
		return "message";
	}
	return "message";
}
