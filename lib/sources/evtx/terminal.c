/* Rendered events shown on a terminal: the layout's line breaks and tabs
 * stay, and everything else base/term.h escapes is shown as it shows it
 * in the text output. */
#include "sources/evtx/evtx.h"

#include "base/term.h"

#include <string.h>

void hv_evtx_for_terminal(struct hv_strbuf *out, const char *s, size_t len)
{
	while (len > 0) {
		size_t n = 0;

		while (n < len && s[n] != '\n' && s[n] != '\t')
			n++;
		hv_term_escape(out, s, n);
		if (n < len)
			hv_strbuf_addch(out, s[n++]);
		s += n;
		len -= n;
	}
}
