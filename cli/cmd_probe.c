/* hvdoctor probe: the network, the clocks and the names of the hosts, as
 * they are now: TCP ports on every address, each clock read without
 * credentials, forward and reverse names; each result mapped to a cause
 * id of the knowledge base. */
#include "commands.h"

#include "base/alloc.h"
#include "render/render_probe.h"
#include "sources.h"
#include "sources/probe.h"
#include "sources/probe_rootdse.h"
#include "checks/probe_verdict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_JSON = 1,
	OPT_PORTS,
	OPT_TIMEOUT,
	OPT_PARALLEL,
	OPT_DC,
	OPT_CLUSTER,
	OPT_NO_CLOCK,
	OPT_NTP,
};

#define DEFAULT_TIMEOUT_MS 2000
#define MAX_TIMEOUT_MS 600000
#define DEFAULT_PARALLEL 512
#define MAX_PARALLEL 65536

static const struct cli_option probe_options[] = {
	{"ports", "LIST",
	 "TCP ports to try on every address, at most 32\n"
	 "(default 6600,445,135,5985,5986)",
	 OPT_PORTS},
	{"cluster", NULL, "the hosts are cluster nodes: also TCP 3343",
	 OPT_CLUSTER},
	{"dc", "HOST",
	 "a domain controller: Kerberos and LDAP ports, and\n"
	 "its clock by SNTP as the reference; repeatable. A\n"
	 "host also named to probe is probed as both",
	 OPT_DC},
	{"probe-timeout", "TIME",
	 "limit of each probe, connect included (default 2s;\n"
	 "a bare number is seconds, 500ms also)",
	 OPT_TIMEOUT},
	{"parallel", "N", "probes in flight at most (default 512, up to 65536)",
	 OPT_PARALLEL},
	{"ntp", NULL,
	 "ask every host by SNTP too (W32Time serves NTP on\n"
	 "DCs; members usually do not answer)",
	 OPT_NTP},
	{"no-clock", NULL, "do not read clocks (SMB2, WinRM, SNTP)",
	 OPT_NO_CLOCK},
	{"json", NULL, "print JSON (schema hvdoctor.probe/1)", OPT_JSON},
	{NULL, NULL, NULL, 0},
};

/* Every option, read before anything is probed. */
struct probe_options {
	struct hv_xchg_options xchg;
	const char *ports;
	bool cluster, clocks, ntp_all, json;
};

/* --probe-timeout: seconds when bare (as every --*-timeout), or "500ms".
 * A bare number over the limit is what milliseconds look like (the
 * option was --timeout MS until it was renamed): the hint says so. */
static int probe_timeout(const char *v, unsigned *out)
{
	unsigned long long n;

	*out = DEFAULT_TIMEOUT_MS;
	if (!v || cli_duration_ms(v, 1, MAX_TIMEOUT_MS, out) == 0)
		return 0;
	if (cli_number(v, strlen(v), 0, ~0ull, &n) == 0)
		cli_error("probe: --probe-timeout %s would be %s seconds, over "
			  "the limit of %us; write %sms for milliseconds",
			  v, v, MAX_TIMEOUT_MS / 1000, v);
	else
		cli_error("probe: --probe-timeout takes a time from 1ms to "
			  "%us (2, 2s or 500ms), not '%s'",
			  MAX_TIMEOUT_MS / 1000, v);
	return HV_EXIT_INCOMPLETE;
}

static int read_options(const struct cli_args *args, struct probe_options *o)
{
	const char *parallel = cli_value(args, OPT_PARALLEL);
	unsigned long long n = DEFAULT_PARALLEL;

	o->ports = cli_value(args, OPT_PORTS);
	o->cluster = cli_count(args, OPT_CLUSTER) > 0;
	o->clocks = !cli_count(args, OPT_NO_CLOCK);
	o->ntp_all = cli_count(args, OPT_NTP) > 0;
	o->json = cli_count(args, OPT_JSON) > 0;
	if (probe_timeout(cli_value(args, OPT_TIMEOUT), &o->xchg.timeout_ms))
		return HV_EXIT_INCOMPLETE;
	if (parallel &&
	    cli_number(parallel, strlen(parallel), 1, MAX_PARALLEL, &n) < 0) {
		cli_error("probe: --parallel takes a number from 1 to %u, "
			  "not '%s'",
			  MAX_PARALLEL, parallel);
		return HV_EXIT_INCOMPLETE;
	}
	o->xchg.parallel = (unsigned)n;
	return 0;
}

struct progress {
	bool tty;
	struct timespec start, last;
};

static void show_progress(void *ctx, size_t done, size_t total)
{
	struct progress *p = ctx;
	struct timespec now;

	if (!p->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (done < total &&
	    (now.tv_sec - p->last.tv_sec) * 1000 +
			    (now.tv_nsec - p->last.tv_nsec) / 1000000 <
		    200)
		return;
	p->last = now;
	/* the seconds go on while every probe waits for its limit */
	fprintf(stderr, "\rhvdoctor: probe: %zu of %zu done, %lld s%s", done,
		total, (long long)(now.tv_sec - p->start.tv_sec),
		done == total ? "\n" : "");
}

/* The host part of an LDAP URI ("ldap://dc1:389" -> "dc1"); caller
 * frees. */
static char *uri_host(const char *uri)
{
	const char *p = strstr(uri, "://");
	size_t len;

	p = p ? p + 3 : uri;
	if (*p == '[') {
		len = strcspn(++p, "]");
		return hv_strndup(p, len);
	}
	len = strcspn(p, ":/");
	return len ? hv_strndup(p, len) : NULL;
}

/* Hosts from the estate: the named ones (with AD's dNSHostName) or the
 * ones audit would select. */
static void hosts_from_estate(struct hv_probe_run *run,
			      const struct cli_args *args,
			      const struct hv_estate *est, bool cluster)
{
	for (size_t i = 0; i < args->n_positional; i++) {
		const char *name = args->positional[i];
		long a = hv_estate_find(est, name);
		char *label =
			a < 0 ? hv_strndup(name, strcspn(name, ".")) : NULL;

		/* "hv03.other.example" is HV03 when AD knows no such FQDN:
		 * its dNSHostName is then compared with the name asked */
		if (label) {
			a = hv_estate_find(est, label);
			free(label);
		}
		struct hv_probe_host *h = hv_probe_add_host(
			run, args->positional[i],
			a >= 0 ? est->accounts[a].dns : NULL, HV_ROLE_HOST);

		h->cluster = cluster;
	}
	if (args->n_positional)
		return;
	for (size_t i = 0; i < est->n_hosts; i++) {
		const struct hv_account *acc =
			&est->accounts[est->hosts[i].account];
		struct hv_probe_host *h = hv_probe_add_host(
			run, hv_account_fqdn(acc), acc->dns, HV_ROLE_HOST);

		/* cluster nodes carry the cluster service's SPN (failover
		 * clustering registers MSServerClusterMgmtAPI/NODE) */
		h->cluster =
			cluster ||
			hv_account_has_spn(est, est->hosts[i].account,
					   "MSServerClusterMgmtAPI", acc->name);
	}
	for (size_t i = 0; i < est->n_missing; i++)
		cli_error("probe: %s is not in the directory; not probed",
			  est->missing[i]);
}

static int exit_for(const struct hv_probe_verdicts *v)
{
	if (hv_probe_verdicts_count(v, HV_LEVEL_ERROR))
		return HV_EXIT_ERROR;
	if (hv_probe_verdicts_count(v, HV_LEVEL_UNCHECKED))
		return HV_EXIT_INCOMPLETE;
	if (hv_probe_verdicts_count(v, HV_LEVEL_WARNING))
		return HV_EXIT_WARNING;
	return HV_EXIT_OK;
}

/* 1,000 probes in flight need 1,000 descriptors: take what the hard
 * limit allows (the engine stays below the soft one). */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int setup(const struct cli_args *args, const struct probe_options *o,
		 struct hv_probe_run *run, struct cli_sources *src,
		 struct hv_estate *est, bool *have_est)
{
	struct hv_error err;
	const char *dc;
	bool cluster = o->cluster;
	int rc;

	hv_probe_default_ports(run);
	run->clocks = o->clocks;
	run->ntp_all = o->ntp_all;
	if (o->ports && hv_probe_parse_ports(run, o->ports, &err)) {
		cli_error("probe: --ports: %s", err.message);
		return HV_EXIT_INCOMPLETE;
	}
	if (cli_count(args, SRC_LDIF) || cli_count(args, SRC_LDAP)) {
		if ((rc = cli_user_needs_simple(args, "probe")) != 0 ||
		    (rc = cli_sources_load(args, "probe", src)) != 0)
			return rc;
		*have_est = true;
		/* the hosts as audit selects them: none is an error */
		if ((rc = cli_estate_build(est, src, "probe", false)) != 0)
			return rc;
		hosts_from_estate(run, args, est, cluster);
	} else {
		for (size_t i = 0; i < args->n_positional; i++)
			hv_probe_add_host(run, args->positional[i], NULL,
					  HV_ROLE_HOST)
				->cluster = cluster;
	}
	if (!run->n_hosts) {
		cli_error("probe: no hosts: name them (hvdoctor probe HV01 "
			  "HV02) or give --ldap URI or --ldif FILE");
		return HV_EXIT_INCOMPLETE;
	}
	for (size_t pos = 0; (dc = cli_next(args, OPT_DC, &pos));)
		hv_probe_add_host(run, dc, NULL, HV_ROLE_DC);
	if (src->ldap) {
		char *uri_dc = uri_host(hv_ldap_uri(src->ldap));

		if (uri_dc)
			hv_probe_add_host(run, uri_dc, NULL, HV_ROLE_DC);
		free(uri_dc);
	}
	return 0;
}

/* With --ldap, the DC's own statement of its time (rootDSE currentTime)
 * joins the DC the URI names. */
static void read_rootdse(struct cli_sources *src, struct hv_probe_run *run,
			 unsigned timeout_ms, bool tty)
{
	char *dc;
	struct hv_error err;

	if (!src->ldap || !run->clocks)
		return;
	if (tty)
		fprintf(stderr,
			"hvdoctor: probe: reading the DC's time from its "
			"rootDSE (up to %u ms)…\n",
			timeout_ms);
	dc = uri_host(hv_ldap_uri(src->ldap));
	for (size_t i = 0; dc && i < run->n_hosts; i++) {
		struct hv_clock_reading *r =
			&run->hosts[i].clocks[HV_CLOCK_ROOTDSE];

		if (run->hosts[i].role != HV_ROLE_DC ||
		    strcmp(run->hosts[i].name, dc) != 0)
			continue;
		snprintf(r->address, sizeof(r->address), "%s", dc);
		r->port = 0;
		if (hv_probe_rootdse_clock(hv_ldap_uri(src->ldap), timeout_ms,
					   r, &err))
			snprintf(r->detail, sizeof(r->detail), "%.190s",
				 err.message);
	}
	free(dc);
}

static int report(const struct probe_options *o,
		  const struct cli_globals *globals,
		  const struct hv_probe_run *run)
{
	struct hv_probe_verdicts verdicts;
	struct hv_kb kb = {0};
	struct hv_strbuf out = HV_STRBUF_INIT;
	struct hv_style style = {globals->color, globals->width};
	const char *cols = getenv("COLUMNS");
	int rc = cli_load_kb(globals, &kb);

	if (rc)
		return rc;
	hv_probe_judge(run, &verdicts);
	{
		struct hv_probe_view view = {run, &verdicts, &kb, 80};

		long width = cols ? strtol(cols, NULL, 10) : 0;

		if (width >= 40 && width <= 1000)
			view.columns = (int)width;
		if (o->json)
			hv_render_probe_json(&out, &view);
		else
			hv_render_probe_text(&out, &view, &style);
	}
	rc = cli_write_stdout(out.buf, out.len);
	if (rc == 0)
		rc = exit_for(&verdicts);
	hv_strbuf_release(&out);
	hv_probe_verdicts_release(&verdicts);
	hv_kb_release(&kb);
	return rc;
}

static int run_probe(const struct cli_args *args,
		     const struct cli_globals *globals)
{
	struct hv_probe_run run = {0};
	struct cli_sources src = {0};
	struct hv_estate est;
	struct progress prog = {isatty(STDERR_FILENO) != 0, {0, 0}, {0, 0}};
	struct probe_options o = {
		{0, 0, show_progress, &prog}, NULL, false, false, false, false};
	struct hv_error err;
	bool have_est = false;
	int rc;

	rc = read_options(args, &o);
	if (rc == 0)
		rc = setup(args, &o, &run, &src, &est, &have_est);
	if (rc == 0) {
		raise_fd_limit();
		clock_gettime(CLOCK_MONOTONIC, &prog.start);
		if (hv_probe_execute(&run, &o.xchg, &err)) {
			cli_error("probe: %s", err.message);
			rc = HV_EXIT_INCOMPLETE;
		}
	}
	if (rc == 0) {
		read_rootdse(&src, &run, o.xchg.timeout_ms, prog.tty);
		rc = report(&o, globals, &run);
	}
	hv_probe_run_release(&run);
	if (have_est)
		hv_estate_release(&est);
	cli_sources_release(&src);
	return rc;
}

const struct cli_command cmd_probe = {
	.name = "probe",
	.run = run_probe,
	.usage = "HOST... | (--ldap URI | --ldif FILE) [--hosts ...]\n"
		 "       [--ports LIST] [--dc DC] [--probe-timeout TIME] "
		 "[--parallel N]\n       [--json]",
	.summary = "ports, clocks and names of the hosts, tested for real",
	.description =
		"Tries TCP 6600 (live migration), 445 (SMB), 135 (RPC) and\n"
		"5985/5986 (WinRM) on every address of every host, all at\n"
		"once, and tells open, refused (nothing listens,\n"
		"0x8007274D), dropped (no answer, 0x8007274C) and\n"
		"unreachable apart. Reads each host's clock without\n"
		"credentials (SMB2 NEGOTIATE on 445, the Date of WinRM's\n"
		"answer on 5985; SNTP and rootDSE currentTime for DCs) and\n"
		"flags skew against Kerberos' 5 minutes (warning from 60 s).\n"
		"Checks forward and reverse names. Hosts come from the\n"
		"command line, or from AD as audit selects them. Probes go\n"
		"only to the hosts named or selected, --parallel at a time:\n"
		"with the default 512, 1,000 probes that all wait for their\n"
		"limit take about two --probe-timeout.",
	.options = probe_options,
	.groups = (const struct cli_option_group *const[]){&cli_source_group,
							   &cli_select_group,
							   NULL},
};
