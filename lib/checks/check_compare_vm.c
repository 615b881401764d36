/* Hyper-V's own verdict: the Compare-VM reports a snapshot carries
 * (collector -CompareTo). A message id or the kind of VM part that
 * reported it maps to a cause where that is known; anything else is shown
 * as Hyper-V wrote it, under compare-vm-incompatible. */
#include "checks/host_checks.h"
#include "checks/host_rules.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* 33012 "Could not find Ethernet switch" is the id scripts that repair
 * Compare-VM reports test for (public scripts; Microsoft does not list
 * the ids). The part's type is the object Compare-VM names as Source
 * (VMCompatibilityError.Source in the Hyper-V module). */
static const struct {
	long id;
	const char *source_type;
	const char *cause;
} known[] = {
	{33012, NULL, "vswitch-missing"},
	{-1, "VMNetworkAdapter", "vswitch-missing"},
	{-1, "VMProcessor", "cpu-incompatible"},
	{-1, "VMMemory", "dest-insufficient-memory"},
	{-1, "DvdDrive", "iso-path-not-on-destination"},
	{-1, "HardDiskDrive", "iso-path-not-on-destination"},
};

static const char *cause_of(const struct hv_snap_incompat *inc)
{
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (known[i].id >= 0 && inc->message_id == known[i].id)
			return known[i].cause;
		if (known[i].source_type && inc->source_type &&
		    strcasecmp(inc->source_type, known[i].source_type) == 0)
			return known[i].cause;
	}
	return "compare-vm-incompatible";
}

static void one_item(const struct hv_snapshot *s, const char *host,
		     const struct hv_snap_compare *c,
		     const struct hv_snap_incompat *inc,
		     struct hv_findings *out)
{
	struct hv_finding *f;
	char id[32] = "no id";

	if (inc->message_id >= 0)
		snprintf(id, sizeof(id), "message id %lld",
			 (long long)inc->message_id);
	f = hv_findings_add(out, cause_of(inc), HV_SEV_ERROR, "compare-vm",
			    host,
			    "was told by Compare-VM that VM %s cannot move to "
			    "%s: \"%s\" (%s%s%s)",
			    c->vm, c->destination,
			    inc->message ? inc->message : "(no message)", id,
			    inc->source_type ? ", " : "",
			    inc->source_type ? inc->source_type : "");
	f->target = hv_strdup(c->destination);
	f->n_targets = 1;
	hv_snap_evidence(f, s, &inc->at, inc->message ? inc->message : id);
	hv_finding_fix(f,
		       "on %s: (Compare-VM -Name VM -DestinationHost "
		       "%s).Incompatibilities | Format-List",
		       host, c->destination);
}

void hv_check_compare_vm(const struct hv_estate *est, struct hv_findings *out)
{
	for (size_t a = 0; a < est->n_hosts; a++) {
		const struct hv_snapshot *s = hv_host_snapshot(est, a);

		for (size_t i = 0; s && i < s->n_compares; i++) {
			const struct hv_snap_compare *c = &s->compares[i];
			struct hv_finding *f;

			for (size_t k = 0; k < c->n_items; k++)
				one_item(s, hv_host_name(est, a), c,
					 &c->items[k], out);
			if (!c->error)
				continue;
			f = hv_findings_add(
				out, "compare-vm-incompatible", HV_SEV_INFO,
				"compare-vm", hv_host_name(est, a),
				"could not run Compare-VM for VM %s to "
				"%s: \"%s\"",
				c->vm, c->destination, c->error);
			hv_snap_evidence(f, s, &c->at, c->error);
		}
	}
}
