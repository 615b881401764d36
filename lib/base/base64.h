/* Base64 (RFC 4648 section 4, the standard alphabet with '=' padding), as
 * LDIF uses it for binary values such as nTSecurityDescriptor. Decoding is
 * strict because the input is hostile and RFC 2849 note 10 forbids any
 * character outside the alphabet: no whitespace, no line breaks, no
 * missing padding, no non-zero pad bits (RFC 4648 section 3.5). */
#ifndef HV_BASE64_H
#define HV_BASE64_H

#include "base/error.h"
#include "base/strbuf.h"

#include <stddef.h>

/* Bytes hv_base64_encode() appends for len input bytes. */
size_t hv_base64_encoded_len(size_t len);
/* Appends the padded base64 text of data[0..len) to out (owned by the
 * caller, as before). */
void hv_base64_encode(struct hv_strbuf *out, const void *data, size_t len);
/* Appends the bytes that text[0..len) encodes to out. Returns 0, or
 * HV_ERR_INPUT with err->message naming the first fault and its offset
 * (err->where is left empty for the caller); out is then unchanged. */
int hv_base64_decode(struct hv_strbuf *out, const char *text, size_t len,
		     struct hv_error *err);

#endif
