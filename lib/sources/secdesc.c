#include "sources/secdesc.h"

#include "base/alloc.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

size_t hv_sid_format(const unsigned char *data, size_t len,
		     struct hv_strbuf *out)
{
	uint64_t authority = 0;
	size_t count, need;

	/* Revision 1, SubAuthorityCount ≤ 15, 6-byte big-endian authority */
	if (len < 8 || data[0] != 1 || data[1] > 15)
		return 0;
	count = data[1];
	need = 8 + 4 * count;
	if (len < need)
		return 0;
	for (int i = 2; i < 8; i++)
		authority = (authority << 8) | data[i];
	hv_strbuf_addf(out, "S-1-%" PRIu64, authority);
	for (size_t i = 0; i < count; i++)
		hv_strbuf_addf(out, "-%" PRIu32, le32(data + 8 + 4 * i));
	return need;
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

int hv_secdesc_allowed_sids(const unsigned char *data, size_t len,
			    char ***out_sids, size_t *out_n,
			    struct hv_error *err)
{
	char **sids = NULL;
	size_t n = 0, cap = 0, dacl, acl_size, pos;
	unsigned aces;

	*out_sids = NULL;
	*out_n = 0;
	if (len < SD_HEADER_LEN || data[0] != 1)
		return bad(err, 0, "not a self-relative security descriptor");
	dacl = le32(data + 16);
	if (dacl == 0)
		return 0; /* no DACL: nobody is allowed */
	if (dacl > len || len - dacl < ACL_HEADER_LEN)
		return bad(err, 16, "DACL offset outside the descriptor");
	acl_size = le16(data + dacl + 2);
	aces = le16(data + dacl + 4);
	if (acl_size < ACL_HEADER_LEN || acl_size > len - dacl)
		return bad(err, dacl + 2, "DACL size outside the descriptor");
	pos = dacl + ACL_HEADER_LEN;
	for (unsigned i = 0; i < aces; i++) {
		size_t ace_size;

		if (dacl + acl_size - pos < ACE_HEADER_LEN)
			goto truncated;
		ace_size = le16(data + pos + 2);
		if (ace_size < ACE_HEADER_LEN + 4 ||
		    ace_size > dacl + acl_size - pos)
			goto truncated;
		if (data[pos] == ACCESS_ALLOWED_ACE_TYPE) {
			struct hv_strbuf sid = HV_STRBUF_INIT;

			if (!hv_sid_format(data + pos + 8, ace_size - 8,
					   &sid)) {
				hv_strbuf_release(&sid);
				goto truncated;
			}
			HV_GROW(sids, n, cap);
			sids[n++] = hv_strbuf_detach(&sid);
		}
		pos += ace_size;
	}
	*out_sids = sids;
	*out_n = n;
	return 0;
truncated:
	for (size_t i = 0; i < n; i++)
		free(sids[i]);
	free(sids);
	return bad(err, pos, "ACE runs past the end of the DACL");
}
