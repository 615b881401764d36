/* Quoting for the scripts hvdoctor writes. Values come from AD and are
 * hostile: a host name with a quote or a newline in it must neither break
 * a generated script nor inject code into it. */
#ifndef HV_QUOTE_H
#define HV_QUOTE_H

#include "base/strbuf.h"

/* Appends s as a PowerShell single-quoted string. PowerShell treats the
 * typographic quotes U+2018..U+201B as single quotes too, so every one of
 * them is doubled, like '. */
void hv_quote_ps(struct hv_strbuf *out, const char *s);
/* Appends s for use inside a one-line comment (PowerShell '#' or LDIF
 * '#'): control characters, including CR and LF, become '?', so the
 * comment cannot end early. */
void hv_quote_comment(struct hv_strbuf *out, const char *s);

#endif
