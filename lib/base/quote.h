/* Quoting for the scripts hvdoctor writes. Values come from AD and are
 * hostile: a host name with a quote or a newline in it must neither break
 * a generated script nor inject code into it, whatever code page reads
 * the script. */
#ifndef HV_QUOTE_H
#define HV_QUOTE_H

#include "base/strbuf.h"

#include <stdbool.h>

/* Appends a PowerShell expression, in ASCII only, whose value is the
 * string s: a single-quoted literal ('' for ') when s is printable ASCII,
 * else a concatenation such as ('Pe' + [char]0x00F1 + 'a') in which every
 * other code point (controls, non-ASCII, each half of a surrogate pair)
 * is a [char] of its number. ASCII reads the same in every code page, so
 * no byte of s can act as one of the quotes PowerShell knows (', U+2018..
 * U+201B; in cp1252 the bytes 0x82, 0x91, 0x92 inside UTF-8 letters).
 * Bytes that are not UTF-8 become U+FFFD. */
void hv_quote_ps(struct hv_strbuf *out, const char *s);
/* Appends s for use inside a one-line comment (PowerShell '#' or LDIF
 * '#') or a line of terminal text: hv_term_escapes() (base/term.h), so
 * CR, LF and every other control show as escapes and the comment cannot
 * end early; printable Unicode is kept. */
void hv_quote_comment(struct hv_strbuf *out, const char *s);

/* Appends s as one word for a POSIX shell (bash, zsh, dash): as it is
 * when it holds only [A-Za-z0-9._/:=@%+,-] (and is not empty), else in
 * single quotes with each ' written '\''; a control character (C0, DEL)
 * is written as $'\xNN', so nothing in s can end the word, expand, or
 * drive the terminal the command is shown on. */
void hv_quote_sh(struct hv_strbuf *out, const char *s);
/* hv_quote_ps of s followed by suffix (e.g. a computer's name and "$"
 * for its sAMAccountName), as a new string; caller frees. */
char *hv_quote_ps_dup(const char *s, const char *suffix);
/* hv_quote_sh of s as a new string; caller frees. */
char *hv_quote_sh_dup(const char *s);
/* True when s is a non-empty run of [A-Za-z0-9.-] only: a value that may
 * go into a command line without quoting. */
bool hv_quote_is_plain(const char *s);

#endif
