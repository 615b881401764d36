/* Text from outside (event logs, AD) shown on a terminal: it must not be
 * able to drive the terminal or hide text. C0 and C1 controls, DEL and
 * the Unicode bidirectional controls become '?'; invalid UTF-8 too. */
#ifndef HV_TERM_H
#define HV_TERM_H

#include "base/strbuf.h"

#include <stddef.h>

/* Appends s (len bytes) made safe for a terminal, on one line (line
 * breaks and tabs become spaces), cut to at most max_cols columns with
 * "..." when longer (max_cols 0: no limit). Returns the columns used. */
size_t hv_term_add(struct hv_strbuf *out, const char *s, size_t len,
		   size_t max_cols);

#endif
