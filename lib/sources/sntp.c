#include "sources/sntp.h"

#include "base/cursor.h"

#include <stdio.h>
#include <string.h>

#define MODE_CLIENT 3
#define MODE_SERVER 4
#define NTP_VERSION 4

size_t hv_sntp_request(unsigned char *out, uint64_t transmit)
{
	memset(out, 0, HV_SNTP_PACKET_LEN);
	out[0] = (NTP_VERSION << 3) | MODE_CLIENT;
	/* RFC 4330 section 5: the transmit timestamp (offset 40) is the
	 * only field a client needs to set; it comes back as originate */
	for (int i = 0; i < 8; i++)
		out[40 + i] = (unsigned char)(transmit >> (56 - 8 * i));
	return HV_SNTP_PACKET_LEN;
}

static int bad(struct hv_error *err, size_t offset, const char *what)
{
	char where[64];

	snprintf(where, sizeof(where), "SNTP reply offset %zu", offset);
	return hv_error_set(err, HV_ERR_INPUT, where, "%s", what);
}

int hv_sntp_parse(const unsigned char *data, size_t len, uint64_t sent,
		  struct hv_sntp_reply *out, struct hv_error *err)
{
	struct hv_cursor cur;
	uint8_t first;
	const unsigned char *refid;
	uint64_t originate;

	memset(out, 0, sizeof(*out));
	hv_cursor_init(&cur, data, len, 0);
	/* RFC 4330 section 4: LI(2) VN(3) Mode(3), Stratum, Poll, Precision,
	 * Root Delay, Root Dispersion, Reference Identifier, then the
	 * Reference, Originate, Receive and Transmit timestamps */
	first = hv_cursor_u8(&cur);
	out->stratum = hv_cursor_u8(&cur);
	hv_cursor_skip(&cur, 2 + 4 + 4);
	refid = hv_cursor_bytes(&cur, 4);
	hv_cursor_skip(&cur, 8);
	originate = hv_cursor_be64(&cur);
	out->receive = hv_cursor_be64(&cur);
	out->transmit = hv_cursor_be64(&cur);
	if (!hv_cursor_ok(&cur))
		return bad(err, hv_cursor_offset(&cur),
			   "shorter than the 48 bytes of an NTP header");
	out->leap = first >> 6;
	out->version = (first >> 3) & 7;
	out->mode = first & 7;
	if (out->mode != MODE_SERVER)
		return bad(err, 0, "not a server reply (mode is not 4)");
	if (out->version < 1 || out->version > 4)
		return bad(err, 0, "unknown NTP version");
	if (originate != sent)
		return bad(err, 24,
			   "originate timestamp is not the one we "
			   "sent (a stray or forged reply)");
	if (out->stratum == 0) {
		/* RFC 4330 section 8: kiss-o'-death, ASCII code in refid */
		for (int i = 0; i < 4; i++)
			out->kiss[i] = refid[i] >= 0x20 && refid[i] < 0x7f
					       ? (char)refid[i]
					       : '?';
		return bad(err, 12,
			   "kiss-o'-death: the server refuses to "
			   "serve time");
	}
	if (out->transmit == 0)
		return bad(err, 40, "transmit timestamp is zero");
	return 0;
}
