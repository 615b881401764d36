/* SNTP (RFC 4330) client messages, for the clocks of domain controllers
 * (W32Time runs an NTP server on DCs only; members do not answer). One
 * 48-byte request, one reply; the reply must echo our transmit timestamp
 * in its originate field (RFC 4330 section 5), so a stray or forged
 * datagram is not taken for the answer. Pure: no I/O. */
#ifndef HV_SNTP_H
#define HV_SNTP_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

#define HV_SNTP_PACKET_LEN 48

struct hv_sntp_reply {
	unsigned leap;	   /* LI: 3 means the server is not synchronised */
	unsigned version;  /* VN */
	unsigned mode;	   /* 4 server (5 broadcast is refused) */
	unsigned stratum;  /* 1-15; 0 is a kiss-o'-death, see kiss */
	char kiss[5];	   /* stratum 0: the kiss code ("RATE", "DENY") */
	uint64_t receive;  /* T2: when the request arrived (NTP format) */
	uint64_t transmit; /* T3: when the reply left */
};

/* Writes a client request (LI 0, VN 4, mode 3) whose transmit timestamp
 * is `transmit` (NTP format: the local send time, which the server
 * echoes); out has HV_SNTP_PACKET_LEN bytes. Returns the length. */
size_t hv_sntp_request(unsigned char *out, uint64_t transmit);
/* Parses a reply to the request that carried `sent` as its transmit
 * timestamp. Returns 0; or HV_ERR_INPUT with err->where "SNTP reply
 * offset N": too short, not a server reply, originate does not match,
 * a zero transmit timestamp, or a kiss-o'-death (then out->kiss is set).
 * A reply with LI 3 (unsynchronised) parses: the caller decides. */
int hv_sntp_parse(const unsigned char *data, size_t len, uint64_t sent,
		  struct hv_sntp_reply *out, struct hv_error *err);

#endif
