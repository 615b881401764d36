#include "sources/probe_rootdse.h"

#include "sources/dynlib_internal.h"

#include <ldap.h>
#include <sys/time.h>
#include "sources/probe_net.h"
#include "sources/probe_time.h"

#include <stdio.h>
#include <string.h>

static bool num(const char *s, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return true;
}

bool hv_generalized_time_parse(const char *text, size_t len, int64_t *out_ns)
{
	unsigned y, mo, d, h, mi, s;
	int64_t sec, frac = 0, scale = HV_NS_PER_SEC;
	size_t i = 14;

	if (len < 15 || !num(text, 4, &y) || !num(text + 4, 2, &mo) ||
	    !num(text + 6, 2, &d) || !num(text + 8, 2, &h) ||
	    !num(text + 10, 2, &mi) || !num(text + 12, 2, &s))
		return false;
	if (text[i] == '.' || text[i] == ',') {
		/* fraction of a second: keep nanoseconds, skip the rest */
		for (i++; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
			if (scale > 1) {
				scale /= 10;
				frac += (text[i] - '0') * scale;
			}
		}
	}
	/* nanoseconds since 1970 in int64 span 1677-2262: a clock reading
	 * outside 1970-2200 is nonsense anyway (probe_time.h) */
	if (i + 1 != len || text[i] != 'Z' || y > 9999 ||
	    !hv_civil_to_unix(y, mo, d, h, mi, s, &sec) ||
	    !hv_clock_sec_in_range(sec))
		return false;
	*out_ns = sec * HV_NS_PER_SEC + frac;
	return true;
}

static int ldap_fail(struct hv_error *err, struct hv_clock_reading *r,
		     const char *uri, int rc)
{
	r->outcome = rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT
			     ? HV_XCHG_TIMEOUT
			     : HV_XCHG_ERROR;
	snprintf(r->detail, sizeof(r->detail), "%s",
		 hv_ldap_fn.ldap_err2string(rc));
	return hv_error_set(err, HV_ERR_DIRECTORY, uri, "rootDSE not read: %s",
			    hv_ldap_fn.ldap_err2string(rc));
}

static void take_value(struct hv_clock_reading *r, const char *value,
		       size_t len, int64_t t1, int64_t t4)
{
	int64_t server;

	if (!hv_generalized_time_parse(value, len, &server)) {
		snprintf(r->detail, sizeof(r->detail),
			 "currentTime is not a GeneralizedTime");
		return;
	}
	/* AD writes whole seconds ("20261201101500.0Z") */
	r->sample = hv_clock_from_stamp(t1, t4, server, HV_NS_PER_SEC);
	r->resolution_ns = HV_NS_PER_SEC;
	r->ok = true;
}

int hv_probe_rootdse_clock(const char *uri, unsigned timeout_ms,
			   struct hv_clock_reading *r, struct hv_error *err)
{
	char *attrs[] = {"currentTime", NULL};
	struct timeval tv = {(time_t)(timeout_ms / 1000),
			     (suseconds_t)(timeout_ms % 1000) * 1000};
	int version = LDAP_VERSION3;
	LDAP *ld = NULL;
	LDAPMessage *res = NULL, *entry;
	struct berval **vals = NULL;
	int64_t t1, t4;
	struct hv_error load_err;
	int rc = hv_ldap_load(&load_err);

	if (rc) {
		r->outcome = HV_XCHG_ERROR;
		snprintf(r->detail, sizeof(r->detail), "%.*s",
			 (int)sizeof(r->detail) - 1, load_err.message);
		if (err)
			*err = load_err;
		return rc;
	}
	rc = hv_ldap_fn.ldap_initialize(&ld, uri);
	if (rc != LDAP_SUCCESS)
		return ldap_fail(err, r, uri, rc);
	hv_ldap_fn.ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	hv_ldap_fn.ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
	hv_ldap_fn.ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	t1 = hv_wall_ns();
	rc = hv_ldap_fn.ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE,
					  "(objectClass=*)", attrs, 0, NULL,
					  NULL, &tv, 1, &res);
	t4 = hv_wall_ns();
	if (rc != LDAP_SUCCESS) {
		hv_ldap_fn.ldap_msgfree(res);
		hv_ldap_fn.ldap_unbind_ext_s(ld, NULL, NULL);
		return ldap_fail(err, r, uri, rc);
	}
	r->outcome = HV_XCHG_OPEN;
	entry = hv_ldap_fn.ldap_first_entry(ld, res);
	if (entry)
		vals = hv_ldap_fn.ldap_get_values_len(ld, entry, "currentTime");
	if (vals && vals[0])
		take_value(r, vals[0]->bv_val, vals[0]->bv_len, t1, t4);
	else
		snprintf(r->detail, sizeof(r->detail),
			 "the rootDSE has no currentTime");
	hv_ldap_fn.ldap_value_free_len(vals);
	hv_ldap_fn.ldap_msgfree(res);
	hv_ldap_fn.ldap_unbind_ext_s(ld, NULL, NULL);
	return 0;
}
