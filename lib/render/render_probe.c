#include "render/render_probe.h"

#include "base/json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define CELL 9

void hv_render_safe(struct hv_strbuf *out, const char *s)
{
	for (; s && *s; s++)
		hv_strbuf_addch(out, *s >= 0x20 && *s < 0x7f ? *s : '?');
}

static const char *cell_word(enum hv_xchg_outcome o)
{
	switch (o) {
	case HV_XCHG_OPEN:
		return "open";
	case HV_XCHG_REFUSED:
		return "refused";
	case HV_XCHG_TIMEOUT:
		return "dropped";
	case HV_XCHG_UNREACHABLE:
		return "unreach";
	case HV_XCHG_CLOSED:
		return "closed";
	case HV_XCHG_ERROR:
		return "error";
	case HV_XCHG_NOT_RUN:
		break;
	}
	return "-";
}

static enum hv_tone tone_of(enum hv_xchg_outcome o)
{
	return o == HV_XCHG_OPEN    ? HV_TONE_GREEN
	       : o == HV_XCHG_ERROR ? HV_TONE_YELLOW
				    : HV_TONE_RED;
}

static int name_width(const struct hv_probe_run *run)
{
	int w = 12;

	for (size_t i = 0; i < run->n_hosts; i++) {
		int n = (int)strlen(run->hosts[i].name) + 1;

		for (size_t a = 0; a < run->hosts[i].names.n_addrs; a++)
			if ((int)strlen(run->hosts[i].names.addrs[a].text) + 3 >
			    n)
				n = (int)strlen(
					    run->hosts[i].names.addrs[a].text) +
				    3;
		if (n > w)
			w = n;
	}
	return w > 40 ? 40 : w;
}

static void padded(struct hv_strbuf *out, const char *s, int width)
{
	struct hv_strbuf safe = HV_STRBUF_INIT;

	hv_render_safe(&safe, s);
	hv_style_pad(out, hv_strbuf_str(&safe), width);
	hv_strbuf_release(&safe);
}

static void port_row(struct hv_strbuf *out, const struct hv_probe_host *h,
		     size_t addr, const uint16_t *ports, size_t np,
		     const struct hv_style *style)
{
	for (size_t p = 0; p < np; p++) {
		enum hv_xchg_outcome o = HV_XCHG_NOT_RUN;
		char cell[32];

		for (size_t i = 0; i < h->n_ports; i++)
			if (h->ports[i].addr == addr &&
			    h->ports[i].port == ports[p])
				o = h->ports[i].outcome;
		snprintf(cell, sizeof(cell), "%-*s", CELL, cell_word(o));
		hv_style_add(out, style, tone_of(o), cell);
	}
	hv_strbuf_addch(out, '\n');
}

static void host_rows(struct hv_strbuf *out, const struct hv_probe_run *run,
		      const struct hv_probe_host *h, int w,
		      const struct hv_style *style)
{
	uint16_t ports[HV_PROBE_PORTS_MAX];
	size_t np = hv_probe_ports_of(run, h, ports);

	padded(out, h->name, w);
	if (!h->names.n_addrs) {
		hv_style_add(out, style, HV_TONE_RED, "unresolved\n");
		return;
	}
	if (h->role == HV_ROLE_DC) {
		for (size_t p = 0; p < np; p++) {
			enum hv_xchg_outcome o = HV_XCHG_NOT_RUN;

			for (size_t i = 0; i < h->n_ports; i++)
				if (h->ports[i].addr == 0 &&
				    h->ports[i].port == ports[p])
					o = h->ports[i].outcome;
			hv_strbuf_addf(out, "%s%u ", p ? ", " : "(DC) ",
				       ports[p]);
			hv_style_add(out, style, tone_of(o), cell_word(o));
		}
		hv_strbuf_addch(out, '\n');
		return;
	}
	if (h->names.n_addrs == 1) {
		port_row(out, h, 0, ports, np, style);
		return;
	}
	hv_strbuf_addch(out, '\n');
	for (size_t a = 0; a < h->names.n_addrs; a++) {
		hv_strbuf_adds(out, "  ");
		padded(out, h->names.addrs[a].text, w - 2);
		port_row(out, h, a, ports, np, style);
	}
}

static void ports_table(struct hv_strbuf *out, const struct hv_probe_run *run,
			const struct hv_style *style)
{
	int w = name_width(run);

	hv_style_pad(out, "TCP ports", w);
	for (size_t p = 0; p < run->n_ports; p++)
		hv_strbuf_addf(out, "%-*u", CELL, run->ports[p]);
	hv_strbuf_addch(out, '\n');
	for (size_t i = 0; i < run->n_hosts; i++)
		host_rows(out, run, &run->hosts[i], w, style);
}

static void clocks_table(struct hv_strbuf *out,
			 const struct hv_probe_view *view)
{
	const struct hv_probe_run *run = view->run;
	const struct hv_probe_verdicts *v = view->verdicts;
	int w = name_width(run);

	hv_strbuf_adds(out, "\nclocks, against ");
	if (v->reference >= 0)
		hv_render_safe(out, run->hosts[v->reference].name);
	else
		hv_strbuf_adds(out, "this machine's clock (no DC measured)");
	hv_strbuf_addch(out, '\n');
	for (size_t i = 0; i < run->n_hosts; i++) {
		const struct hv_probe_host *h = &run->hosts[i];
		enum hv_clock_source src;
		const struct hv_clock_reading *c = hv_probe_host_clock(h, &src);

		if (!h->names.n_addrs)
			continue;
		padded(out, h->name, w);
		if (!c) {
			hv_strbuf_adds(out, "not read\n");
			continue;
		}
		hv_strbuf_addf(out, "%+10.3f s  by %-7s rtt %.1f ms\n",
			       (double)(c->sample.offset_ns - v->reference_ns) /
				       HV_NS_PER_SEC,
			       hv_clock_source_name(src),
			       (double)c->sample.rtt_ns / 1e6);
	}
	if (v->spread_hi >= 0) {
		hv_strbuf_adds(out, "largest difference: ");
		hv_strbuf_addf(out, "%.3f s (",
			       (double)v->spread_ns / HV_NS_PER_SEC);
		hv_render_safe(out, run->hosts[v->spread_hi].name);
		hv_strbuf_adds(out, " - ");
		hv_render_safe(out, run->hosts[v->spread_lo].name);
		hv_strbuf_adds(out, "); Kerberos allows 300 s\n");
	}
}

/* Appends text wrapped at width, every line indented by indent. */
void hv_render_wrapped(struct hv_strbuf *out, const char *text, int indent,
		       int width)
{
	int col = indent;
	struct hv_strbuf safe = HV_STRBUF_INIT;
	const char *p;

	hv_render_safe(&safe, text);
	p = hv_strbuf_str(&safe);
	while (*p) {
		size_t len = strcspn(p, " ");

		if (col > indent && col + 1 + (int)len > width) {
			hv_strbuf_addf(out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			hv_strbuf_addch(out, ' ');
			col++;
		}
		hv_strbuf_add(out, p, len);
		col += (int)len;
		p += len;
		p += strspn(p, " ");
	}
	hv_strbuf_addch(out, '\n');
	hv_strbuf_release(&safe);
}

static void finding(struct hv_strbuf *out, const struct hv_probe_view *view,
		    const struct hv_probe_verdict *f,
		    const struct hv_style *style)
{
	static const enum hv_tone tones[] = {HV_TONE_GREEN, HV_TONE_CYAN,
					     HV_TONE_YELLOW, HV_TONE_RED,
					     HV_TONE_YELLOW};
	const struct hv_cause *cause =
		f->cause ? hv_kb_cause(view->kb, f->cause) : NULL;
	char label[16];

	snprintf(label, sizeof(label), "%-12s",
		 f->level == HV_LEVEL_UNCHECKED ? "not checked"
						: hv_level_name(f->level));
	hv_style_add(out, style, tones[f->level], label);
	if (f->cause) {
		struct hv_strbuf head = HV_STRBUF_INIT;

		hv_strbuf_addf(&head, "%s%s%s%s%s%s", f->cause,
			       f->code ? " (" : "", f->code ? f->code : "",
			       f->code ? ")" : "",
			       cause || f->headline ? ": " : "",
			       f->headline ? f->headline
			       : cause	   ? cause->title
					   : "");
		hv_render_wrapped(out, head.buf, 12, view->columns);
		hv_strbuf_addf(out, "%12s", "");
		hv_strbuf_release(&head);
	}
	hv_render_wrapped(out, f->message, 12, view->columns);
	if (f->check_with) {
		hv_strbuf_addf(out, "%12scheck with: ", "");
		hv_render_wrapped(out, f->check_with, 24, view->columns);
	}
}

static void headline(struct hv_strbuf *out, const struct hv_probe_view *view,
		     const struct hv_style *style)
{
	const struct hv_probe_verdicts *v = view->verdicts;
	size_t e = hv_probe_verdicts_count(v, HV_LEVEL_ERROR);
	size_t w = hv_probe_verdicts_count(v, HV_LEVEL_WARNING);
	size_t u = hv_probe_verdicts_count(v, HV_LEVEL_UNCHECKED);
	char line[200];

	snprintf(line, sizeof(line),
		 "hvdoctor probe: %zu error%s, %zu warning%s, %zu not "
		 "checked",
		 e, e == 1 ? "" : "s", w, w == 1 ? "" : "s", u);
	hv_style_add(out, style, e ? HV_TONE_RED : HV_TONE_BOLD, line);
	hv_strbuf_addf(out, " (%zu host%s, timeout %u ms)\n",
		       view->run->n_hosts, view->run->n_hosts == 1 ? "" : "s",
		       view->run->timeout_ms);
	/* A migration network is often a VLAN this machine cannot reach, and
	 * a port open from here says nothing of the path between two hosts:
	 * the verdicts say where they were measured from. */
	hv_strbuf_adds(out,
		       "Measured from this machine. Between two hosts, only "
		       "their own snapshots\n(collector, reachability) can "
		       "tell.\n\n");
}

void hv_render_probe_text(struct hv_strbuf *out,
			  const struct hv_probe_view *view,
			  const struct hv_style *style)
{
	const struct hv_probe_verdicts *v = view->verdicts;

	headline(out, view, style);
	ports_table(out, view->run, style);
	if (view->run->clocks)
		clocks_table(out, view);
	if (v->n)
		hv_strbuf_adds(out, "\nfindings\n");
	for (int level = HV_LEVEL_UNCHECKED; level >= HV_LEVEL_INFO; level--)
		for (size_t i = 0; i < v->n; i++)
			if ((int)v->items[i].level == level)
				finding(out, view, &v->items[i], style);
}

/* --- JSON ---------------------------------------------------------------- */

/* Durations and offsets in whole microseconds: exact integers, and finer
 * than any of the clock sources. */
static void json_us(struct hv_json *js, const char *key, int64_t ns)
{
	hv_json_kv_int(js, key, ns / 1000);
}

static void json_ports(struct hv_json *js, const struct hv_probe_host *h)
{
	hv_json_key(js, "ports");
	hv_json_array_begin(js);
	for (size_t i = 0; i < h->n_ports; i++) {
		const struct hv_port_result *p = &h->ports[i];

		hv_json_object_begin(js);
		hv_json_kv_string(js, "address", h->names.addrs[p->addr].text);
		hv_json_kv_int(js, "port", p->port);
		hv_json_kv_string(js, "state",
				  hv_xchg_outcome_name(p->outcome));
		hv_json_kv_string(js, "errno",
				  p->error ? strerror(p->error) : NULL);
		json_us(js, "elapsed_us", p->elapsed_ns);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

static void json_clocks(struct hv_json *js, const struct hv_probe_host *h,
			int64_t reference_ns)
{
	hv_json_key(js, "clocks");
	hv_json_array_begin(js);
	for (int s = 0; s < HV_CLOCK_SOURCES; s++) {
		const struct hv_clock_reading *r = &h->clocks[s];

		if (r->outcome == HV_XCHG_NOT_RUN && !r->ok)
			continue;
		hv_json_object_begin(js);
		hv_json_kv_string(
			js, "source",
			hv_clock_source_name((enum hv_clock_source)s));
		hv_json_kv_string(js, "address", r->address);
		hv_json_kv_int(js, "port", r->port);
		hv_json_kv_string(js, "state",
				  hv_xchg_outcome_name(r->outcome));
		hv_json_kv_bool(js, "read", r->ok);
		if (r->ok) {
			json_us(js, "offset_us", r->sample.offset_ns);
			json_us(js, "skew_us",
				r->sample.offset_ns - reference_ns);
			json_us(js, "rtt_us", r->sample.rtt_ns);
			json_us(js, "resolution_us", r->resolution_ns);
			hv_json_kv_bool(js, "unsynchronised",
					r->unsynchronised);
		}
		hv_json_kv_string(js, "detail",
				  r->detail[0] ? r->detail : NULL);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

static void json_host(struct hv_json *js, const struct hv_probe_host *h,
		      const struct hv_probe_verdicts *v)
{
	enum hv_clock_source src;
	const struct hv_clock_reading *c = hv_probe_host_clock(h, &src);

	hv_json_object_begin(js);
	hv_json_kv_string(js, "name", h->name);
	hv_json_kv_string(js, "role", h->role == HV_ROLE_DC ? "dc" : "host");
	hv_json_kv_string(js, "ad_dns_host_name", h->ad_fqdn);
	hv_json_kv_bool(js, "cluster", h->cluster);
	hv_json_kv_bool(js, "resolved", h->names.gai_error == 0);
	hv_json_kv_string(js, "resolve_error",
			  h->names.gai_error
				  ? hv_names_error_text(h->names.gai_error)
				  : NULL);
	hv_json_kv_string(js, "canonical", h->names.canonical);
	hv_json_key(js, "addresses");
	hv_json_array_begin(js);
	for (size_t a = 0; a < h->names.n_addrs; a++) {
		hv_json_object_begin(js);
		hv_json_kv_string(js, "address", h->names.addrs[a].text);
		hv_json_kv_string(js, "family",
				  h->names.addrs[a].ss.ss_family == AF_INET6
					  ? "ipv6"
					  : "ipv4");
		hv_json_kv_string(js, "ptr", h->names.addrs[a].ptr);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
	json_ports(js, h);
	json_clocks(js, h, v->reference_ns);
	hv_json_key(js, "clock");
	if (c) {
		hv_json_object_begin(js);
		hv_json_kv_string(js, "source", hv_clock_source_name(src));
		json_us(js, "skew_us", c->sample.offset_ns - v->reference_ns);
		hv_json_object_end(js);
	} else {
		hv_json_null(js);
	}
	hv_json_object_end(js);
}

static void json_verdicts(struct hv_json *js, const struct hv_probe_view *view)
{
	const struct hv_probe_verdicts *v = view->verdicts;
	static const char *const topics[] = {"port", "clock", "name"};

	hv_json_key(js, "findings");
	hv_json_array_begin(js);
	for (size_t i = 0; i < v->n; i++) {
		const struct hv_probe_verdict *f = &v->items[i];

		hv_json_object_begin(js);
		hv_json_kv_string(js, "host", view->run->hosts[f->host].name);
		/* a name probed as host and as DC has two entries */
		hv_json_kv_string(js, "role",
				  view->run->hosts[f->host].role == HV_ROLE_DC
					  ? "dc"
					  : "host");
		if (f->other != f->host)
			hv_json_kv_string(js, "other_host",
					  view->run->hosts[f->other].name);
		hv_json_kv_string(js, "topic", topics[f->topic]);
		if (f->topic == HV_TOPIC_PORT)
			hv_json_kv_int(js, "port", f->port);
		hv_json_kv_string(js, "severity", hv_level_name(f->level));
		hv_json_kv_string(js, "cause", f->cause);
		hv_json_kv_string(js, "code", f->code);
		hv_json_kv_string(js, "message", f->message);
		hv_json_kv_string(js, "check_with", f->check_with);
		hv_json_object_end(js);
	}
	hv_json_array_end(js);
}

void hv_render_probe_json(struct hv_strbuf *out,
			  const struct hv_probe_view *view)
{
	const struct hv_probe_run *run = view->run;
	const struct hv_probe_verdicts *v = view->verdicts;
	struct hv_json js;

	hv_json_init(&js, out, true);
	hv_json_object_begin(&js);
	hv_json_kv_string(&js, "schema", "hvdoctor.probe/1");
	hv_json_kv_string(&js, "vantage", "this machine");
	hv_json_kv_int(&js, "started_unix_ms", run->started_ns / 1000000);
	hv_json_kv_int(&js, "timeout_ms", run->timeout_ms);
	hv_json_key(&js, "ports");
	hv_json_array_begin(&js);
	for (size_t p = 0; p < run->n_ports; p++)
		hv_json_int(&js, run->ports[p]);
	hv_json_array_end(&js);
	hv_json_kv_string(&js, "clock_reference",
			  v->reference >= 0 ? run->hosts[v->reference].name
					    : NULL);
	if (v->spread_hi >= 0) {
		hv_json_key(&js, "clock_spread");
		hv_json_object_begin(&js);
		json_us(&js, "spread_us", v->spread_ns);
		hv_json_kv_string(&js, "ahead", run->hosts[v->spread_hi].name);
		hv_json_kv_string(&js, "behind", run->hosts[v->spread_lo].name);
		hv_json_object_end(&js);
	}
	hv_json_key(&js, "hosts");
	hv_json_array_begin(&js);
	for (size_t i = 0; i < run->n_hosts; i++)
		json_host(&js, &run->hosts[i], v);
	hv_json_array_end(&js);
	json_verdicts(&js, view);
	hv_json_key(&js, "summary");
	hv_json_object_begin(&js);
	hv_json_kv_int(&js, "errors",
		       (int64_t)hv_probe_verdicts_count(v, HV_LEVEL_ERROR));
	hv_json_kv_int(&js, "warnings",
		       (int64_t)hv_probe_verdicts_count(v, HV_LEVEL_WARNING));
	hv_json_kv_int(&js, "not_checked",
		       (int64_t)hv_probe_verdicts_count(v, HV_LEVEL_UNCHECKED));
	hv_json_object_end(&js);
	hv_json_object_end(&js);
	hv_strbuf_addch(out, '\n');
}
