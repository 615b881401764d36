#include "sources/smb2_negotiate.h"

#include "base/cursor.h"

#include <stdio.h>
#include <string.h>

#define SMB2_HEADER_LEN 64
#define SMB2_NEGOTIATE 0x0000
#define SMB2_FLAGS_SERVER_TO_REDIR 0x00000001u
#define SMB2_NEGOTIATE_SIGNING_ENABLED 0x0001
#define NEGOTIATE_RESPONSE_SIZE 65 /* MS-SMB2 2.2.4 StructureSize */

static const uint16_t dialects[] = {0x0202, 0x0210, 0x0300, 0x0302};

static unsigned char *put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
	return p + 2;
}

/* MS-SMB2 2.2.1.2 (sync header) and 2.2.3 (NEGOTIATE request). Unset
 * fields stay zero: MessageId 0, no signature, a zero ClientGuid (the
 * server only uses it to match later connections of one client). */
size_t hv_smb2_negotiate_request(unsigned char *out)
{
	const size_t body = 36 + 2 * sizeof(dialects) / sizeof(dialects[0]);
	const size_t msg = SMB2_HEADER_LEN + body;
	unsigned char *p = out;

	memset(out, 0, HV_SMB2_NEGOTIATE_REQUEST_LEN);
	p[1] = (unsigned char)(msg >> 16);
	p[2] = (unsigned char)(msg >> 8);
	p[3] = (unsigned char)msg;
	p += 4;
	p[0] = 0xfe; /* ProtocolId: 0xFE 'S' 'M' 'B' */
	p[1] = 'S';
	p[2] = 'M';
	p[3] = 'B';
	put_le16(p + 4, SMB2_HEADER_LEN); /* StructureSize */
	put_le16(p + 12, SMB2_NEGOTIATE); /* Command */
	put_le16(p + 14, 1); /* CreditRequest: smbd hangs up on 0 */
	p += SMB2_HEADER_LEN;
	put_le16(p, 36); /* StructureSize */
	put_le16(p + 2, (uint16_t)(sizeof(dialects) / sizeof(dialects[0])));
	put_le16(p + 4, SMB2_NEGOTIATE_SIGNING_ENABLED);
	p += 36;
	for (size_t i = 0; i < sizeof(dialects) / sizeof(dialects[0]); i++)
		p = put_le16(p, dialects[i]);
	return (size_t)(p - out);
}

size_t hv_smb2_frame_length(const unsigned char *data, size_t len)
{
	if (len < 4)
		return 0;
	/* MS-SMB2 2.1: the first byte is zero, then a 24-bit length */
	return 4 + (((size_t)data[1] << 16) | ((size_t)data[2] << 8) |
		    (size_t)data[3]);
}

static int bad(struct hv_error *err, size_t offset, const char *what)
{
	char where[64];

	snprintf(where, sizeof(where), "SMB2 reply offset %zu", offset);
	return hv_error_set(err, HV_ERR_INPUT, where, "%s", what);
}

static int read_header(struct hv_cursor *cur, struct hv_error *err)
{
	const unsigned char *magic = hv_cursor_bytes(cur, 4);
	uint16_t size, command;
	uint32_t status, flags;

	if (magic && memcmp(magic, "\xffSMB", 4) == 0)
		return bad(err, 4,
			   "an SMB1 reply: the server does not "
			   "speak SMB2");
	if (magic && memcmp(magic, "\xfeSMB", 4) != 0)
		return bad(err, 4, "not an SMB2 message (no 0xFE 'SMB')");
	size = hv_cursor_le16(cur);
	hv_cursor_skip(cur, 2); /* CreditCharge */
	status = hv_cursor_le32(cur);
	command = hv_cursor_le16(cur);
	hv_cursor_skip(cur, 2); /* CreditResponse */
	flags = hv_cursor_le32(cur);
	hv_cursor_skip(cur, SMB2_HEADER_LEN - 20);
	if (!hv_cursor_ok(cur))
		return bad(err, hv_cursor_offset(cur), "SMB2 header cut short");
	if (size != SMB2_HEADER_LEN)
		return bad(err, 8, "SMB2 header StructureSize is not 64");
	if (command != SMB2_NEGOTIATE || !(flags & SMB2_FLAGS_SERVER_TO_REDIR))
		return bad(err, 16, "not a NEGOTIATE response");
	if (status != 0) {
		char what[80];

		snprintf(what, sizeof(what),
			 "NEGOTIATE refused with status 0x%08X", status);
		return bad(err, 12, what);
	}
	return 0;
}

int hv_smb2_negotiate_parse(const unsigned char *data, size_t len,
			    struct hv_smb2_negotiate *out, struct hv_error *err)
{
	struct hv_cursor cur, msg;
	size_t frame = hv_smb2_frame_length(data, len);
	int rc;

	memset(out, 0, sizeof(*out));
	hv_cursor_init(&cur, data, len, 0);
	if (hv_cursor_u8(&cur) != 0 || !hv_cursor_ok(&cur))
		return bad(err, 0,
			   "no SMB2 transport header (first byte "
			   "is not 0)");
	hv_cursor_skip(&cur, 3);
	if (frame == 0 || frame > len || !hv_cursor_sub(&cur, frame - 4, &msg))
		return bad(err, len,
			   "reply shorter than its transport "
			   "header says");
	if ((rc = read_header(&msg, err)) != 0)
		return rc;
	/* MS-SMB2 2.2.4: StructureSize, SecurityMode, DialectRevision,
	 * NegotiateContextCount, ServerGuid, Capabilities, MaxTransactSize,
	 * MaxReadSize, MaxWriteSize, SystemTime, ServerStartTime */
	if (hv_cursor_le16(&msg) != NEGOTIATE_RESPONSE_SIZE)
		return bad(err, 4 + SMB2_HEADER_LEN,
			   "NEGOTIATE response StructureSize is not 65");
	out->security_mode = hv_cursor_le16(&msg);
	out->dialect = hv_cursor_le16(&msg);
	hv_cursor_skip(&msg, 2 + 16 + 4 * 4);
	out->system_time = hv_cursor_le64(&msg);
	out->server_start = hv_cursor_le64(&msg);
	if (!hv_cursor_ok(&msg))
		return bad(err, hv_cursor_offset(&msg),
			   "NEGOTIATE response cut short before SystemTime");
	return 0;
}
