#include "sources/probe_rootdse.h"

#include "sources/directory.h"
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
	if (i + 1 != len || text[i] != 'Z' ||
	    !hv_civil_to_unix(y, mo, d, h, mi, s, &sec))
		return false;
	*out_ns = sec * HV_NS_PER_SEC + frac;
	return true;
}

int hv_probe_rootdse_clock(struct hv_ldap *ld, struct hv_clock_reading *r,
			   struct hv_error *err)
{
	static const char *const attrs[] = {"currentTime", NULL};
	struct hv_directory dir = {0};
	const char *value = NULL;
	int64_t t1 = hv_wall_ns(), t4, server;
	int rc = hv_ldap_search(ld, "", HV_LDAP_SCOPE_BASE, "(objectClass=*)",
				attrs, &dir, err);

	t4 = hv_wall_ns();
	r->outcome = rc == 0 ? HV_XCHG_OPEN : HV_XCHG_ERROR;
	if (rc == 0 && dir.n_entries)
		value = hv_entry_first(&dir.entries[0], "currentTime");
	if (rc == 0 && !value)
		snprintf(r->detail, sizeof(r->detail),
			 "the rootDSE has no currentTime");
	else if (value &&
		 !hv_generalized_time_parse(value, strlen(value), &server))
		snprintf(r->detail, sizeof(r->detail),
			 "currentTime is not a GeneralizedTime");
	else if (value) {
		/* AD writes whole seconds ("20261201101500.0Z") */
		r->sample = hv_clock_from_stamp(t1, t4, server, HV_NS_PER_SEC);
		r->resolution_ns = HV_NS_PER_SEC;
		r->ok = true;
	}
	hv_directory_clear(&dir);
	return rc;
}
