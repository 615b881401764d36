/* Searching for the live LDAP source (ldap_source.h): paged searches
 * (RFC 2696), completion of AD's ranged attributes (MS-ADTS
 * 3.1.1.3.1.3.3) and copying the entries into struct hv_directory.
 * Connecting, TLS, binding and modifying are in ldap_source.c. */
#include "sources/ldap_source.h"

#include "base/alloc.h"
#include "base/strbuf.h"
#include "base/term.h"
#include "base/utf8.h"
#include "sources/dynlib_internal.h"
#include "sources/ldap_internal.h"

#include <ldap.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* AD's default MaxPageSize (MS-ADTS 3.1.1.3.4.6 "LDAP Policies"): a larger
 * page is cut to it anyway, a smaller one only costs round trips. */
#define PAGE_SIZE 1000
/* A server that keeps handing out cookies is broken or hostile; 100,000
 * pages of 1,000 entries is far beyond any real domain. */
#define MAX_PAGES 100000

/* ------------------------------------------------------------------ *
 * Range options (declared in ldap_internal.h for the unit tests)      *
 * ------------------------------------------------------------------ */

/* Reads a decimal index at *p and moves *p past it; false if there is no
 * digit or the number overflows. */
static bool read_index(const char **p, unsigned long *out)
{
	const char *s = *p;
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (v > (ULONG_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*p = s;
	*out = v;
	return true;
}

int hv_ldap_range_parse(const char *attr, struct hv_ldap_range *out)
{
	static const char opt[] = ";range=";
	const char *p = attr;

	*out = (struct hv_ldap_range){0};
	/* Attribute options are case-insensitive (RFC 4512 section 2.5). */
	while ((p = strchr(p, ';')) &&
	       strncasecmp(p, opt, sizeof(opt) - 1) != 0)
		p++;
	if (!p)
		return 0;
	out->ranged = true;
	out->name_len = (size_t)(p - attr);
	p += sizeof(opt) - 1;
	if (!read_index(&p, &out->low) || *p++ != '-')
		return HV_ERR_INPUT;
	if (*p == '*') {
		out->last = true;
		p++;
	} else if (!read_index(&p, &out->high) || out->high < out->low) {
		return HV_ERR_INPUT;
	}
	/* AD puts the range option last; anything after it is not AD. */
	return *p == '\0' && out->name_len > 0 ? 0 : HV_ERR_INPUT;
}

int hv_ldap_range_step(const struct hv_ldap_range *r, size_t taken,
		       unsigned long *next, struct hv_error *err)
{
	if (taken >= HV_LDAP_MAX_SLICES)
		return hv_error_set(err, HV_ERR_DIRECTORY, NULL,
				    "more than %d slices of one ranged "
				    "attribute; giving up",
				    HV_LDAP_MAX_SLICES);
	if (!r->ranged || r->low != *next)
		return hv_error_set(err, HV_ERR_DIRECTORY, NULL,
				    "asked for values from %lu on, the server "
				    "sent a slice from %lu: a gap or an "
				    "overlap would lose or double values",
				    *next, r->low);
	if (!r->last && r->high == ULONG_MAX)
		return hv_error_set(err, HV_ERR_DIRECTORY, NULL,
				    "range index overflow");
	if (!r->last)
		*next = r->high + 1;
	return 0;
}

int hv_ldap_dn_check(const char *dn, size_t len, struct hv_error *err)
{
	struct hv_strbuf shown = HV_STRBUF_INIT;
	int rc;

	if (len && !memchr(dn, '\0', len) && hv_utf8_valid(dn, len))
		return 0;
	hv_term_escape(&shown, dn, len < 200 ? len : 200);
	rc = hv_error_set(err, HV_ERR_DIRECTORY, NULL,
			  "the server returned a DN with a NUL byte or not in "
			  "UTF-8 (RFC 4514): '%s'",
			  hv_strbuf_str(&shown));
	hv_strbuf_release(&shown);
	return rc;
}

/* ------------------------------------------------------------------ *
 * Searching                                                           *
 * ------------------------------------------------------------------ */

struct search {
	struct hv_ldap *h;
	const char *base;
	int scope;
	const char *filter;
	char **attrs; /* libldap wants char **; NULL: all */
	struct hv_directory *dir;
	struct berval cookie; /* RFC 2696 cookie; hv_ldap_fn.ber_memfree() */
	size_t pages;
};

/* Called for each attribute of an entry with its name (options kept) and
 * its values (pointing into the message, bv_val NULL at the end). */
typedef int (*attr_fn)(struct search *s, void *ctx, const char *name,
		       const struct berval *vals, struct hv_error *err);

static int walk_attrs(struct search *s, LDAPMessage *msg, attr_fn fn, void *ctx,
		      struct hv_error *err)
{
	LDAP *ld = s->h->ld;
	BerElement *ber = NULL;
	struct berval dn, name, *vals = NULL;
	int rc, ldrc;

	/* The values stay in the message; only the arrays are ours. */
	ldrc = hv_ldap_fn.ldap_get_dn_ber(ld, msg, &ber, &dn);
	while (ldrc == LDAP_SUCCESS) {
		char *attr;

		ldrc = hv_ldap_fn.ldap_get_attribute_ber(ld, msg, ber, &name,
							 &vals);
		if (ldrc != LDAP_SUCCESS || !name.bv_val)
			break;
		attr = hv_strndup(name.bv_val, name.bv_len);
		rc = fn(s, ctx, attr, vals, err);
		free(attr);
		hv_ldap_fn.ber_memfree(vals);
		vals = NULL;
		if (rc)
			goto done;
	}
	rc = 0;
	if (ldrc != LDAP_SUCCESS)
		rc = hv_ldap_error(err, ld, ldrc, HV_ERR_DIRECTORY, s->h->uri,
				   "undecodable search entry");
done:
	hv_ldap_fn.ber_free(ber, 0);
	return rc;
}

/* The state of one ranged attribute being completed. */
struct slice {
	const char *name; /* without the range option */
	struct hv_entry *entry;
	unsigned long next; /* index of the next value wanted */
	size_t taken;	    /* slices read so far */
	bool found, done;
};

/* An error of hv_ldap_range_step happened at dn. */
static int at_dn(int rc, struct hv_error *err, const char *dn)
{
	if (rc)
		snprintf(err->where, sizeof(err->where), "%s", dn);
	return rc;
}

static int take_slice(struct search *s, void *ctx, const char *name,
		      const struct berval *vals, struct hv_error *err)
{
	struct slice *sl = ctx;
	struct hv_ldap_range r;

	(void)s;
	if (hv_ldap_range_parse(name, &r) || !r.ranged ||
	    r.name_len != strlen(sl->name) ||
	    strncasecmp(name, sl->name, r.name_len) != 0)
		return 0;
	if (at_dn(hv_ldap_range_step(&r, sl->taken++, &sl->next, err), err,
		  sl->entry->dn))
		return HV_ERR_DIRECTORY;
	for (size_t i = 0; vals && vals[i].bv_val; i++)
		hv_entry_add_value(sl->entry, sl->name, vals[i].bv_val,
				   vals[i].bv_len);
	sl->found = true;
	sl->done = r.last;
	return 0;
}

/* Reads the next slice of a ranged attribute: "name;range=next-*". */
static int fetch_slice(struct search *s, struct slice *sl, struct hv_error *err)
{
	struct hv_strbuf want = HV_STRBUF_INIT;
	LDAPMessage *res = NULL, *msg;
	char *attrs[2];
	int rc;

	hv_strbuf_addf(&want, "%s;range=%lu-*", sl->name, sl->next);
	attrs[0] = want.buf;
	attrs[1] = NULL;
	rc = hv_ldap_fn.ldap_search_ext_s(
		s->h->ld, sl->entry->dn, LDAP_SCOPE_BASE, "(objectClass=*)",
		attrs, 0, NULL, NULL, NULL, LDAP_NO_LIMIT, &res);
	if (rc != LDAP_SUCCESS) {
		rc = hv_ldap_error(err, s->h->ld, rc, hv_ldap_category(rc),
				   sl->entry->dn, "cannot read %s", want.buf);
		goto done;
	}
	msg = hv_ldap_fn.ldap_first_entry(s->h->ld, res);
	if (!msg) {
		rc = hv_error_set(err, HV_ERR_DIRECTORY, sl->entry->dn,
				  "the object vanished while reading %s",
				  want.buf);
		goto done;
	}
	sl->found = false;
	rc = walk_attrs(s, msg, take_slice, sl, err);
	/* No slice at all: the server holds no value from that index on. */
	if (!rc && !sl->found)
		sl->done = true;
done:
	hv_ldap_fn.ldap_msgfree(res);
	hv_strbuf_release(&want);
	return rc;
}

static int store_attr(struct search *s, void *ctx, const char *name,
		      const struct berval *vals, struct hv_error *err)
{
	struct hv_entry *entry = ctx;
	struct hv_ldap_range r;
	struct slice sl;
	char *base;
	int rc = 0;

	if (hv_ldap_range_parse(name, &r))
		return hv_error_set(err, HV_ERR_DIRECTORY, entry->dn,
				    "malformed ranged attribute %s", name);
	base = hv_strndup(name, r.ranged ? r.name_len : strlen(name));
	for (size_t i = 0; vals && vals[i].bv_val; i++)
		hv_entry_add_value(entry, base, vals[i].bv_val, vals[i].bv_len);
	if (r.ranged && !r.last) {
		sl = (struct slice){
			.name = base, .entry = entry, .next = r.low};
		rc = at_dn(hv_ldap_range_step(&r, sl.taken++, &sl.next, err),
			   err, entry->dn);
		while (!rc && !sl.done)
			rc = fetch_slice(s, &sl, err);
	}
	free(base);
	return rc;
}

static int store_entry(struct search *s, LDAPMessage *msg, struct hv_error *err)
{
	struct hv_entry *entry;
	BerElement *ber = NULL;
	struct berval dn = {0, NULL};
	char *copy;
	int rc = hv_ldap_fn.ldap_get_dn_ber(s->h->ld, msg, &ber, &dn);

	/* the same validation an LDIF export gets: the DN with its length,
	 * as the server sent it (it points into msg) */
	if (rc != LDAP_SUCCESS || !dn.bv_val)
		rc = hv_ldap_error(err, s->h->ld, LDAP_DECODING_ERROR,
				   HV_ERR_DIRECTORY, s->h->uri,
				   "search entry without a DN");
	else
		rc = at_dn(hv_ldap_dn_check(dn.bv_val, dn.bv_len, err), err,
			   s->h->uri);
	copy = rc ? NULL : hv_strndup(dn.bv_val, dn.bv_len);
	hv_ldap_fn.ber_free(ber, 0);
	if (rc)
		return rc;
	/* Borrowed until the next append: ranged fetches add values only. */
	entry = hv_directory_add_entry(s->dir, copy, s->h->uri);
	free(copy);
	return walk_attrs(s, msg, store_attr, entry, err);
}

/* Takes the cookie for the next page from the response control. */
static int next_cookie(struct search *s, LDAPControl **ctrls,
		       struct hv_error *err)
{
	LDAPControl *ctrl;
	struct berval cookie = {0, NULL};
	ber_int_t estimate = 0;
	int rc;

	/* RFC 2696 section 3: the server returns the control with every
	 * page, with an empty cookie on the last. Without it nobody knows
	 * whether the result is whole. */
	ctrl = hv_ldap_fn.ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, ctrls,
					    NULL);
	if (!ctrl)
		return hv_error_set(err, HV_ERR_DIRECTORY, s->h->uri,
				    "the server answered a paged search "
				    "without a paging cookie (RFC 2696); the "
				    "result may be incomplete");
	rc = hv_ldap_fn.ldap_parse_pageresponse_control(s->h->ld, ctrl,
							&estimate, &cookie);
	if (rc != LDAP_SUCCESS)
		return hv_ldap_error(err, s->h->ld, rc, HV_ERR_DIRECTORY,
				     s->h->uri, "bad paged-results response");
	hv_ldap_fn.ber_memfree(s->cookie.bv_val);
	s->cookie = cookie;
	if (++s->pages >= MAX_PAGES && cookie.bv_len)
		return hv_error_set(err, HV_ERR_DIRECTORY, s->h->uri,
				    "more than %d result pages; giving up",
				    MAX_PAGES);
	return 0;
}

static int search_failed(struct search *s, int code, struct hv_error *err)
{
	const char *what = "search failed";

	if (code == LDAP_SIZELIMIT_EXCEEDED)
		what = "the server stopped at its size limit; refusing an "
		       "incomplete result";
	else if (code == LDAP_UNAVAILABLE_CRITICAL_EXTENSION)
		what = "the server cannot page results (RFC 2696); "
		       "refusing a possibly incomplete result";
	else if (code == LDAP_NO_SUCH_OBJECT)
		what = "the search base does not exist";
	return hv_ldap_error(err, s->h->ld, code, hv_ldap_category(code),
			     s->h->uri, "%s (base \"%s\", filter %s)", what,
			     s->base, s->filter);
}

/* One page: search with the paged-results control, store the entries,
 * keep the server's cookie. */
static int search_page(struct search *s, struct hv_error *err)
{
	LDAPControl *ctrl = NULL, *req[2] = {NULL, NULL}, **resp = NULL;
	LDAPMessage *res = NULL;
	int rc, code = LDAP_OTHER;

	/* Critical (RFC 2696 section 3, RFC 4511 4.1.11): a server that
	 * cannot page must refuse instead of truncating at its limit. */
	rc = hv_ldap_fn.ldap_create_page_control(s->h->ld, PAGE_SIZE,
						 &s->cookie, 1, &ctrl);
	if (rc != LDAP_SUCCESS) {
		rc = hv_ldap_error(err, s->h->ld, rc, HV_ERR_UNEXPECTED,
				   s->h->uri,
				   "cannot build the paging control");
		goto done;
	}
	req[0] = ctrl;
	rc = hv_ldap_fn.ldap_search_ext_s(s->h->ld, s->base, s->scope,
					  s->filter, s->attrs, 0, req, NULL,
					  NULL, LDAP_NO_LIMIT, &res);
	if (!res) {
		rc = search_failed(s, rc, err);
		goto done;
	}
	rc = hv_ldap_fn.ldap_parse_result(s->h->ld, res, &code, NULL, NULL,
					  NULL, &resp, 0);
	if (rc != LDAP_SUCCESS) {
		rc = hv_ldap_error(err, s->h->ld, rc, HV_ERR_DIRECTORY,
				   s->h->uri, "undecodable search result");
		goto done;
	}
	if (code != LDAP_SUCCESS) {
		rc = search_failed(s, code, err);
		goto done;
	}
	/* The cookie first: a page without one is refused whole. */
	rc = next_cookie(s, resp, err);
	for (LDAPMessage *e = hv_ldap_fn.ldap_first_entry(s->h->ld, res);
	     e && !rc; e = hv_ldap_fn.ldap_next_entry(s->h->ld, e))
		rc = store_entry(s, e, err);
done:
	hv_ldap_fn.ldap_controls_free(resp);
	hv_ldap_fn.ldap_control_free(ctrl);
	hv_ldap_fn.ldap_msgfree(res);
	return rc;
}

static int ldap_scope_of(enum hv_ldap_scope scope)
{
	switch (scope) {
	case HV_LDAP_SCOPE_BASE:
		return LDAP_SCOPE_BASE;
	case HV_LDAP_SCOPE_ONELEVEL:
		return LDAP_SCOPE_ONELEVEL;
	case HV_LDAP_SCOPE_SUBTREE:
		return LDAP_SCOPE_SUBTREE;
	}
	return -1;
}

static char **copy_attrs(const char *const *attrs)
{
	char **copy;
	size_t n = 0;

	if (!attrs)
		return NULL;
	while (attrs[n])
		n++;
	copy = hv_calloc(n + 1, sizeof(*copy));
	for (size_t i = 0; i < n; i++)
		copy[i] = hv_strdup(attrs[i]);
	return copy;
}

static void free_attrs(char **attrs)
{
	for (size_t i = 0; attrs && attrs[i]; i++)
		free(attrs[i]);
	free(attrs);
}

int hv_ldap_search(struct hv_ldap *h, const char *base,
		   enum hv_ldap_scope scope, const char *filter,
		   const char *const *attrs, struct hv_directory *dir,
		   struct hv_error *err)
{
	struct search s;
	int rc;

	s = (struct search){.h = h,
			    .base = base ? base : h->base_dn,
			    .scope = ldap_scope_of(scope),
			    .filter = filter ? filter : "(objectClass=*)",
			    .dir = dir};
	if (s.scope < 0)
		return hv_error_set(err, HV_ERR_USAGE, h->uri,
				    "unknown search scope %d", (int)scope);
	if (!dir->base_dn)
		dir->base_dn = hv_strdup(h->base_dn);
	s.attrs = copy_attrs(attrs);
	/* RFC 2696 section 3: repeat the same search with the returned
	 * cookie until the server sends an empty one. */
	do
		rc = search_page(&s, err);
	while (!rc && s.cookie.bv_len);
	hv_ldap_fn.ber_memfree(s.cookie.bv_val);
	free_attrs(s.attrs);
	return rc;
}
