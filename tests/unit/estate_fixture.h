/* The LDIF fixtures the estate and check tests build: computers, users,
 * delegation entries and security descriptors written as LDIF text and
 * read as "t.ldif", then built into an estate. Header-only (static
 * inline) so each test program takes what it uses. */
#ifndef HV_TEST_ESTATE_FIXTURE_H
#define HV_TEST_ESTATE_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "checks/checks.h"
#include "checks/findings.h"
#include "estate/estate.h"
#include "base/alloc.h"
#include "base/base64.h"
#include "base/error.h"
#include "base/strbuf.h"
#include "sources/ldif.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "DC=corp,DC=example,DC=com"
#define DNS "corp.example.com"
#define OU_HV "OU=Hyper-V," BASE
#define VSMS HV_SPN_VSMS
#define TWIN "Microsoft\\ Virtual\\ System\\ Migration\\ Service"
#define A2D "msDS-AllowedToDelegateTo"
#define RBCD "msDS-AllowedToActOnBehalfOfOtherIdentity"
#define SPN "servicePrincipalName"
#define UAC "userAccountControl"
/* userAccountControl (MS-ADTS 2.2.16) */
#define UAC_ANY "16781312"    /* workstation + protocol transition */
#define UAC_KERB "4096"	      /* workstation, "Kerberos only" */
#define UAC_OFF "4098"	      /* workstation, disabled */
#define UAC_UNCON "528384"    /* workstation + unconstrained */
#define UAC_NODELEG "1049088" /* normal user + NOT_DELEGATED */

struct fx {
	struct hv_strbuf ldif;
	bool discover; /* test discovery itself: never name the hosts */
	struct hv_selection sel;
	struct hv_directory dir;
	struct hv_estate est;
	struct hv_findings out;
};

static inline int setup(void **state)
{
	*state = hv_calloc(1, sizeof(struct fx));
	return 0;
}

/* Frees everything and leaves fx ready for the next fixture. */
static inline void fx_clear(struct fx *fx)
{
	hv_findings_release(&fx->out);
	hv_estate_release(&fx->est);
	hv_directory_clear(&fx->dir);
	hv_selection_release(&fx->sel);
	hv_strbuf_release(&fx->ldif);
	memset(fx, 0, sizeof(*fx));
}

static inline int teardown(void **state)
{
	fx_clear(*state);
	free(*state);
	return 0;
}

/* A fixture whose hosts nothing vouches for (no delegation among them)
 * gets them named, as an admin would name them; tests of discovery set
 * fx->discover and see the estate's own verdict. */
static inline void name_unverified(struct fx *fx)
{
	size_t n = fx->est.n_unverified;

	fx->sel.hosts = hv_calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		fx->sel.hosts[fx->sel.n_hosts++] =
			hv_strdup(fx->est.accounts[fx->est.unverified[i]].name);
	hv_estate_release(&fx->est);
}

static inline void build(struct fx *fx)
{
	struct hv_error err;
	int rc;

	if (hv_ldif_read_buffer("t.ldif", hv_strbuf_str(&fx->ldif),
				fx->ldif.len, &fx->dir, &err) != 0)
		fail_msg("fixture LDIF: %s: %s", err.where, err.message);
	rc = hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err);
	if (rc < 0 && !fx->discover && !fx->sel.hosts && !fx->sel.ou &&
	    !fx->sel.n_groups && fx->est.n_unverified) {
		name_unverified(fx);
		rc = hv_estate_build(&fx->est, &fx->dir, &fx->sel, &err);
	}
	if (rc < 0)
		fail_msg("estate: %s", err.message);
}

static inline void run(struct fx *fx, void (*check)(const struct hv_estate *,
						    struct hv_findings *))
{
	build(fx);
	check(&fx->est, &fx->out);
}

/* "A,B,C" as a new list (never NULL), for struct hv_selection. */
static inline char **list(const char *csv, size_t *n)
{
	char **items = hv_calloc(strlen(csv) + 1, sizeof(*items));

	*n = 0;
	while (*csv) {
		size_t len = strcspn(csv, ",");

		if (len)
			items[(*n)++] = hv_strndup(csv, len);
		csv += len;
		if (*csv == ',')
			csv++;
	}
	return items;
}

static inline void want_hosts(struct fx *fx, const char *csv)
{
	fx->sel.hosts = list(csv, &fx->sel.n_hosts);
}

/* Starts the record of computer NAME in ou: sAMAccountName NAME$,
 * dNSHostName NAME.corp.example.com. Lines added after it belong to it
 * until the next record starts. */
static inline void computer(struct hv_strbuf *sb, const char *ou,
			    const char *name, const char *uac)
{
	if (sb->len)
		hv_strbuf_addch(sb, '\n');
	hv_strbuf_addf(sb,
		       "dn: CN=%s,%s\n"
		       "objectClass: computer\n"
		       "sAMAccountName: %s$\n"
		       "dNSHostName: %s." DNS "\n"
		       "userAccountControl: %s\n",
		       name, ou, name, name, uac);
}

static inline void os(struct hv_strbuf *sb, const char *name,
		      const char *version)
{
	if (name)
		hv_strbuf_addf(sb, "operatingSystem: %s\n", name);
	if (version)
		hv_strbuf_addf(sb, "operatingSystemVersion: %s\n", version);
}

/* HOST/ and the migration service, short name and FQDN. */
static inline void spns(struct hv_strbuf *sb, const char *name)
{
	hv_strbuf_addf(sb,
		       SPN ": HOST/%s\n" SPN ": HOST/%s." DNS "\n" SPN ": " VSMS
			   "/%s\n" SPN ": " VSMS "/%s." DNS "\n",
		       name, name, name, name);
}

/* A Windows Server 2022 Hyper-V host with the standard SPNs. */
static inline void host_in(struct hv_strbuf *sb, const char *ou,
			   const char *name, const char *uac)
{
	computer(sb, ou, name, uac);
	os(sb, "Windows Server 2022 Datacenter", "10.0 (20348)");
	spns(sb, name);
}

static inline void host(struct hv_strbuf *sb, const char *name, const char *uac)
{
	host_in(sb, OU_HV, name, uac);
}

static inline void user(struct hv_strbuf *sb, const char *name, const char *uac)
{
	if (sb->len)
		hv_strbuf_addch(sb, '\n');
	hv_strbuf_addf(sb,
		       "dn: CN=%s,OU=Admins," BASE "\n"
		       "objectClass: user\n"
		       "sAMAccountName: %s\n"
		       "userAccountControl: %s\n",
		       name, name, uac);
}

/* The delegation entries `which` (enum hv_deleg_bit) towards `to`. */
static inline void deleg(struct hv_strbuf *sb, const char *to, unsigned which)
{
	static const char *const cls[] = {VSMS, VSMS, "cifs", "cifs"};

	for (unsigned i = 0; i < 4; i++)
		if (which & (1u << i))
			hv_strbuf_addf(sb, A2D ": %s/%s%s\n", cls[i], to,
				       i & 1 ? "." DNS : "");
}

static inline void put_le(unsigned char *p, uint32_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* S-1-5-21-1111-2222-3333-rid (MS-DTYP 2.4.2): 28 bytes at p. */
static inline size_t sid_bytes(unsigned char *p, uint32_t rid)
{
	static const uint32_t sub[] = {21, 1111, 2222, 3333};

	p[0] = 1;
	p[1] = 5;
	memset(p + 2, 0, 5);
	p[7] = 5;
	for (size_t i = 0; i < 4; i++)
		put_le(p + 8 + 4 * i, sub[i], 4);
	put_le(p + 24, rid, 4);
	return 28;
}

/* A self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6) whose DACL has an
 * ACE of types[i] (0 allowed, 1 denied) for each rids[i]; out must hold
 * 28 + 36 * n bytes. Returns the length. */
static inline size_t secdesc(unsigned char *out, const uint32_t *rids,
			     const unsigned char *types, size_t n)
{
	size_t pos = 28;

	memset(out, 0, pos);
	out[0] = 1;
	put_le(out + 2, 0x8004, 2); /* SELF_RELATIVE | DACL_PRESENT */
	put_le(out + 16, 20, 4);
	out[20] = 2;
	for (size_t i = 0; i < n; i++, pos += 36) {
		out[pos] = types[i];
		out[pos + 1] = 0;
		put_le(out + pos + 2, 36, 2);
		put_le(out + pos + 4, 0xf01ff, 4);
		sid_bytes(out + pos + 8, rids[i]);
	}
	put_le(out + 22, (uint32_t)(pos - 20), 2);
	put_le(out + 24, (uint32_t)n, 2);
	return pos;
}

static inline void b64_line(struct hv_strbuf *sb, const char *attr,
			    const unsigned char *data, size_t len)
{
	hv_strbuf_addf(sb, "%s:: ", attr);
	hv_base64_encode(sb, data, len);
	hv_strbuf_addch(sb, '\n');
}

static inline void sid_line(struct hv_strbuf *sb, uint32_t rid)
{
	unsigned char sid[28];

	b64_line(sb, "objectSid", sid, sid_bytes(sid, rid));
}

static inline const struct hv_finding *nth(const struct fx *fx, size_t i)
{
	if (i >= fx->out.n)
		fail_msg("finding %zu of %zu", i, fx->out.n);
	return &fx->out.items[i];
}

static inline size_t count_cause(const struct fx *fx, const char *cause)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->out.n; i++)
		n += strcmp(fx->out.items[i].cause, cause) == 0;
	return n;
}

/* The one finding of a cause; fails if there is none or several. */
static inline const struct hv_finding *the(const struct fx *fx,
					   const char *cause)
{
	const struct hv_finding *found = NULL;

	for (size_t i = 0; i < fx->out.n; i++) {
		if (strcmp(fx->out.items[i].cause, cause) != 0)
			continue;
		if (found)
			fail_msg("more than one %s finding", cause);
		found = &fx->out.items[i];
	}
	if (!found)
		fail_msg("no %s finding", cause);
	return found;
}

static inline void assert_finding(const struct hv_finding *f, const char *cause,
				  enum hv_severity sev, const char *subject,
				  const char *targets, size_t n_targets)
{
	assert_string_equal(f->cause, cause);
	assert_int_equal(f->severity, sev);
	assert_string_equal(f->source, subject);
	if (targets) {
		assert_non_null(f->target);
		assert_string_equal(f->target, targets);
	} else {
		assert_null(f->target);
	}
	assert_int_equal(f->n_targets, n_targets);
}

static inline void assert_ev(const struct hv_finding *f, size_t i,
			     const char *dn, const char *attr,
			     enum hv_ev_state state, const char *value)
{
	if (i >= f->n_ev)
		fail_msg("evidence %zu of %zu", i, f->n_ev);
	assert_string_equal(f->ev[i].dn, dn);
	assert_string_equal(f->ev[i].attr, attr);
	assert_int_equal(f->ev[i].state, state);
	assert_string_equal(f->ev[i].value, value);
	assert_non_null(f->ev[i].origin);
	assert_int_equal(strncmp(f->ev[i].origin, "t.ldif:", 7), 0);
}

static inline size_t host_index(const struct hv_estate *est, const char *name)
{
	for (size_t h = 0; h < est->n_hosts; h++)
		if (strcmp(est->hosts[h].name, name) == 0)
			return h;
	fail_msg("%s is not a selected host", name);
	return 0;
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

#endif
