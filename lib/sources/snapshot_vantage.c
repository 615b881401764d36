/* The sections a host measures about itself, which no other machine can
 * see for it (a migration network is often a VLAN the admin's machine
 * cannot reach): the DC and KDC it uses and the AD sites (nltest
 * /dsgetdc:DOMAIN /kdc), its clock against that DC (w32tm /stripchart),
 * the Kerberos tickets SYSTEM holds for migration and cifs (klist -li
 * 0x3e7: service and times only), and TCP attempts to its peers'
 * ports from its migration networks' addresses. docs/snapshot.md. */
#include "sources/snapshot_internal.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

/* Beyond this an offset is no clock reading (w32tm prints seconds with
 * seven decimals; a year is 3.2e7 s). */
#define MAX_OFFSET_SECONDS 1e9

void snap_read_dc(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;

	if (n->type == SNAP_JNULL)
		return;
	if (n->type != SNAP_JOBJECT) {
		snap_problem(rd, n, "is %s, expected nltest's DC",
			     snap_type_name(n));
		return;
	}
	snap_str(rd, n, "Name", &s->dc.name);
	snap_str(rd, n, "Address", &s->dc.address);
	snap_str(rd, n, "DcSiteName", &s->dc.dc_site);
	snap_str(rd, n, "ClientSiteName", &s->dc.client_site);
	snap_bool(rd, n, "IsKdc", &s->dc.kdc);
	if (!s->dc.name.value)
		snap_problem(rd, n, "a domain controller without Name");
}

void snap_read_clock(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node *off;
	double v;

	if (n->type == SNAP_JNULL)
		return;
	if (n->type != SNAP_JOBJECT) {
		snap_problem(rd, n, "is %s, expected w32tm's sample",
			     snap_type_name(n));
		return;
	}
	snap_str(rd, n, "Server", &s->clock.server);
	off = snap_get(rd, n, "OffsetSeconds");
	s->clock.at = snap_at(rd, off ? off : n);
	if (!off || off->type == SNAP_JNULL)
		return;
	if (!snap_real_of(off, &v) || v > MAX_OFFSET_SECONDS ||
	    v < -MAX_OFFSET_SECONDS) {
		snap_problem(rd, off, "is not a clock offset in seconds");
		return;
	}
	s->clock.known = true;
	s->clock.offset = v;
}

/* A ticket time: ISO 8601 UTC as the collector writes it; a time klist
 * printed that did not parse on the host stays unknown. */
static int64_t ticket_time(struct snap_reader *rd, const struct snap_node *t,
			   const char *key)
{
	const struct snap_node *n = snap_get(rd, t, key);
	int64_t v = 0;

	if (n && n->type != SNAP_JNULL && n->type != SNAP_JSTRING)
		snap_problem(rd, n, "is %s, expected a time",
			     snap_type_name(n));
	else if (n && n->type == SNAP_JSTRING && !snap_date(rd, n, &v))
		v = 0;
	return v;
}

void snap_read_tickets(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->tickets = hv_calloc(count + 1, sizeof(*s->tickets));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_ticket *t = &s->tickets[s->n_tickets];
		struct hv_snap_str server;

		snap_str(rd, items[i], "Server", &server);
		if (!server.value) {
			snap_problem(rd, items[i], "a ticket without Server");
			continue;
		}
		t->server = server.value;
		t->start = ticket_time(rd, items[i], "StartTime");
		t->end = ticket_time(rd, items[i], "EndTime");
		t->renew = ticket_time(rd, items[i], "RenewTime");
		t->at = server.at;
		s->n_tickets++;
	}
	free(items);
}

static const char *const reach_names[] = {
	[HV_REACH_OPEN] = "open",	  [HV_REACH_REFUSED] = "refused",
	[HV_REACH_TIMEOUT] = "timed out", [HV_REACH_UNRESOLVED] = "unresolved",
	[HV_REACH_ERROR] = "error",
};

/* One attempt; false (and a problem) when it lacks what a check needs. */
static bool read_attempt(struct snap_reader *rd, const struct snap_node *item,
			 struct hv_snap_reach *r)
{
	struct hv_snap_int port;
	struct hv_snap_enum result;

	r->peer = snap_plain_str(rd, item, "Peer");
	r->local = snap_plain_str(rd, item, "LocalAddress");
	r->address = snap_plain_str(rd, item, "Address");
	r->message = snap_plain_str(rd, item, "Message");
	snap_int(rd, item, "Port", &port);
	snap_enum(rd, item, "Result", reach_names,
		  (int)(sizeof(reach_names) / sizeof(reach_names[0])), &result);
	r->at = result.at.path ? result.at : snap_at(rd, item);
	if (!r->peer || !port.known || port.value < 1 || port.value > 65535 ||
	    result.value < 0) {
		snap_problem(rd, item,
			     "an attempt without Peer, a Port of 1-65535 "
			     "or a Result");
		return false;
	}
	r->port = port.value;
	r->result = result.value;
	return true;
}

void snap_read_reach(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->reach = hv_calloc(count + 1, sizeof(*s->reach));
	for (size_t i = 0; i < count; i++)
		if (read_attempt(rd, items[i], &s->reach[s->n_reach]))
			s->n_reach++;
	free(items);
}
