#include "checks/probe_verdict.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What a closed port means, by port. Refusal and silence of 6600 are
 * different faults with different codes (WSAECONNREFUSED 10061,
 * WSAETIMEDOUT 10060); for the others one cause covers both. */
struct port_rule {
	const char *refused, *dropped; /* cause ids */
	const char *what;
	enum hv_level level;
	uint16_t port;
};

static const struct port_rule port_rules[] = {
	{"port-6600-refused", "port-6600-filtered", "live migration",
	 HV_LEVEL_ERROR, 6600},
	{"smb-445-blocked", "smb-445-blocked", "SMB (storage moves)",
	 HV_LEVEL_ERROR, 445},
	{"mgmt-ports-blocked", "mgmt-ports-blocked", "RPC endpoint mapper",
	 HV_LEVEL_WARNING, 135},
	{"mgmt-ports-blocked", "mgmt-ports-blocked", "WinRM; 5986 neither",
	 HV_LEVEL_WARNING, 5985},
	{"mgmt-ports-blocked", "mgmt-ports-blocked", "WinRM over HTTPS",
	 HV_LEVEL_WARNING, 5986},
	{"cluster-3343-blocked", "cluster-3343-blocked", "cluster service",
	 HV_LEVEL_ERROR, 3343},
	{"dc-unreachable", "dc-unreachable", "Kerberos", HV_LEVEL_ERROR, 88},
	{"dc-unreachable", "dc-unreachable", "LDAP", HV_LEVEL_ERROR, 389},
};
static const struct port_rule other_port = {
	"port-closed-other", "port-closed-other", "the port asked for",
	HV_LEVEL_WARNING, 0};

static const struct port_rule *rule_of(uint16_t port)
{
	for (size_t i = 0; i < sizeof(port_rules) / sizeof(port_rules[0]); i++)
		if (port_rules[i].port == port)
			return &port_rules[i];
	return &other_port;
}

static struct hv_probe_verdict *add(struct hv_probe_verdicts *out, size_t host,
				    enum hv_topic topic, enum hv_level level,
				    const char *cause, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static struct hv_probe_verdict *add(struct hv_probe_verdicts *out, size_t host,
				    enum hv_topic topic, enum hv_level level,
				    const char *cause, const char *fmt, ...)
{
	struct hv_probe_verdict *v;
	struct hv_strbuf msg = HV_STRBUF_INIT;
	va_list ap;

	HV_GROW(out->items, out->n, out->cap);
	v = &out->items[out->n++];
	memset(v, 0, sizeof(*v));
	v->host = v->other = host;
	v->topic = topic;
	v->level = level;
	v->cause = cause;
	va_start(ap, fmt);
	hv_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	v->message = hv_strbuf_detach(&msg);
	return v;
}

/* The addresses (text) of host h where port has outcome o, comma-joined. */
static void where(const struct hv_probe_host *h, uint16_t port,
		  enum hv_xchg_outcome o, struct hv_strbuf *out)
{
	for (size_t i = 0; i < h->n_ports; i++)
		if (h->ports[i].port == port && h->ports[i].outcome == o)
			hv_strbuf_addf(out, "%s%s", out->len ? ", " : "",
				       h->names.addrs[h->ports[i].addr].text);
}

static bool port_open_anywhere(const struct hv_probe_host *h, uint16_t port)
{
	for (size_t i = 0; i < h->n_ports; i++)
		if (h->ports[i].port == port &&
		    h->ports[i].outcome == HV_XCHG_OPEN)
			return true;
	return false;
}

static unsigned count_outcome(const struct hv_probe_host *h, uint16_t port,
			      enum hv_xchg_outcome o)
{
	unsigned n = 0;

	for (size_t i = 0; i < h->n_ports; i++)
		n += h->ports[i].port == port && h->ports[i].outcome == o;
	return n;
}

static void judge_closed(struct hv_probe_verdicts *out, size_t hi,
			 const struct hv_probe_host *h, uint16_t port)
{
	const struct port_rule *r = rule_of(port);
	struct hv_strbuf at = HV_STRBUF_INIT;
	struct hv_probe_verdict *v;

	if (count_outcome(h, port, HV_XCHG_REFUSED)) {
		where(h, port, HV_XCHG_REFUSED, &at);
		v = add(out, hi, HV_TOPIC_PORT, r->level, r->refused,
			"%s: TCP %u (%s) refused at %s: nothing listens",
			h->name, port, r->what, at.buf);
		v->code = "0x8007274D";
	} else if (count_outcome(h, port, HV_XCHG_UNREACHABLE)) {
		where(h, port, HV_XCHG_UNREACHABLE, &at);
		v = add(out, hi, HV_TOPIC_PORT, r->level, r->dropped,
			"%s: TCP %u (%s) unreachable at %s (ICMP or no "
			"route)",
			h->name, port, r->what, at.buf);
		v->code = "0x80072751";
	} else if (count_outcome(h, port, HV_XCHG_TIMEOUT)) {
		where(h, port, HV_XCHG_TIMEOUT, &at);
		v = add(out, hi, HV_TOPIC_PORT, r->level, r->dropped,
			"%s: TCP %u (%s) timed out at %s: something drops "
			"the packets",
			h->name, port, r->what, at.buf);
		v->code = "0x8007274C";
	} else {
		where(h, port, HV_XCHG_ERROR, &at);
		v = add(out, hi, HV_TOPIC_PORT, HV_LEVEL_UNCHECKED, NULL,
			"%s: TCP %u could not be tried from here (%s)", h->name,
			port, at.len ? at.buf : "no address");
		v->check_with = hv_strdup("a run with more file descriptors "
					  "(ulimit -n) or a lower --parallel");
	}
	v->port = port;
	hv_strbuf_release(&at);
}

static bool listed(const uint16_t *ports, size_t n, uint16_t port)
{
	for (size_t i = 0; i < n; i++)
		if (ports[i] == port)
			return true;
	return false;
}

static void judge_ports(const struct hv_probe_run *run, size_t hi,
			struct hv_probe_verdicts *out)
{
	const struct hv_probe_host *h = &run->hosts[hi];
	uint16_t ports[HV_PROBE_PORTS_MAX];
	size_t np = hv_probe_ports_of(run, h, ports);
	bool winrm = false;

	for (size_t p = 0; p < np; p++)
		if ((ports[p] == 5985 || ports[p] == 5986) &&
		    port_open_anywhere(h, ports[p]))
			winrm = true;
	for (size_t p = 0; p < np && h->names.n_addrs; p++) {
		uint16_t port = ports[p];

		if (port_open_anywhere(h, port)) {
			if (count_outcome(h, port, HV_XCHG_OPEN) <
			    h->names.n_addrs) {
				struct hv_strbuf at = HV_STRBUF_INIT;
				struct hv_probe_verdict *v;

				where(h, port, HV_XCHG_OPEN, &at);
				v = add(out, hi, HV_TOPIC_PORT, HV_LEVEL_INFO,
					"host-several-addresses",
					"%s: TCP %u answers at %s only; right "
					"if that is the network it is meant "
					"for",
					h->name, port, at.buf);
				v->port = port;
				hv_strbuf_release(&at);
			}
			continue;
		}
		/* WinRM needs one of its two listeners, not both; one
		 * finding covers the pair */
		if ((port == 5985 || port == 5986) && winrm)
			continue;
		if (port == 5986 && listed(ports, np, 5985))
			continue;
		judge_closed(out, hi, h, port);
	}
}

static void judge_names(const struct hv_probe_run *run, size_t hi,
			struct hv_probe_verdicts *out)
{
	const struct hv_probe_host *h = &run->hosts[hi];
	const struct hv_names *nm = &h->names;
	unsigned char raw[sizeof(struct in6_addr)];
	bool literal = inet_pton(AF_INET, h->name, raw) == 1 ||
		       inet_pton(AF_INET6, h->name, raw) == 1;

	if (nm->gai_error) {
		struct hv_probe_verdict *v =
			add(out, hi, HV_TOPIC_NAME, HV_LEVEL_ERROR,
			    "host-name-unresolved", "%s does not resolve: %s",
			    h->name, hv_names_error_text(nm->gai_error));

		/* a resolver that did not answer is not a missing name */
		if (nm->gai_error == EAI_AGAIN || nm->gai_error == EAI_FAIL) {
			v->level = HV_LEVEL_UNCHECKED;
			v->cause = NULL;
			v->check_with = hv_strdup("a resolver that answers "
						  "(the DNS servers in "
						  "/etc/resolv.conf)");
		}
		return;
	}
	if (nm->n_addrs > 1)
		add(out, hi, HV_TOPIC_NAME, HV_LEVEL_INFO,
		    "host-several-addresses", "%s has %zu addresses", h->name,
		    nm->n_addrs);
	for (size_t a = 0; a < nm->n_addrs && !literal; a++) {
		const char *ptr = nm->addrs[a].ptr;

		if (ptr && !hv_names_same_host(ptr, h->name))
			add(out, hi, HV_TOPIC_NAME, HV_LEVEL_WARNING,
			    "host-name-ptr-mismatch",
			    "%s resolves to %s, whose reverse name is %s: "
			    "another host",
			    h->name, nm->addrs[a].text, ptr);
	}
	if (h->ad_fqdn && !literal &&
	    (strchr(h->name, '.') ? strcasecmp(h->name, h->ad_fqdn) != 0
				  : !hv_names_same_host(h->name, h->ad_fqdn)))
		add(out, hi, HV_TOPIC_NAME, HV_LEVEL_WARNING,
		    "host-dnshostname-mismatch",
		    "%s: AD's dNSHostName is %s, not the name asked", h->name,
		    h->ad_fqdn);
}

enum hv_level hv_probe_skew_level(int64_t skew_ns)
{
	int64_t mag = skew_ns < 0 ? -skew_ns : skew_ns;

	if (mag >= HV_SKEW_ERROR_NS)
		return HV_LEVEL_ERROR;
	if (mag >= HV_SKEW_WARNING_NS)
		return HV_LEVEL_WARNING;
	return HV_LEVEL_OK;
}

static void choose_reference(const struct hv_probe_run *run,
			     struct hv_probe_verdicts *out)
{
	out->reference = -1;
	out->reference_ns = 0;
	for (size_t i = 0; i < run->n_hosts; i++) {
		const struct hv_clock_reading *c =
			hv_probe_host_clock(&run->hosts[i], NULL);

		if (run->hosts[i].role == HV_ROLE_DC && c) {
			out->reference = (long)i;
			out->reference_ns = c->sample.offset_ns;
			return;
		}
	}
}

static void unchecked_clock(struct hv_probe_verdicts *out, size_t hi,
			    const struct hv_probe_host *h)
{
	struct hv_strbuf why = HV_STRBUF_INIT;
	struct hv_probe_verdict *v;

	for (int s = 0; s < HV_CLOCK_SOURCES; s++) {
		const struct hv_clock_reading *r = &h->clocks[s];

		if (r->outcome == HV_XCHG_NOT_RUN)
			continue;
		hv_strbuf_addf(&why, "%s%s on %u: %s", why.len ? "; " : "",
			       hv_clock_source_name((enum hv_clock_source)s),
			       r->port,
			       r->detail[0] ? r->detail
					    : hv_xchg_outcome_name(r->outcome));
	}
	v = add(out, hi, HV_TOPIC_CLOCK, HV_LEVEL_UNCHECKED, NULL,
		"%s: clock not read (%s)", h->name,
		why.len ? why.buf : "no address");
	v->check_with = hv_strdup(
		"TCP 445 (SMB2) or 5985 (WinRM) open to this machine, or on "
		"Windows: w32tm /stripchart /computer:HOST /dataonly");
	hv_strbuf_release(&why);
}

/* A warning's headline: the cause's title says the clocks differ by more
 * than Kerberos allows, which holds only from the error on. */
#define CLOCK_NEAR_LIMIT "clocks approaching the limit Kerberos allows"

static void judge_clock(const struct hv_probe_run *run, size_t hi,
			struct hv_probe_verdicts *out)
{
	const struct hv_probe_host *h = &run->hosts[hi];
	enum hv_clock_source src;
	const struct hv_clock_reading *c = hv_probe_host_clock(h, &src);
	int64_t skew;
	enum hv_level level;
	struct hv_probe_verdict *v;

	if (!h->names.n_addrs || (long)hi == out->reference)
		return;
	if (!c) {
		unchecked_clock(out, hi, h);
		return;
	}
	skew = c->sample.offset_ns - out->reference_ns;
	level = hv_probe_skew_level(skew);
	if (c->unsynchronised)
		add(out, hi, HV_TOPIC_CLOCK, HV_LEVEL_WARNING, "clock-skew",
		    "%s: its NTP server says its own clock is not "
		    "synchronised",
		    h->name);
	if (level == HV_LEVEL_OK)
		return;
	v = add(out, hi, HV_TOPIC_CLOCK, level, "clock-skew",
		"%s: clock %+.1f s from %s (by %s); Kerberos allows %d s",
		h->name, (double)skew / HV_NS_PER_SEC,
		out->reference < 0 ? "this machine"
				   : run->hosts[out->reference].name,
		hv_clock_source_name(src),
		(int)(HV_SKEW_ERROR_NS / HV_NS_PER_SEC));
	v->code = level == HV_LEVEL_ERROR ? "0x80090324" : NULL;
	if (level == HV_LEVEL_WARNING)
		v->headline = CLOCK_NEAR_LIMIT;
}

/* Kerberos compares the two ends of a connection too: hosts 200 s either
 * side of the reference are each only a warning, but 400 s apart. */
static void judge_spread(const struct hv_probe_run *run,
			 struct hv_probe_verdicts *out)
{
	int64_t hi_ns = INT64_MIN, lo_ns = INT64_MAX;
	enum hv_level level, ends;
	struct hv_probe_verdict *v;

	out->spread_hi = out->spread_lo = -1;
	for (size_t i = 0; i < run->n_hosts; i++) {
		const struct hv_clock_reading *c =
			hv_probe_host_clock(&run->hosts[i], NULL);

		if (!c)
			continue;
		if (c->sample.offset_ns > hi_ns) {
			hi_ns = c->sample.offset_ns;
			out->spread_hi = (long)i;
		}
		if (c->sample.offset_ns < lo_ns) {
			lo_ns = c->sample.offset_ns;
			out->spread_lo = (long)i;
		}
	}
	if (out->spread_hi < 0 || out->spread_hi == out->spread_lo) {
		out->spread_hi = out->spread_lo = -1;
		return;
	}
	out->spread_ns = hi_ns - lo_ns;
	level = hv_probe_skew_level(out->spread_ns);
	ends = hv_probe_skew_level(hi_ns - out->reference_ns);
	if (hv_probe_skew_level(lo_ns - out->reference_ns) > ends)
		ends = hv_probe_skew_level(lo_ns - out->reference_ns);
	if (level <= ends)
		return;
	v = add(out, (size_t)out->spread_hi, HV_TOPIC_CLOCK, level,
		"clock-skew", "%s and %s: clocks %.1f s apart",
		run->hosts[out->spread_hi].name,
		run->hosts[out->spread_lo].name,
		(double)out->spread_ns / HV_NS_PER_SEC);
	v->other = (size_t)out->spread_lo;
	if (level == HV_LEVEL_WARNING)
		v->headline = CLOCK_NEAR_LIMIT;
}

void hv_probe_judge(const struct hv_probe_run *run,
		    struct hv_probe_verdicts *out)
{
	memset(out, 0, sizeof(*out));
	choose_reference(run, out);
	for (size_t i = 0; i < run->n_hosts; i++) {
		judge_names(run, i, out);
		judge_ports(run, i, out);
		if (run->clocks)
			judge_clock(run, i, out);
	}
	if (run->clocks)
		judge_spread(run, out);
}

size_t hv_probe_verdicts_count(const struct hv_probe_verdicts *v,
			       enum hv_level level)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n; i++)
		n += v->items[i].level == level;
	return n;
}

const char *hv_level_name(enum hv_level level)
{
	static const char *const names[] = {"ok", "info", "warning", "error",
					    "not-checked"};

	return level <= HV_LEVEL_UNCHECKED ? names[level] : "?";
}

void hv_probe_verdicts_release(struct hv_probe_verdicts *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->items[i].message);
		free(v->items[i].check_with);
	}
	free(v->items);
	memset(v, 0, sizeof(*v));
}
