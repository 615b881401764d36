#include "commands.h"

#include "hv_strbuf.h"

#include <stdio.h>

int cli_load_kb(const struct cli_globals *globals, struct hv_kb *kb)
{
	struct hv_error err;
	char msg[2048];

	if (hv_kb_load(kb, globals->kb_dir, &err) == 0)
		return 0;
	hv_error_format(&err, msg, sizeof(msg));
	cli_error("knowledge base: %s", msg);
	hv_kb_release(kb);
	return HV_EXIT_INCOMPLETE;
}

/* Pasted error text is small; the cap keeps a mistaken `< /dev/zero`
 * from eating memory. */
#define STDIN_LIMIT (16u << 20)

char *cli_read_stdin(void)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	char chunk[8192];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
		hv_strbuf_add(&sb, chunk, n);
		if (sb.len > STDIN_LIMIT) {
			cli_error("standard input is larger than %u MiB",
				  STDIN_LIMIT >> 20);
			hv_strbuf_release(&sb);
			return NULL;
		}
	}
	if (ferror(stdin)) {
		cli_error("cannot read standard input");
		hv_strbuf_release(&sb);
		return NULL;
	}
	return hv_strbuf_detach(&sb);
}
