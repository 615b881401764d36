/* Pasted messages brought to one form before they are matched, so that
 * the way a tool printed a message does not decide whether it is
 * recognised (issue 23): blanks and line wraps (Event Viewer and
 * PowerShell wrap at their own widths, PowerShell even inside words),
 * curly, doubled and localised quotes, full-width punctuation, English
 * contractions ("doesn't"), and the lines PowerShell and VMM wrap around
 * a message ("At line:", "+ CategoryInfo", "Recommended Action"). Names
 * are not rewritten: a pattern says where a name goes (%1) and matches
 * any name there. Linear in the text; no allocation but the output. */
#ifndef HV_TEXTNORM_H
#define HV_TEXTNORM_H

#include <stdbool.h>
#include <stddef.h>

/* In a pattern, where a name, path, GUID or placeholder stands. */
#define HV_TEXTNORM_ANY '\x1a'
/* A pattern that starts with it is one word, looked for in the text
 * with its blanks (so "MigrationFailed" is not "migration failed"). */
#define HV_TEXTNORM_WORD '\x1b'
/* The most bytes (in the key) that one name may take. */
#define HV_TEXTNORM_NAME_MAX 300

struct hv_textnorm {
	char *text;	/* normalised, as written; NUL-terminated */
	char *lower;	/* the same with ASCII letters in lower case */
	unsigned *line; /* for each byte of text, its 1-based line */
	size_t len;	/* of text and lower */
	char *key;	/* lower without blanks, every quote made '\'':
			 * what patterns are matched in; NUL-terminated */
	size_t *key_at; /* for each byte of key, its offset in text */
	size_t key_len;
};

/* Normalises len bytes of in into out (zeroed by the caller). Caller
 * frees with hv_textnorm_release(). */
void hv_textnorm_text(const char *in, size_t len, struct hv_textnorm *out);
/* The key of a message fragment, with each placeholder ("%1", "%2", as
 * Microsoft's message tables write them) and the quotes around it made
 * HV_TEXTNORM_ANY, leading and trailing ones dropped; a fragment of one
 * word starts with HV_TEXTNORM_WORD. Caller frees with free(). */
char *hv_textnorm_pattern(const char *fragment);
/* Finds pattern (from hv_textnorm_pattern) in n's key; a name matches 1
 * to HV_TEXTNORM_NAME_MAX bytes. On success sets the span in n->text,
 * [*out_start, *out_end). */
bool hv_textnorm_find(const struct hv_textnorm *n, const char *pattern,
		      size_t *out_start, size_t *out_end);
/* Frees what n owns and leaves it empty. */
void hv_textnorm_release(struct hv_textnorm *n);

#endif
