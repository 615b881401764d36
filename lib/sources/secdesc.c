#include "sources/secdesc.h"

#include "base/alloc.h"
#include "base/cursor.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

size_t hv_sid_format(const unsigned char *data, size_t len,
		     struct hv_strbuf *out)
{
	struct hv_cursor cur;
	uint64_t authority;
	uint8_t revision, count;

	/* MS-DTYP 2.4.2: Revision 1, SubAuthorityCount <= 15, a 6-byte
	 * big-endian IdentifierAuthority, then little-endian
	 * sub-authorities. */
	hv_cursor_init(&cur, data, len, 0);
	revision = hv_cursor_u8(&cur);
	count = hv_cursor_u8(&cur);
	authority = (uint64_t)hv_cursor_be16(&cur) << 32;
	authority |= hv_cursor_be32(&cur);
	if (!hv_cursor_ok(&cur) || revision != 1 || count > 15 ||
	    hv_cursor_remaining(&cur) < 4 * (size_t)count)
		return 0;
	hv_strbuf_addf(out, "S-1-%" PRIu64, authority);
	for (size_t i = 0; i < count; i++)
		hv_strbuf_addf(out, "-%" PRIu32, hv_cursor_le32(&cur));
	return hv_cursor_offset(&cur);
}

#define ACCESS_ALLOWED_ACE_TYPE 0
#define SD_HEADER_LEN 20
#define ACL_HEADER_LEN 8
#define ACE_HEADER_LEN 4

static int bad(struct hv_error *err, size_t offset, const char *what)
{
	char where[64];

	snprintf(where, sizeof(where), "security descriptor offset %zu",
		 offset);
	return hv_error_set(err, HV_ERR_INPUT, where, "%s", what);
}

/* Reads one ACE at the cursor (MS-DTYP 2.4.4.1 ACE_HEADER, then for an
 * ACCESS_ALLOWED_ACE a 4-byte mask and the SID); appends the SID of an
 * access-allowed ACE. False when the ACE does not fit in the ACL. */
static bool read_ace(struct hv_cursor *acl, char ***sids, size_t *n,
		     size_t *cap)
{
	struct hv_cursor ace = *acl;
	struct hv_strbuf sid = HV_STRBUF_INIT;
	uint8_t type = hv_cursor_u8(&ace);
	uint16_t size;
	const unsigned char *body;

	hv_cursor_skip(&ace, 1); /* AceFlags */
	size = hv_cursor_le16(&ace);
	if (!hv_cursor_ok(&ace) || size < ACE_HEADER_LEN + 4)
		return false;
	body = hv_cursor_bytes(&ace, size - ACE_HEADER_LEN);
	if (!body)
		return false;
	if (type == ACCESS_ALLOWED_ACE_TYPE) {
		if (!hv_sid_format(body + 4, size - ACE_HEADER_LEN - 4, &sid)) {
			hv_strbuf_release(&sid);
			return false;
		}
		HV_GROW(*sids, *n, *cap);
		(*sids)[(*n)++] = hv_strbuf_detach(&sid);
	}
	*acl = ace;
	return true;
}

int hv_secdesc_allowed_sids(const unsigned char *data, size_t len,
			    char ***out_sids, size_t *out_n,
			    struct hv_error *err)
{
	struct hv_cursor sd, acl;
	char **sids = NULL;
	size_t n = 0, cap = 0;
	uint32_t dacl;
	uint16_t acl_size, aces;

	*out_sids = NULL;
	*out_n = 0;
	/* MS-DTYP 2.4.6: Revision 1; OffsetDacl is the last header field */
	hv_cursor_init(&sd, data, len, 0);
	if (len < SD_HEADER_LEN || hv_cursor_u8(&sd) != 1)
		return bad(err, 0, "not a self-relative security descriptor");
	hv_cursor_seek(&sd, 16);
	dacl = hv_cursor_le32(&sd);
	if (dacl == 0)
		return 0; /* no DACL: nobody is allowed */
	if (!hv_cursor_seek(&sd, dacl) ||
	    hv_cursor_remaining(&sd) < ACL_HEADER_LEN)
		return bad(err, 16, "DACL offset outside the descriptor");
	/* MS-DTYP 2.4.5 ACL: AclRevision, Sbz1, AclSize, AceCount, Sbz2 */
	hv_cursor_skip(&sd, 2);
	acl_size = hv_cursor_le16(&sd);
	aces = hv_cursor_le16(&sd);
	if (acl_size < ACL_HEADER_LEN ||
	    acl_size > hv_cursor_remaining(&sd) + 6)
		return bad(err, dacl + 2, "DACL size outside the descriptor");
	hv_cursor_seek(&sd, dacl);
	hv_cursor_sub(&sd, acl_size, &acl);
	hv_cursor_skip(&acl, ACL_HEADER_LEN);
	for (unsigned i = 0; i < aces; i++) {
		if (!read_ace(&acl, &sids, &n, &cap)) {
			for (size_t j = 0; j < n; j++)
				free(sids[j]);
			free(sids);
			return bad(err, hv_cursor_offset(&acl),
				   "ACE runs past the end of the DACL");
		}
	}
	*out_sids = sids;
	*out_n = n;
	return 0;
}
