/* Just enough of MS-DTYP to read who may delegate to an account through
 * resource-based constrained delegation: msDS-AllowedToActOnBehalfOf-
 * OtherIdentity is a self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6)
 * whose DACL's access-allowed ACEs name the allowed principals by SID.
 * Input is hostile: every offset and length is checked. */
#ifndef HV_SECDESC_H
#define HV_SECDESC_H

#include "base/error.h"
#include "base/strbuf.h"

#include <stddef.h>

/* Appends the SID at data (MS-DTYP 2.4.2) as "S-1-5-21-…" to out;
 * returns its length in bytes, or 0 if it is malformed. */
size_t hv_sid_format(const unsigned char *data, size_t len,
		     struct hv_strbuf *out);
/* Reads the SIDs of the access-allowed ACEs of the DACL. On success
 * *out_sids is a new array of new strings (free each, then the array). */
int hv_secdesc_allowed_sids(const unsigned char *data, size_t len,
			    char ***out_sids, size_t *out_n,
			    struct hv_error *err);

#endif
