/* Facts in pasted text besides the codes: the hosts and VMs Hyper-V
 * quotes in its messages, and what the text says of the move (which side
 * failed, how far it got, whether a cluster or storage was involved, the
 * Windows Server release, whether it was driven from elsewhere). They fill the
 * context keys of `explain
 * --context` that the admin did not give. */
#include "diagnosis/symptoms_internal.h"

#include "base/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DIGITS "0123456789"

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
	{"destination node ", false, HV_ROLE_DESTINATION},
	{"migration with host ", false, HV_ROLE_DESTINATION},
	{"connection with host ", false, HV_ROLE_DESTINATION},
	{"source host ", false, HV_ROLE_SOURCE},
	{"host ", false, HV_ROLE_UNKNOWN},
	{"-destinationhost ", false, HV_ROLE_DESTINATION},
	{"virtual machine ", true, HV_ROLE_UNKNOWN},
	{"migration operation for ", true, HV_ROLE_UNKNOWN},
	{"live migration of ", true, HV_ROLE_UNKNOWN},
};

static void scan_names(struct hv_symptoms *out, const struct hv_folded *f)
{
	for (size_t p = 0; p < sizeof(name_patterns) / sizeof(*name_patterns);
	     p++) {
		const char *at = f->lower;
		size_t plen = strlen(name_patterns[p].prefix);

		while ((at = strstr(at, name_patterns[p].prefix)) != NULL) {
			const char *name;
			size_t len;

			at += plen;
			/* the name as written: same offset in the text */
			if (!quoted_name(f->text + (at - f->lower), &name,
					 &len))
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

static void set_fact(struct hv_symptoms *out, enum hv_ctx_key key,
		     const char *value)
{
	int v;

	if (out->fact[key].known ||
	    hv_ctx_value_parse(key, value, &v, NULL) != 0)
		return;
	out->fact[key].value = v;
	out->fact[key].known = true;
}

/* Phrases are written in lower case, as they are looked for. */
static bool any_of(const char *lower, const char *const *phrases)
{
	for (; *phrases; phrases++)
		if (strstr(lower, *phrases))
			return true;
	return false;
}

/* Hyper-V's headlines name the side that failed. */
static void scan_phase(struct hv_symptoms *out, const char *text)
{
	static const char *const source[] = {"at migration source",
					     "at the source host", NULL};
	static const char *const destination[] = {"at migration destination",
						  NULL};

	if (any_of(text, source))
		set_fact(out, HV_CTX_PHASE, "source");
	else if (any_of(text, destination))
		set_fact(out, HV_CTX_PHASE, "destination");
}

static bool word_start(const char *text, const char *p)
{
	return p == text ||
	       !(isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.');
}

/* "37% completed", "37 %", and "%37" as Turkish writes it. */
static void scan_percent(struct hv_symptoms *out, const char *text)
{
	for (const char *p = text; !out->fact[HV_CTX_PERCENT].known && *p;
	     p++) {
		const char *num = p + (*p == '%');
		size_t d = strspn(num, DIGITS);
		char buf[4];

		if (d > 3) {
			p = num + d - 1; /* a long number is read once */
			continue;
		}
		if (d == 0 || !word_start(text, p) ||
		    isalnum((unsigned char)num[d]))
			continue;
		if (*p != '%' &&
		    !(num[d] == '%' || (num[d] == ' ' && num[d + 1] == '%')))
			continue;
		memcpy(buf, num, d);
		buf[d] = '\0';
		set_fact(out, HV_CTX_PERCENT, buf);
	}
}

/* Words only a clustered move prints: the HA events and Failover Cluster
 * Manager's resources and roles. */
static void scan_clustered(struct hv_symptoms *out, const char *text)
{
	static const char *const phrases[] = {"hyper-v-high-availability",
					      "failover cluster",
					      "clustered role",
					      "cluster resource",
					      "virtual machine configuration",
					      "cluster node",
					      "failoverclustering",
					      NULL};

	if (any_of(text, phrases))
		set_fact(out, HV_CTX_CLUSTERED, "yes");
}

static void scan_storage(struct hv_symptoms *out, const char *text)
{
	static const char *const phrases[] = {
		"-includestorage", "move-vmstorage", "storage migration", NULL};

	if (any_of(text, phrases))
		set_fact(out, HV_CTX_STORAGE, "yes");
}

/* VMM and Windows Admin Center always drive a move from another machine,
 * and so does Move-VM aimed at a host with -ComputerName. */
static void scan_initiated(struct hv_symptoms *out, const char *text)
{
	static const char *const phrases[] = {
		"vmm cannot",		"virtual machine manager", "scvmm",
		"windows admin center", "move-vm -computername",   NULL};

	if (any_of(text, phrases))
		set_fact(out, HV_CTX_INITIATED, "remote");
}

/* "Windows Server 2012 R2" ... "Windows Server 2025", when the text names
 * exactly one release: two (an upgrade, a mixed cluster) decide nothing. */
static void scan_os(struct hv_symptoms *out, const char *text)
{
	const char *at = text, *found = NULL;
	char first[8] = "";

	while ((at = strstr(at, "windows server 20")) != NULL) {
		char name[8];

		at += 15;
		if (strspn(at, DIGITS) != 4 || isalnum((unsigned char)at[4]))
			continue;
		memcpy(name, at, 4);
		name[4] = '\0';
		if (strncmp(at + 4, " r2", 3) == 0 &&
		    !isalnum((unsigned char)at[7]))
			memcpy(name + 4, "r2", 3);
		if (found && strcmp(first, name) != 0)
			return;
		found = at;
		memcpy(first, name, sizeof(first));
	}
	if (found)
		set_fact(out, HV_CTX_OS, first);
}

void hv_text_facts(struct hv_symptoms *out, const struct hv_folded *f)
{
	scan_names(out, f);
	scan_phase(out, f->lower);
	scan_percent(out, f->lower);
	scan_clustered(out, f->lower);
	scan_storage(out, f->lower);
	scan_initiated(out, f->lower);
	scan_os(out, f->lower);
}
