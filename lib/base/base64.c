/* RFC 4648 section 4 base64. The decoder validates the whole text before
 * it writes a byte, so a failed decode leaves the output untouched. */
#include "base/base64.h"

#include <stdint.h>

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of an alphabet character (RFC 4648 table 1), or -1. */
static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

size_t hv_base64_encoded_len(size_t len)
{
	return (len / 3 + (len % 3 != 0)) * 4;
}

void hv_base64_encode(struct hv_strbuf *out, const void *data, size_t len)
{
	const unsigned char *in = data;
	char chunk[256];
	size_t n = 0;

	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t v = (uint32_t)in[i] << 16;

		if (left > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		chunk[n++] = alphabet[(v >> 18) & 0x3f];
		chunk[n++] = alphabet[(v >> 12) & 0x3f];
		chunk[n++] = left > 1 ? alphabet[(v >> 6) & 0x3f] : '=';
		chunk[n++] = left > 2 ? alphabet[v & 0x3f] : '=';
		if (n == sizeof(chunk)) {
			hv_strbuf_add(out, chunk, n);
			n = 0;
		}
	}
	hv_strbuf_add(out, chunk, n);
}

static int bad_char(struct hv_error *err, unsigned char c, size_t at)
{
	if (c > 0x20 && c < 0x7f)
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "invalid base64 character '%c' at offset "
				    "%zu",
				    c, at);
	return hv_error_set(err, HV_ERR_INPUT, NULL,
			    "invalid base64 byte 0x%02x at offset %zu", c, at);
}

/* Checks the shape RFC 4648 section 4 allows: alphabet characters, then
 * at most two '=' closing a final quartet, and (section 3.5) zero pad
 * bits, so that every value has exactly one accepted spelling. */
static int validate(const unsigned char *t, size_t len, struct hv_error *err)
{
	size_t pad = 0;

	for (size_t i = 0; i < len; i++) {
		if (t[i] == '=') {
			pad++;
			continue;
		}
		if (sextet(t[i]) < 0)
			return bad_char(err, t[i], i);
		if (pad)
			return hv_error_set(err, HV_ERR_INPUT, NULL,
					    "misplaced base64 padding '=' at "
					    "offset %zu",
					    i - pad);
	}
	if (len % 4)
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "base64 length %zu is not a multiple of 4",
				    len);
	if (pad > 2)
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "misplaced base64 padding '=' at offset "
				    "%zu",
				    len - pad);
	if ((pad == 1 && (sextet(t[len - 2]) & 0x03)) ||
	    (pad == 2 && (sextet(t[len - 3]) & 0x0f)))
		return hv_error_set(err, HV_ERR_INPUT, NULL,
				    "non-zero base64 pad bits at offset %zu",
				    len - pad - 1);
	return 0;
}

int hv_base64_decode(struct hv_strbuf *out, const char *text, size_t len,
		     struct hv_error *err)
{
	const unsigned char *t = (const unsigned char *)text;
	unsigned char chunk[3 * 128];
	size_t n = 0;
	int rc = validate(t, len, err);

	if (rc)
		return rc;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;
		size_t bytes = 3;

		for (size_t k = 0; k < 4; k++) {
			v <<= 6;
			if (t[i + k] == '=')
				bytes--;
			else
				v |= (uint32_t)sextet(t[i + k]);
		}
		chunk[n++] = (unsigned char)(v >> 16);
		if (bytes > 1)
			chunk[n++] = (unsigned char)(v >> 8);
		if (bytes > 2)
			chunk[n++] = (unsigned char)v;
		if (n == sizeof(chunk)) {
			hv_strbuf_add(out, chunk, n);
			n = 0;
		}
	}
	hv_strbuf_add(out, chunk, n);
	return 0;
}
