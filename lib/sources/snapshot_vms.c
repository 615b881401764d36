/* The per-VM parts of a snapshot: what each VM needs of a destination
 * (configuration version, processor compatibility, the switches its
 * adapters name, the paths of its DVD and disk drives, memory), and
 * Hyper-V's own verdict from Compare-VM against other hosts. */
#include "sources/snapshot_internal.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

static void read_nics(struct snap_reader *rd, const struct snap_node *vm,
		      struct hv_snap_vm *out)
{
	const struct snap_node *n = snap_get(rd, vm, "NetworkAdapters");
	const struct snap_node **items;
	bool ok;
	size_t count;

	if (!n)
		return;
	count = snap_list(rd, n, &items, &ok);
	out->nics_known = ok;
	out->nics = hv_calloc(count + 1, sizeof(*out->nics));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_nic *nic = &out->nics[out->n_nics++];
		struct hv_snap_str sw;

		nic->name = snap_plain_str(rd, items[i], "Name");
		snap_str(rd, items[i], "SwitchName", &sw);
		/* an empty SwitchName is an adapter not connected */
		nic->switch_name = sw.value && *sw.value ? sw.value : NULL;
		nic->at = sw.value ? sw.at : snap_at(rd, items[i]);
	}
	free(items);
}

static void read_paths(struct snap_reader *rd, const struct snap_node *vm,
		       const char *key, struct hv_snap_path **out,
		       size_t *out_n, bool *out_known)
{
	const struct snap_node *n = snap_get(rd, vm, key);
	const struct snap_node **items;
	bool ok;
	size_t count;

	if (!n)
		return;
	count = snap_list(rd, n, &items, &ok);
	*out_known = ok;
	*out = hv_calloc(count + 1, sizeof(**out));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_str path;

		snap_str(rd, items[i], "Path", &path);
		if (!path.value || !*path.value)
			continue; /* an empty drive */
		(*out)[*out_n].path = path.value;
		(*out)[(*out_n)++].at = path.at;
	}
	free(items);
}

static void read_vm(struct snap_reader *rd, const struct snap_node *n,
		    struct hv_snap_vm *vm)
{
	const struct snap_node *ver;

	vm->at = snap_at(rd, n);
	snap_str(rd, n, "Version", &vm->version);
	ver = snap_get(rd, n, "Version");
	if (vm->version.value &&
	    !snap_version(rd, ver, &vm->ver_major, &vm->ver_minor))
		snap_problem(rd, ver, "'%s' is not a configuration version",
			     vm->version.value);
	snap_bool(rd, n, "CompatibilityForMigrationEnabled", &vm->cpu_compat);
	snap_int(rd, n, "MemoryStartup", &vm->memory_startup);
	snap_bool(rd, n, "IsClustered", &vm->clustered);
	read_nics(rd, n, vm);
	read_paths(rd, n, "DvdDrives", &vm->dvds, &vm->n_dvds, &vm->dvds_known);
	read_paths(rd, n, "HardDrives", &vm->disks, &vm->n_disks,
		   &vm->disks_known);
}

void snap_read_vms(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->vms = hv_calloc(count + 1, sizeof(*s->vms));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_vm *vm = &s->vms[s->n_vms];

		vm->ver_major = vm->ver_minor = -1;
		vm->name = snap_plain_str(rd, items[i], "Name");
		if (!vm->name) {
			snap_problem(rd, items[i], "a VM without Name");
			continue;
		}
		read_vm(rd, items[i], vm);
		s->n_vms++;
	}
	free(items);
}

/* Source: the collector writes {"Type": "VMNetworkAdapter", "Name": …};
 * a hand-made file may hold a plain string. */
static void read_source(struct snap_reader *rd, const struct snap_node *item,
			struct hv_snap_incompat *out)
{
	const struct snap_node *n = snap_get(rd, item, "Source");

	if (!n || n->type == SNAP_JNULL)
		return;
	if (n->type == SNAP_JOBJECT) {
		out->source_type = snap_plain_str(rd, n, "Type");
		out->source_name = snap_plain_str(rd, n, "Name");
	} else if (n->type == SNAP_JSTRING) {
		out->source_name = snap_plain_str(rd, item, "Source");
	} else {
		snap_problem(rd, n, "is %s, expected the incompatible part",
			     snap_type_name(n));
	}
}

static void read_report(struct snap_reader *rd, const struct snap_node *n,
			struct hv_snap_compare *c)
{
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, snap_get(rd, n, "Incompatibilities"),
				 &items, &ok);

	c->items = hv_calloc(count + 1, sizeof(*c->items));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_incompat *inc = &c->items[c->n_items++];
		struct hv_snap_int id;
		struct hv_snap_str msg;

		snap_int(rd, items[i], "MessageId", &id);
		snap_str(rd, items[i], "Message", &msg);
		inc->message_id = id.known ? id.value : -1;
		inc->message = msg.value;
		inc->at = snap_at(rd, items[i]);
		read_source(rd, items[i], inc);
		if (!msg.value && !id.known)
			snap_problem(rd, items[i],
				     "an incompatibility without MessageId "
				     "or Message");
	}
	free(items);
}

void snap_read_compare(struct snap_reader *rd, const struct snap_node *n)
{
	struct hv_snapshot *s = rd->snap;
	const struct snap_node **items;
	bool ok;
	size_t count = snap_list(rd, n, &items, &ok);

	s->compares = hv_calloc(count + 1, sizeof(*s->compares));
	for (size_t i = 0; i < count; i++) {
		struct hv_snap_compare *c = &s->compares[s->n_compares];

		c->vm = snap_plain_str(rd, items[i], "VM");
		c->destination = snap_plain_str(rd, items[i], "Destination");
		c->error = snap_plain_str(rd, items[i], "Error");
		c->at = snap_at(rd, items[i]);
		if (!c->vm || !c->destination) {
			snap_problem(rd, items[i],
				     "a Compare-VM report needs VM and "
				     "Destination");
			continue;
		}
		read_report(rd, items[i], c);
		s->n_compares++;
	}
	free(items);
}
