#include "sources/probe.h"

#include "base/alloc.h"
#include "sources/http_date.h"
#include "sources/smb2_negotiate.h"
#include "sources/sntp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What an exchange was for, so its outcome lands in the right place. */
struct use {
	size_t host;
	size_t port_result; /* for a connect */
	enum hv_clock_source clock;
	bool is_clock;
};

static const uint16_t default_ports[] = {HV_PORT_MIGRATION, HV_PORT_SMB, 135,
					 HV_PORT_WINRM, 5986};
/* RFC 4120 7.2.3 (Kerberos, 88) and RFC 4511 (LDAP, 389): what every
 * host needs from a DC before any ticket exists */
static const uint16_t dc_ports[] = {88, 389};

void hv_probe_default_ports(struct hv_probe_run *run)
{
	run->n_ports = sizeof(default_ports) / sizeof(default_ports[0]);
	memcpy(run->ports, default_ports, sizeof(default_ports));
}

int hv_probe_parse_ports(struct hv_probe_run *run, const char *text,
			 struct hv_error *err)
{
	const char *p = text;

	run->n_ports = 0;
	while (*p) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || v < 1 || v > 65535 || (*end && *end != ','))
			return hv_error_set(err, HV_ERR_USAGE, "--ports",
					    "'%s' is not a list of ports "
					    "1-65535 separated by commas",
					    text);
		for (size_t i = 0; i < run->n_ports; i++)
			if (run->ports[i] == v)
				return hv_error_set(
					err, HV_ERR_USAGE, "--ports",
					"port %lu is listed twice", v);
		if (run->n_ports == HV_PROBE_PORTS_MAX)
			return hv_error_set(err, HV_ERR_USAGE, "--ports",
					    "at most %d ports",
					    HV_PROBE_PORTS_MAX);
		run->ports[run->n_ports++] = (uint16_t)v;
		p = *end ? end + 1 : end;
	}
	if (!run->n_ports)
		return hv_error_set(err, HV_ERR_USAGE, "--ports",
				    "the port list is empty");
	return 0;
}

struct hv_probe_host *hv_probe_add_host(struct hv_probe_run *run,
					const char *name, const char *ad_fqdn,
					enum hv_probe_role role)
{
	struct hv_probe_host *h;

	/* a name given as a host and as a DC is probed as both: the
	 * Hyper-V ports and the DC's (a lab's single server is both) */
	for (size_t i = 0; i < run->n_hosts; i++)
		if (strcasecmp(run->hosts[i].name, name) == 0 &&
		    run->hosts[i].role == role)
			return &run->hosts[i];
	HV_GROW(run->hosts, run->n_hosts, run->cap_hosts);
	h = &run->hosts[run->n_hosts++];
	memset(h, 0, sizeof(*h));
	h->name = hv_strdup(name);
	h->ad_fqdn = hv_strdup(ad_fqdn);
	h->role = role;
	return h;
}

size_t hv_probe_ports_of(const struct hv_probe_run *run,
			 const struct hv_probe_host *host, uint16_t *out)
{
	size_t n = 0;

	if (host->role == HV_ROLE_DC) {
		memcpy(out, dc_ports, sizeof(dc_ports));
		return sizeof(dc_ports) / sizeof(dc_ports[0]);
	}
	memcpy(out, run->ports, run->n_ports * sizeof(*out));
	n = run->n_ports;
	if (host->cluster && n < HV_PROBE_PORTS_MAX) {
		bool listed = false;

		for (size_t i = 0; i < n; i++)
			listed |= out[i] == HV_PORT_CLUSTER;
		if (!listed)
			out[n++] = HV_PORT_CLUSTER;
	}
	return n;
}

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)(void *)ss)->sin_port = htons(port);
}

static void add_xchg(struct hv_xchg **x, struct use **uses, size_t *n,
		     size_t *cap, const struct hv_addr *a, uint16_t port,
		     enum hv_xchg_kind kind, struct use use)
{
	struct hv_xchg *e;

	if (*n >= *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*x = hv_reallocarray(*x, *cap, sizeof(**x));
		*uses = hv_reallocarray(*uses, *cap, sizeof(**uses));
	}
	e = &(*x)[*n];
	memset(e, 0, sizeof(*e));
	memcpy(&e->addr, &a->ss, a->len);
	e->addr_len = a->len;
	set_port(&e->addr, port);
	e->kind = kind;
	(*uses)[(*n)++] = use;
}

static void plan_clock(struct hv_probe_host *h, size_t hi,
		       enum hv_clock_source src, uint16_t port,
		       enum hv_xchg_kind kind, struct hv_xchg **x,
		       struct use **uses, size_t *n, size_t *cap)
{
	struct use use = {hi, 0, src, true};
	struct hv_clock_reading *r = &h->clocks[src];

	snprintf(r->address, sizeof(r->address), "%s", h->names.addrs[0].text);
	r->port = port;
	add_xchg(x, uses, n, cap, &h->names.addrs[0], port, kind, use);
}

/* Every port on every address; the clock sources on the first address. */
static void plan_host(struct hv_probe_run *run, size_t hi, struct hv_xchg **x,
		      struct use **uses, size_t *n, size_t *cap)
{
	struct hv_probe_host *h = &run->hosts[hi];
	uint16_t ports[HV_PROBE_PORTS_MAX];
	size_t np = hv_probe_ports_of(run, h, ports);

	h->ports = hv_calloc(np * h->names.n_addrs + 1, sizeof(*h->ports));
	for (size_t a = 0; a < h->names.n_addrs; a++) {
		for (size_t p = 0; p < np; p++) {
			struct use use = {hi, h->n_ports, 0, false};

			h->ports[h->n_ports].addr = a;
			h->ports[h->n_ports++].port = ports[p];
			add_xchg(x, uses, n, cap, &h->names.addrs[a], ports[p],
				 HV_XCHG_CONNECT, use);
		}
	}
	if (!run->clocks || !h->names.n_addrs)
		return;
	plan_clock(h, hi, HV_CLOCK_SMB2, HV_PORT_SMB, HV_XCHG_SMB2, x, uses, n,
		   cap);
	plan_clock(h, hi, HV_CLOCK_WINRM, HV_PORT_WINRM, HV_XCHG_HTTP, x, uses,
		   n, cap);
	if (h->role == HV_ROLE_DC || run->ntp_all)
		plan_clock(h, hi, HV_CLOCK_SNTP, HV_PORT_NTP, HV_XCHG_SNTP, x,
			   uses, n, cap);
}

static void read_smb2(struct hv_clock_reading *r, const struct hv_xchg *x)
{
	struct hv_smb2_negotiate neg;
	struct hv_error err;
	int64_t server;

	if (hv_smb2_negotiate_parse(x->reply, x->reply_len, &neg, &err)) {
		snprintf(r->detail, sizeof(r->detail), "%.60s: %.130s",
			 err.where, err.message);
	} else if (!neg.system_time ||
		   !hv_filetime_to_unix_ns(neg.system_time, &server)) {
		snprintf(r->detail, sizeof(r->detail),
			 "the NEGOTIATE response carries no SystemTime");
	} else {
		r->sample =
			hv_clock_from_stamp(x->sent_ns, x->recv_ns, server, 0);
		r->resolution_ns = 100;
		r->ok = true;
	}
}

static void read_http(struct hv_clock_reading *r, const struct hv_xchg *x)
{
	struct hv_http_head head;
	struct hv_error err;

	if (hv_http_head_parse(x->reply, x->reply_len, &head, &err)) {
		snprintf(r->detail, sizeof(r->detail), "%.60s: %.130s",
			 err.where, err.message);
	} else if (!head.has_date) {
		snprintf(r->detail, sizeof(r->detail),
			 "HTTP %u without a Date header", head.status);
	} else {
		r->sample = hv_clock_from_stamp(x->sent_ns, x->recv_ns,
						head.date * HV_NS_PER_SEC,
						HV_NS_PER_SEC);
		r->resolution_ns = HV_NS_PER_SEC;
		r->ok = true;
	}
}

static void read_sntp(struct hv_clock_reading *r, const struct hv_xchg *x)
{
	struct hv_sntp_reply rep;
	struct hv_error err;

	if (hv_sntp_parse(x->reply, x->reply_len, x->ntp_sent, &rep, &err)) {
		snprintf(r->detail, sizeof(r->detail), "%.60s: %.120s%s%s",
			 err.where, err.message, rep.kiss[0] ? " " : "",
			 rep.kiss);
		return;
	}
	r->sample = hv_clock_from_ntp(
		x->sent_ns, hv_ntp_to_unix_ns(rep.receive, x->sent_ns),
		hv_ntp_to_unix_ns(rep.transmit, x->sent_ns), x->recv_ns);
	r->resolution_ns = 1000000;
	/* RFC 5905 7.3: LI 3 is "clock unsynchronized", stratum 16 too */
	r->unsynchronised = rep.leap == 3 || rep.stratum >= 16;
	r->ok = true;
}

static void settle(struct hv_probe_run *run, const struct use *use,
		   const struct hv_xchg *x)
{
	struct hv_probe_host *h = &run->hosts[use->host];
	struct hv_clock_reading *r;

	if (!use->is_clock) {
		struct hv_port_result *p = &h->ports[use->port_result];

		p->outcome = x->outcome;
		p->error = x->error;
		p->elapsed_ns = x->elapsed_ns;
		return;
	}
	r = &h->clocks[use->clock];
	r->outcome = x->outcome;
	if (x->outcome == HV_XCHG_CLOSED)
		snprintf(r->detail, sizeof(r->detail),
			 "closed the connection without an answer");
	if (x->outcome != HV_XCHG_OPEN)
		return;
	if (x->kind == HV_XCHG_SMB2)
		read_smb2(r, x);
	else if (x->kind == HV_XCHG_HTTP)
		read_http(r, x);
	else
		read_sntp(r, x);
}

int hv_probe_execute(struct hv_probe_run *run,
		     const struct hv_xchg_options *opt, struct hv_error *err)
{
	struct hv_xchg *x = NULL;
	struct use *uses = NULL;
	size_t n = 0, cap = 0;
	int rc;

	run->started_ns = hv_wall_ns();
	run->timeout_ms = opt->timeout_ms;
	for (size_t i = 0; i < run->n_hosts; i++)
		hv_names_resolve(run->hosts[i].name, &run->hosts[i].names);
	for (size_t i = 0; i < run->n_hosts; i++)
		plan_host(run, i, &x, &uses, &n, &cap);
	rc = hv_xchg_run(x, n, opt, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		settle(run, &uses[i], &x[i]);
	hv_xchg_release(x, n);
	free(x);
	free(uses);
	return rc;
}

const struct hv_clock_reading *
hv_probe_host_clock(const struct hv_probe_host *host,
		    enum hv_clock_source *out_source)
{
	for (int s = 0; s < HV_CLOCK_SOURCES; s++) {
		if (host->clocks[s].ok) {
			if (out_source)
				*out_source = (enum hv_clock_source)s;
			return &host->clocks[s];
		}
	}
	return NULL;
}

const char *hv_clock_source_name(enum hv_clock_source source)
{
	static const char *const names[] = {"sntp", "smb2", "rootdse", "winrm"};

	return source < HV_CLOCK_SOURCES ? names[source] : "?";
}

void hv_probe_run_release(struct hv_probe_run *run)
{
	for (size_t i = 0; i < run->n_hosts; i++) {
		struct hv_probe_host *h = &run->hosts[i];

		free(h->name);
		free(h->ad_fqdn);
		free(h->ports);
		hv_names_release(&h->names);
	}
	free(run->hosts);
	memset(run, 0, sizeof(*run));
}
