/* The clock of a WinRM listener (TCP 5985): any HTTP request, even one it
 * refuses (401, 405), is answered with a Date header (RFC 9110 6.6.1: an
 * origin server with a clock MUST send it). This reads the status line
 * and the header section of that answer and the Date value in any of the
 * three forms RFC 9110 5.6.7 says a recipient must accept. Pure. */
#ifndef HV_HTTP_DATE_H
#define HV_HTTP_DATE_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header sections longer than this are refused (no clock needs them). */
#define HV_HTTP_HEAD_MAX 16384

struct hv_http_head {
	unsigned status; /* 100-599 */
	bool has_date;
	int64_t date;	 /* seconds since 1970 (UTC), when has_date */
	char server[64]; /* the Server header, cut to fit, or "" */
};

/* Length of the header section (through the empty line) once len bytes
 * of the answer hold all of it; 0 while more is needed. */
size_t hv_http_head_length(const unsigned char *data, size_t len);
/* Parses the status line and headers. Returns 0 (has_date false when
 * there is no Date header), or HV_ERR_INPUT with err->where "HTTP reply
 * offset N" (no status line, a bad header line, an unreadable Date). */
int hv_http_head_parse(const unsigned char *data, size_t len,
		       struct hv_http_head *out, struct hv_error *err);
/* Parses an HTTP-date value: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37
 * GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or asctime ("Sun Nov
 *  6 08:49:37 1994"). False when it is none of them, or outside
 * 1970-2199 (probe_time.h). */
bool hv_http_date_parse(const char *text, size_t len, int64_t *out_sec);

#endif
