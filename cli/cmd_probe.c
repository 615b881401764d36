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
#define DEFAULT_PARALLEL 512

static const struct cli_option probe_options[] = {
	{"ports", "LIST",
	 "TCP ports to try on every address (default\n"
	 "6600,445,135,5985,5986)",
	 OPT_PORTS},
	{"cluster", NULL, "the hosts are cluster nodes: also TCP 3343",
	 OPT_CLUSTER},
	{"dc", "HOST",
	 "a domain controller: Kerberos and LDAP ports, and\n"
	 "its clock by SNTP as the reference; repeatable",
	 OPT_DC},
	{"timeout", "MS", "per probe, connect included (default 2000; 2s also)",
	 OPT_TIMEOUT},
	{"parallel", "N", "probes in flight at most (default 512)",
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

static int number(const struct cli_args *args, int id, const char *name,
		  unsigned fallback, unsigned max, unsigned *out)
{
	const char *v = cli_value(args, id);
	char *end;
	unsigned long n;

	*out = fallback;
	if (!v)
		return 0;
	n = strtoul(v, &end, 10);
	if (end == v || *end || n < 1 || n > max) {
		cli_error("probe: --%s takes a number from 1 to %u, not '%s'",
			  name, max, v);
		return HV_EXIT_INCOMPLETE;
	}
	*out = (unsigned)n;
	return 0;
}

/* --timeout per probe: milliseconds when bare (its unit since the start),
 * or with a unit, "2s" or "500ms". A bare number under 100 is refused:
 * it is what seconds look like (audit's --timeout is in seconds), and
 * probes cut that short would blame the network for our own limit. */
static int probe_timeout(const char *v, unsigned *out)
{
	bool bare;

	*out = DEFAULT_TIMEOUT_MS;
	if (!v)
		return 0;
	if (cli_duration_ms(v, 1, out, &bare) < 0 || *out < 1 ||
	    *out > 600000) {
		cli_error("probe: --timeout takes milliseconds from 1 to "
			  "600000, or a time such as 2s, not '%s'",
			  v);
		return HV_EXIT_INCOMPLETE;
	}
	if (bare && *out < 100) {
		cli_error("probe: --timeout %s would be %s ms per probe; write "
			  "%ss for seconds, or %sms if you mean milliseconds",
			  v, v, v, v);
		return HV_EXIT_INCOMPLETE;
	}
	return 0;
}

struct progress {
	bool tty;
	struct timespec last;
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
	fprintf(stderr, "\rhvdoctor: probe: %zu of %zu done%s", done, total,
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

static int setup(const struct cli_args *args, struct hv_probe_run *run,
		 struct cli_sources *src, struct hv_estate *est, bool *have_est)
{
	struct hv_error err;
	bool cluster = cli_count(args, OPT_CLUSTER) > 0;
	int rc;

	hv_probe_default_ports(run);
	run->clocks = !cli_count(args, OPT_NO_CLOCK);
	run->ntp_all = cli_count(args, OPT_NTP) > 0;
	if (cli_value(args, OPT_PORTS) &&
	    hv_probe_parse_ports(run, cli_value(args, OPT_PORTS), &err)) {
		cli_error("probe: --ports: %s", err.message);
		return HV_EXIT_INCOMPLETE;
	}
	if (cli_count(args, SRC_LDIF) || cli_count(args, SRC_LDAP)) {
		if ((rc = cli_sources_load(args, "probe", src)) != 0)
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
	for (size_t i = 0; i < args->n_opts; i++)
		if (args->opts[i].id == OPT_DC)
			hv_probe_add_host(run, args->opts[i].value, NULL,
					  HV_ROLE_DC)
				->role = HV_ROLE_DC;
	if (src->ldap) {
		char *dc = uri_host(hv_ldap_uri(src->ldap));

		if (dc)
			hv_probe_add_host(run, dc, NULL, HV_ROLE_DC)->role =
				HV_ROLE_DC;
		free(dc);
	}
	return 0;
}

/* With --ldap, the DC's own statement of its time (rootDSE currentTime)
 * joins the DC the URI names. */
static void read_rootdse(struct cli_sources *src, struct hv_probe_run *run,
			 unsigned timeout_ms)
{
	char *dc;
	struct hv_error err;

	if (!src->ldap || !run->clocks)
		return;
	dc = uri_host(hv_ldap_uri(src->ldap));
	for (size_t i = 0; dc && i < run->n_hosts; i++) {
		struct hv_clock_reading *r =
			&run->hosts[i].clocks[HV_CLOCK_ROOTDSE];

		if (strcmp(run->hosts[i].name, dc) != 0)
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

static int report(const struct cli_args *args,
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
		if (cli_count(args, OPT_JSON))
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
	struct progress prog = {isatty(STDERR_FILENO) != 0, {0, 0}};
	struct hv_xchg_options opt = {0, 0, show_progress, &prog};
	struct hv_error err;
	bool have_est = false;
	int rc;

	rc = probe_timeout(cli_value(args, OPT_TIMEOUT), &opt.timeout_ms);
	if (rc == 0)
		rc = number(args, OPT_PARALLEL, "parallel", DEFAULT_PARALLEL,
			    65536, &opt.parallel);
	if (rc == 0)
		rc = setup(args, &run, &src, &est, &have_est);
	if (rc == 0) {
		raise_fd_limit();
		if (hv_probe_execute(&run, &opt, &err)) {
			cli_error("probe: %s", err.message);
			rc = HV_EXIT_INCOMPLETE;
		}
	}
	if (rc == 0) {
		read_rootdse(&src, &run, opt.timeout_ms);
		rc = report(args, globals, &run);
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
	.usage = "HOST... | (--ldap URI | --ldif FILE...) [--hosts ...] "
		 "[--ports LIST]\n       [--dc DC] [--timeout MS] "
		 "[--parallel N] [--json]",
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
		"only to the hosts named or selected.",
	.options = probe_options,
	.groups = (const struct cli_option_group *const[]){&cli_source_group,
							   NULL},
};
