/* A domain controller's clock as its directory states it: the rootDSE
 * attribute currentTime (MS-ADTS 3.1.1.3.2.1), a GeneralizedTime (RFC
 * 4517 3.3.13). The rootDSE is readable without binding (MS-ADTS
 * 3.1.1.3.2; RFC 4512 5.1), so it is read over a connection of its own,
 * anonymous, with one plain base search. */
#ifndef HV_PROBE_ROOTDSE_H
#define HV_PROBE_ROOTDSE_H

#include "base/error.h"
#include "sources/probe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses "YYYYMMDDHHMMSS[.f...]Z" (UTC only: AD writes Z; years
 * 1900-2200) into ns since 1970; false when it is not that. */
bool hv_generalized_time_parse(const char *text, size_t len, int64_t *out_ns);
/* Reads currentTime from the DC at uri ("ldap://dc1", "ldaps://dc1")
 * into r (address and port are left as the caller set them). Returns 0
 * (r->ok false and r->detail set when the DC gave no usable value) or
 * HV_ERR_DIRECTORY with libldap's words in err. */
int hv_probe_rootdse_clock(const char *uri, unsigned timeout_ms,
			   struct hv_clock_reading *r, struct hv_error *err);

#endif
