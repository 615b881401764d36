/* UTF-8 validation for text that came from outside (AD, logs, files). */
#ifndef HV_UTF8_H
#define HV_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Length (1-4) of the valid UTF-8 sequence at s, or 0 if the bytes there
 * are not valid UTF-8 (overlong, surrogate, truncated, > U+10FFFF). */
size_t hv_utf8_valid_prefix(const char *s, size_t len);
/* True when all of s[0..len) is valid UTF-8. */
bool hv_utf8_valid(const char *s, size_t len);

#endif
