/* The collector, checked statically: PowerShell is not packaged for
 * Debian, so collector/hvdoctor-collect.ps1 is kept short and these tests
 * hold it to its promises:
 *  - ASCII only (Windows PowerShell 5.1 reads a script without a BOM in
 *    the ANSI code page, where UTF-8 bytes turn into other characters);
 *  - braces, parentheses and brackets balance outside strings and
 *    comments;
 *  - read-only: every command it runs is a Get-, Compare- or Test-
 *    cmdlet, one of a few in-memory helpers, or its own function; no
 *    Set-/New-/Remove-/Enable-/Invoke- cmdlet, no Invoke-Expression; the
 *    only external programs are "w32tm /query", "w32tm /stripchart",
 *    "nltest /dsgetdc" and "klist -li"; the only writes are its own
 *    output file (or, with -Save, the files of the hosts it was given);
 *  - it writes the schema this hvdoctor reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/strbuf.h"
#include "sources/snapshot.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct script {
	struct hv_strbuf raw;  /* the file */
	struct hv_strbuf code; /* comments and string contents blanked */
};

static void load(struct script *s)
{
	const char *root = getenv("HVDOCTOR_SOURCE_DIR");
	char path[4096], chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/collector/hvdoctor-collect.ps1",
		 root ? root : ".");
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	memset(s, 0, sizeof(*s));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		hv_strbuf_add(&s->raw, chunk, n);
	fclose(f);
}

/* Blanks <# block comments #>, # line comments and the inside of
 * '...' and "..." strings (keeping the quotes), so what remains is code.
 * Line breaks are kept for line numbers. */
static void strip(struct script *s)
{
	const char *p = hv_strbuf_str(&s->raw), *end = p + s->raw.len;
	char quote = 0;

	while (p < end) {
		if (!quote && p + 1 < end && p[0] == '<' && p[1] == '#') {
			for (; p < end &&
			       !(p[0] == '#' && p + 1 < end && p[1] == '>');
			     p++)
				hv_strbuf_addch(&s->code,
						*p == '\n' ? '\n' : ' ');
			p += p < end ? 2 : 0;
			continue;
		}
		if (!quote && *p == '#') {
			for (; p < end && *p != '\n'; p++)
				hv_strbuf_addch(&s->code, ' ');
			continue;
		}
		if (!quote && (*p == '\'' || *p == '"')) {
			quote = *p;
		} else if (quote && *p == quote) {
			quote = 0;
		} else if (quote) {
			/* a backtick escapes in double quotes */
			if (quote == '"' && *p == '`' && p + 1 < end) {
				hv_strbuf_adds(&s->code, "  ");
				p += 2;
				continue;
			}
			hv_strbuf_addch(&s->code, *p == '\n' ? '\n' : ' ');
			p++;
			continue;
		}
		hv_strbuf_addch(&s->code, *p++);
	}
	assert_int_equal(quote, 0);
}

static int setup(void **state)
{
	struct script *s = calloc(1, sizeof(*s));

	load(s);
	strip(s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct script *s = *state;

	hv_strbuf_release(&s->raw);
	hv_strbuf_release(&s->code);
	free(s);
	return 0;
}

static void test_ascii(void **state)
{
	struct script *s = *state;
	unsigned line = 1;

	for (size_t i = 0; i < s->raw.len; i++) {
		unsigned char c = (unsigned char)s->raw.buf[i];

		if (c == '\n')
			line++;
		if (c >= 0x80 ||
		    (c < 0x20 && c != '\n' && c != '\r' && c != '\t'))
			fail_msg("line %u: byte 0x%02x is not plain ASCII",
				 line, c);
	}
}

static void test_balanced(void **state)
{
	struct script *s = *state;
	static const char open[] = "{([", close[] = "})]";
	char stack[256];
	size_t depth = 0;
	unsigned line = 1;

	for (size_t i = 0; i < s->code.len; i++) {
		char c = s->code.buf[i];
		const char *o = strchr(open, c), *k = strchr(close, c);

		if (c == '\n')
			line++;
		if (c && o) {
			assert_true(depth < sizeof(stack));
			stack[depth++] = c;
		} else if (c && k) {
			if (!depth || stack[depth - 1] != open[k - close])
				fail_msg("line %u: unbalanced '%c'", line, c);
			depth--;
		}
	}
	assert_int_equal(depth, 0);
}

/* Commands that only read, or work in memory. */
static bool allowed(const char *cmd, const struct script *s)
{
	static const char *const helpers[] = {
		"Select-Object",   "Where-Object",   "ForEach-Object",
		"ConvertTo-Json",  "Join-Path",	     "Write-Verbose",
		"New-Object",	   "Set-StrictMode", "Write-Error",
		"ConvertFrom-Json"};
	char def[160];

	if (strncmp(cmd, "Get-", 4) == 0 || strncmp(cmd, "Compare-", 8) == 0 ||
	    strncmp(cmd, "Test-", 5) == 0)
		return true;
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (strcmp(cmd, helpers[i]) == 0)
			return true;
	/* its own functions */
	snprintf(def, sizeof(def), "function %s", cmd);
	return strstr(s->code.buf, def) != NULL;
}

static void test_read_only_commands(void **state)
{
	struct script *s = *state;
	const char *p = s->code.buf;
	size_t seen = 0;

	for (size_t i = 0; i < s->code.len; i++) {
		char cmd[128];
		size_t n = 0;

		/* a Verb-Noun word: a letter after a non-word character
		 * (not '-', '$', '.', ':' or '\'), one hyphen inside */
		if (!isalpha((unsigned char)p[i]) ||
		    (i && (isalnum((unsigned char)p[i - 1]) ||
			   strchr("-$.:\\_", p[i - 1]))))
			continue;
		while (i + n < s->code.len && n + 1 < sizeof(cmd) &&
		       (isalnum((unsigned char)p[i + n]) || p[i + n] == '-'))
			n++;
		memcpy(cmd, p + i, n);
		cmd[n] = '\0';
		i += n;
		if (!strchr(cmd, '-') || cmd[n - 1] == '-')
			continue;
		seen++;
		if (!allowed(cmd, s))
			fail_msg("the collector runs '%s', which is not a "
				 "read-only command",
				 cmd);
	}
	assert_true(seen > 20); /* the scan does see the commands */
	assert_null(strstr(s->code.buf, "Invoke-Expression"));
	assert_null(strstr(s->code.buf, "iex "));
}

/* The external programs and their first arguments; the writes. w32tm
 * /query is run directly, the others through Read-ProgramLines. */
static void test_external_and_writes(void **state)
{
	struct script *s = *state;
	static const char *const programs[] = {
		"Read-ProgramLines 'nltest' @(\"/dsgetdc:",
		"Read-ProgramLines 'klist' @('-li', '0x3e7')",
		"Read-ProgramLines 'w32tm' @('/stripchart', ",
	};
	const char *p = s->code.buf;
	size_t w32tm = 0, runs = 0;

	while ((p = strstr(p, "w32tm")) != NULL) {
		assert_true(strncmp(p, "w32tm /query /", 14) == 0);
		w32tm++;
		p++;
	}
	assert_int_equal(w32tm, 2);
	for (p = s->raw.buf; (p = strstr(p, "Read-ProgramLines '")) != NULL;
	     p++) {
		bool known = false;

		for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]);
		     i++)
			known = known || strncmp(p, programs[i],
						 strlen(programs[i])) == 0;
		if (!known)
			fail_msg("the collector runs a program it should not: "
				 "%.60s",
				 p);
		runs++;
	}
	assert_int_equal(runs, 3);
	/* two writes: the snapshot, and -Save's file of a host */
	p = s->code.buf;
	assert_non_null(p = strstr(p, "]::WriteAllText($path"));
	assert_non_null(p = strstr(p + 3, "]::WriteAllText($path"));
	assert_null(strstr(p + 3, "::Write"));
	assert_null(strstr(s->code.buf, "Out-File"));
	assert_null(strstr(s->code.buf, "Set-Content"));
	assert_null(strstr(s->code.buf, "Start-Process"));
}

static void test_schema(void **state)
{
	struct script *s = *state;
	char want[64];
	static const char *const sections[] = {"vmhost",
					       "migration_networks",
					       "supported_versions",
					       "switches",
					       "vms",
					       "os",
					       "processors",
					       "device_guard",
					       "vmms",
					       "lbfo_teams",
					       "firewall",
					       "time",
					       "cluster",
					       "compare",
					       "domain_controller",
					       "clock",
					       "kerberos_tickets",
					       "reachability",
					       "errors"};

	snprintf(want, sizeof(want), "schema = '%s'", HV_SNAPSHOT_SCHEMA);
	assert_non_null(strstr(s->raw.buf, want));
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		snprintf(want, sizeof(want), "$snapshot.%s = ", sections[i]);
		if (!strstr(s->raw.buf, want))
			fail_msg("the collector writes no '%s' section",
				 sections[i]);
	}
	/* deep enough for compare[].Incompatibilities[].Source.Name */
	assert_non_null(strstr(s->raw.buf, "-Depth 8"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_balanced),
		cmocka_unit_test(test_read_only_commands),
		cmocka_unit_test(test_external_and_writes),
		cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
