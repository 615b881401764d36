/* The SMB2 NEGOTIATE exchange, used only to read a host's clock without
 * credentials: the server's NEGOTIATE response carries its current time,
 * SystemTime (MS-SMB2 2.2.4), as nmap's smb2-time script reads it. The
 * request is the smallest one Samba and Windows answer (field notes,
 * measured against Samba 4.17's smbd): SMB 2.0.2 to 3.0.2, MessageId 0,
 * one credit requested. Over TCP 445 each message has the 4-byte direct
 * TCP transport header (MS-SMB2 2.1: a zero byte and a 24-bit big-endian
 * length). Pure: no I/O. */
#ifndef HV_SMB2_NEGOTIATE_H
#define HV_SMB2_NEGOTIATE_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

/* Request size with its transport header. */
#define HV_SMB2_NEGOTIATE_REQUEST_LEN 112
/* Largest reply accepted: a NEGOTIATE response with its security blob and
 * contexts is a few hundred bytes; more is not an answer to this. */
#define HV_SMB2_REPLY_MAX 65536

struct hv_smb2_negotiate {
	uint16_t dialect; /* DialectRevision, e.g. 0x0311 */
	uint16_t security_mode;
	uint64_t system_time;  /* FILETIME; 0 when the server gave none */
	uint64_t server_start; /* ServerStartTime, FILETIME or 0 */
};

/* Writes the request (transport header included) into out, which has at
 * least HV_SMB2_NEGOTIATE_REQUEST_LEN bytes; returns the length. */
size_t hv_smb2_negotiate_request(unsigned char *out);
/* With the first len bytes of the reply stream: the whole message's
 * length (header included) once the transport header is in, 0 before. A
 * length over HV_SMB2_REPLY_MAX is returned as it is, for the caller to
 * refuse. */
size_t hv_smb2_frame_length(const unsigned char *data, size_t len);
/* Parses one reply message (transport header included). Returns 0, or
 * HV_ERR_INPUT with err->where "SMB2 reply offset N" and what was wrong
 * (an SMB1 reply, an error status, a truncated body). */
int hv_smb2_negotiate_parse(const unsigned char *data, size_t len,
			    struct hv_smb2_negotiate *out,
			    struct hv_error *err);

#endif
