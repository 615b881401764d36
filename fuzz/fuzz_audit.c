/* libFuzzer target for the whole audit: arbitrary bytes are an LDIF
 * export. What the reader keeps goes through the estate, every AD check
 * and both renderers, three times: with the default selection (hosts
 * found by their SPNs, grouped by delegation); with every host found
 * named in --hosts as one domain, when there are at most 64; and with
 * them split into two --domains groups, the last one as --new-node and
 * the first users as --admin. Beyond "no crash, no sanitizer report"
 * (leaks included) it checks and aborts if:
 *  1. hosts are not sorted into domains, or an index is out of range;
 *  2. findings are not sorted by severity, or one lacks a cause, a
 *     subject or a message, or keeps more than HV_EVIDENCE_MAX items;
 *  3. the text report does not start with its summary line, or the JSON
 *     document is not one object.
 * Run: tests/fuzz-run build-fuzz/fuzz_audit */
#include "checks/checks.h"
#include "sources/directory.h"
#include "estate/estate.h"
#include "checks/findings.h"
#include "base/alloc.h"
#include "base/strbuf.h"
#include "knowledge/kb.h"
#include "sources/ldif.h"
#include "render/render_audit.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMED 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_audit: %s\n", what);
		abort();
	}
}

/* The built-in kb gives findings their titles; loaded once, kept. */
static const struct hv_kb *builtin_kb(void)
{
	static struct hv_kb kb;
	static int state; /* 0 not tried, 1 loaded, -1 failed */
	struct hv_error err;

	if (state == 0)
		state = hv_kb_load(&kb, NULL, &err) == 0 ? 1 : -1;
	check(state == 1, "the built-in kb does not load");
	return &kb;
}

static void check_estate(const struct hv_estate *est)
{
	for (size_t h = 0; h < est->n_hosts; h++) {
		check(est->hosts[h].account < est->n_accounts,
		      "host account out of range");
		check(est->hosts[h].domain < est->n_domains,
		      "host domain out of range");
		check(h == 0 ||
			      est->hosts[h - 1].domain <= est->hosts[h].domain,
		      "hosts not sorted by domain");
		check(est->domain_names[est->hosts[h].domain] != NULL,
		      "domain without a name");
	}
	check(est->new_node < (long)est->n_hosts, "new node out of range");
	for (size_t i = 0; i < est->n_admins; i++)
		check(est->admins[i] < est->n_accounts, "admin out of range");
}

static void check_findings(const struct hv_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct hv_finding *f = &fs->items[i];

		check(f->cause && f->source && f->message, "empty finding");
		check(f->n_ev <= HV_EVIDENCE_MAX, "evidence past the cap");
		check(i == 0 || fs->items[i - 1].severity >= f->severity,
		      "findings not sorted by severity");
	}
}

/* JSON escapes byte by byte, the slowest part under the fuzzer's
 * instrumentation: it is rendered in two of the three passes. */
static void audit(const struct hv_directory *dir,
		  const struct hv_selection *sel, bool json)
{
	static const char head[] = "\033[1mhvdoctor audit\033[0m of fuzz:";
	struct hv_estate est;
	struct hv_findings fs = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_error err;
	struct hv_audit_view view = {&est, &fs, builtin_kb(), "fuzz"};
	struct hv_style style = {true};

	/* a selection that leaves no host (or names a DC) is refused; the
	 * estate is filled either way and released below */
	if (hv_estate_build(&est, dir, sel, &err) == 0) {
		check_estate(&est);
		hv_checks_run_ad(&est, &fs);
		check_findings(&fs);
		hv_render_audit_text(&out, &view, &style);
		check(strncmp(out.buf, head, sizeof(head) - 1) == 0,
		      "text report without its summary");
		hv_strbuf_reset(&out);
		if (json)
			hv_render_audit_json(&out, &view);
		check(!json || (out.len >= 3 && out.buf[0] == '{' &&
				strcmp(out.buf + out.len - 2, "}\n") == 0),
		      "JSON is not one object");
	} else {
		/* ... or a new node whose peers cannot be told */
		check(est.n_hosts == 0 || est.n_refused > 0 ||
			      (est.new_node >= 0 &&
			       !hv_estate_peers_in_scope(&est,
							 (size_t)est.new_node)),
		      "a selection with hosts and no DC refused");
	}
	hv_estate_release(&est);
	hv_strbuf_release(&out);
	hv_findings_release(&fs);
}

/* --hosts with every host of est: one migration domain. */
static void name_hosts(const struct hv_estate *est, struct hv_selection *sel)
{
	sel->hosts = hv_calloc(est->n_hosts + 1, sizeof(char *));
	for (size_t h = 0; h < est->n_hosts; h++)
		sel->hosts[sel->n_hosts++] = hv_strdup(est->hosts[h].name);
}

/* --domains: hosts alternately in groups "a" and "b"; --new-node the
 * last host; --admin the first two users and one that is not there. */
static void split_hosts(const struct hv_estate *est, struct hv_selection *sel)
{
	sel->grouping = HV_GROUP_LISTS;
	sel->groups = hv_calloc(2, sizeof(*sel->groups));
	sel->n_groups = 2;
	for (size_t g = 0; g < 2; g++) {
		sel->groups[g].name = hv_strdup(g ? "b" : "a");
		sel->groups[g].hosts =
			hv_calloc(est->n_hosts + 1, sizeof(char *));
	}
	for (size_t h = 0; h < est->n_hosts; h++) {
		struct hv_host_group *g = &sel->groups[h % 2];

		g->hosts[g->n_hosts++] = hv_strdup(est->hosts[h].name);
	}
	if (est->n_hosts)
		sel->new_node = est->hosts[est->n_hosts - 1].name;
	sel->admins = hv_calloc(3, sizeof(char *));
	for (size_t i = 0; i < est->n_accounts && sel->n_admins < 2; i++)
		if (!est->accounts[i].is_computer)
			sel->admins[sel->n_admins++] =
				hv_strdup(est->accounts[i].name);
	sel->admins[sel->n_admins++] = hv_strdup("CORP\\nobody");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hv_directory dir = {0};
	struct hv_selection sel = {0};
	struct hv_estate found;
	struct hv_error err;

	if (size > 1 << 20)
		return 0;
	(void)hv_ldif_read_buffer("fuzz", (const char *)data, size, &dir, &err);
	audit(&dir, &sel, true);
	/* the candidates too: named, a computer nothing vouches for is a
	 * host like any other */
	if (hv_estate_build(&found, &dir, &sel, &err) < 0)
		check(found.n_hosts == 0, "hosts found, yet refused");
	if (found.n_hosts <= MAX_NAMED) {
		name_hosts(&found, &sel);
		audit(&dir, &sel, false);
		hv_selection_release(&sel);
		split_hosts(&found, &sel);
		audit(&dir, &sel, true);
		sel.new_node = NULL; /* borrowed from found */
		hv_selection_release(&sel);
	}
	hv_estate_release(&found);
	hv_directory_clear(&dir);
	return 0;
}
