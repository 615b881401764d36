/* The public EVTX samples in ../shared/data/evtx and their reference
 * outputs (README.md there): where they are, and the references' own
 * XML of each file's first three records. For the tests only. */
#ifndef HV_TEST_EVTX_REFS_H
#define HV_TEST_EVTX_REFS_H

#include "base/strbuf.h"

#include "shared_dir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The samples' folder, or NULL when it is absent (caller frees). */
static char *data_dir(void)
{
	return shared_path("data/evtx");
}

static char *slurp(const char *path)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		hv_strbuf_add(&sb, buf, n);
	fclose(f);
	hv_strbuf_addch(&sb, '\0');
	return hv_strbuf_detach(&sb);
}

/* The JSON strings of "first3_xml" in the section `parser` of a ref.json
 * (a small reader for this one shape: strings with JSON escapes). */
static size_t first3(const char *json, const char *parser, char *out[3])
{
	const char *s = strstr(json, parser), *p;
	size_t n = 0;

	if (!s || !(s = strstr(s, "\"first3_xml\": [")))
		return 0;
	p = s + strlen("\"first3_xml\": [");
	while (n < 3 && (p = strchr(p, '"')) != NULL) {
		struct hv_strbuf v = HV_STRBUF_INIT;

		for (p++; *p && *p != '"'; p++) {
			if (*p != '\\') {
				hv_strbuf_addch(&v, *p);
				continue;
			}
			p++;
			if (*p == 'n')
				hv_strbuf_addch(&v, '\n');
			else if (*p == 'r')
				hv_strbuf_addch(&v, '\r');
			else if (*p == 't')
				hv_strbuf_addch(&v, '\t');
			else if (*p == 'u') {
				unsigned cp = (unsigned)strtoul(
					(char[]){p[1], p[2], p[3], p[4], 0},
					NULL, 16);
				char u[4];

				p += 4;
				if (cp < 0x80) {
					hv_strbuf_addch(&v, (char)cp);
				} else if (cp < 0x800) {
					u[0] = (char)(0xC0 | cp >> 6);
					u[1] = (char)(0x80 | (cp & 0x3F));
					hv_strbuf_add(&v, u, 2);
				} else {
					u[0] = (char)(0xE0 | cp >> 12);
					u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
					u[2] = (char)(0x80 | (cp & 0x3F));
					hv_strbuf_add(&v, u, 3);
				}
			} else {
				hv_strbuf_addch(&v, *p);
			}
		}
		hv_strbuf_addch(&v, '\0');
		out[n++] = hv_strbuf_detach(&v);
		if (*p)
			p++;
		p += strspn(p, " \n,");
		if (*p == ']')
			break;
	}
	return n;
}

/* Records matched by id, from *hint on and round: the references list records
 * in file order, as ours do, so a whole file is matched in linear time (a
 * search from the start made the tests quadratic, minutes under ASan on the
 * 60,000-record sample). */
struct refs_key {
	unsigned long long id;
	bool used;
};

/* The next item (of `size` bytes, a struct refs_key first) with this id
 * not yet matched; it is marked used. */
static void *refs_find(void *items, size_t n, size_t size, size_t *hint,
		       unsigned long long id)
{
	for (size_t k = 0; k < n; k++) {
		size_t i = (*hint + k) % n;
		struct refs_key *key =
			(struct refs_key *)((char *)items + i * size);

		if (key->id == id && !key->used) {
			key->used = true;
			*hint = i + 1;
			return key;
		}
	}
	return NULL;
}

/* Says the samples are absent: shared_dir.h's one policy. */
#define EVTX_REFS_ABSENT(what) shared_absent(what)

#endif
