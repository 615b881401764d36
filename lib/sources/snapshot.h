/* Host snapshots: one JSON file per Hyper-V host, written by the collector
 * (collector/hvdoctor-collect.ps1, format in docs/snapshot.md) or by hand
 * from `Get-VMHost | ConvertTo-Json`. The reader turns a file into plain
 * structs; every value keeps where it was read (the file and its JSON
 * path; a file that is not JSON is named with line and column). It never
 * judges: a section the file lacks is "not collected", never a default, and
 * checks say "not checked" for it.
 *
 * Both PowerShell spellings are read: enums as numbers (Windows
 * PowerShell 5.1, and PowerShell 7 by default) or as names (PowerShell 7
 * with -EnumsAsStrings), dates as "/Date(ms)/" (5.1) or ISO 8601 (7), a
 * one-element list written as the element alone, and System.Version as
 * an object (5.1) or a string. A list that ConvertTo-Json cut at its
 * -Depth (a string such as "System.Object[]" where a list belongs) is an
 * error naming the place. */
#ifndef HV_SNAPSHOT_H
#define HV_SNAPSHOT_H

#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_SNAPSHOT_SCHEMA "hvdoctor.snapshot/1"
#define HV_SNAPSHOT_SCHEMA_PREFIX "hvdoctor.snapshot/"
#define HV_SNAPSHOT_SCHEMA_VERSION 1
/* A snapshot larger than this is refused: a host's is kilobytes, and
 * the parsed document takes several times the file's size. */
#define HV_SNAPSHOT_MAX_BYTES (64u << 20)
/* Problems listed per file; the rest are counted. */
#define HV_SNAP_MAX_PROBLEMS 16

/* Where a value was read. Both strings live in the snapshot's pool. */
struct hv_snap_at {
	const char *path;  /* "$.vmhost.VirtualMachineMigrationEnabled" */
	const char *where; /* the file: "snapshots/HV01.json" */
};

/* Enum values are stored as Hyper-V's numbers; -1 when unknown. */
enum hv_snap_auth { HV_AUTH_CREDSSP = 0, HV_AUTH_KERBEROS = 1 };
enum hv_snap_perf {
	HV_PERF_TCPIP = 0,
	HV_PERF_COMPRESSION = 1,
	HV_PERF_SMB = 2,
};
enum hv_snap_switch_type {
	HV_SWITCH_PRIVATE = 0,
	HV_SWITCH_INTERNAL = 1,
	HV_SWITCH_EXTERNAL = 2,
};

struct hv_snap_bool {
	bool known, value;
	struct hv_snap_at at;
};
struct hv_snap_int {
	bool known;
	int64_t value;
	struct hv_snap_at at;
};
struct hv_snap_enum {
	int value; /* -1: unknown */
	struct hv_snap_at at;
};
struct hv_snap_str {
	const char *value; /* NULL: unknown; in the pool */
	struct hv_snap_at at;
};

/* The sections of a snapshot, in file order. */
enum hv_snap_section_id {
	HV_SEC_VMHOST,
	HV_SEC_NETWORKS,
	HV_SEC_VERSIONS,
	HV_SEC_SWITCHES,
	HV_SEC_VMS,
	HV_SEC_OS,
	HV_SEC_PROCESSORS,
	HV_SEC_DEVICE_GUARD,
	HV_SEC_VMMS,
	HV_SEC_LBFO,
	HV_SEC_FIREWALL,
	HV_SEC_TIME,
	HV_SEC_CLUSTER,
	HV_SEC_COMPARE,
	/* measured from the host itself (nltest, w32tm, klist, TCP) */
	HV_SEC_DC,
	HV_SEC_CLOCK,
	HV_SEC_TICKETS,
	HV_SEC_REACH,
	HV_SEC_COUNT
};

enum hv_snap_state {
	HV_SEC_MISSING,	 /* not in the file: not collected */
	HV_SEC_READ,	 /* read (a null list: read, and empty) */
	HV_SEC_FAILED,	 /* the collector recorded an error for it */
	HV_SEC_BAD,	 /* present but unreadable (wrong type, cut) */
	HV_SEC_UNPARSED, /* the file is not JSON (or is cut short) */
	HV_SEC_UNTRUSTED /* the file's schema is not one this reads */
};

struct hv_snap_section {
	enum hv_snap_state state;
	const char *why; /* FAILED: the collector's message (pool) */
	struct hv_snap_at at;
};

struct hv_snap_vmhost {
	struct hv_snap_str name, fqdn;
	struct hv_snap_bool migration_enabled;
	struct hv_snap_enum auth; /* enum hv_snap_auth */
	struct hv_snap_enum perf; /* enum hv_snap_perf */
	struct hv_snap_bool use_any_network;
	struct hv_snap_int max_migrations;
	struct hv_snap_int max_storage_migrations;
};

/* A migration network: "10.10.0.0/24" or a single address. */
struct hv_snap_subnet {
	const char *text; /* as written (pool) */
	int family;	  /* 4, 6, or 0 when it does not parse */
	uint8_t addr[16];
	unsigned prefix;
	int64_t priority;
	struct hv_snap_at at;
};

struct hv_snap_version {
	int major, minor;
	bool is_default;
	struct hv_snap_at at;
};

struct hv_snap_switch {
	const char *name;
	int type; /* enum hv_snap_switch_type, -1 unknown */
	bool embedded_teaming;
	struct hv_snap_at at;
};

struct hv_snap_nic {
	const char *name, *switch_name; /* switch_name NULL: not connected */
	struct hv_snap_at at;
};

struct hv_snap_path {
	const char *path;
	struct hv_snap_at at;
};

struct hv_snap_vm {
	const char *name;
	struct hv_snap_str version; /* configuration version, "10.0" */
	int ver_major, ver_minor;   /* -1 when unknown */
	struct hv_snap_bool cpu_compat;
	struct hv_snap_int memory_startup; /* bytes */
	struct hv_snap_bool clustered;
	struct hv_snap_nic *nics;
	size_t n_nics;
	struct hv_snap_path *dvds, *disks;
	size_t n_dvds, n_disks;
	bool nics_known, dvds_known, disks_known;
	struct hv_snap_at at;
};

struct hv_snap_cpu {
	const char *manufacturer, *name;
	struct hv_snap_at at;
};

struct hv_snap_team {
	const char *name;
	struct hv_snap_at at;
};

struct hv_snap_fwrule {
	const char *name, *display_name, *group;
	int enabled;   /* 1 enabled, 0 disabled, -1 unknown */
	int direction; /* 1 inbound, 2 outbound, -1 unknown */
	struct hv_snap_at at;
};

struct hv_snap_incompat {
	int64_t message_id; /* -1 when absent */
	const char *message;
	const char *source_type, *source_name; /* may be NULL */
	struct hv_snap_at at;
};

/* One Compare-VM run: this host's VM against a destination. */
struct hv_snap_compare {
	const char *vm, *destination;
	const char *error; /* Compare-VM itself failed: its message */
	struct hv_snap_incompat *items;
	size_t n_items;
	struct hv_snap_at at;
};

/* A TCP attempt from the host to a peer's port, as the collector saw it:
 * accepted, answered with a reset, no answer in time, the peer's name
 * did not resolve, or another socket error (message says which). */
enum hv_snap_reach_result {
	HV_REACH_OPEN,
	HV_REACH_REFUSED,
	HV_REACH_TIMEOUT,
	HV_REACH_UNRESOLVED,
	HV_REACH_ERROR,
};

struct hv_snap_reach {
	const char *peer;    /* as given to -CompareTo */
	const char *local;   /* the bound address, or NULL: unbound */
	const char *address; /* the peer's address tried, or NULL */
	const char *message; /* the socket's reason, or NULL */
	int64_t port;
	int result; /* enum hv_snap_reach_result */
	struct hv_snap_at at;
};

/* A Kerberos ticket the host (SYSTEM) holds: the service and its times
 * (Unix seconds, 0 when unknown); never anything of the ticket. */
struct hv_snap_ticket {
	const char *server;
	int64_t start, end, renew;
	struct hv_snap_at at;
};

struct hv_snap_problem {
	char *where;   /* "file:line:column" or "file" */
	char *message; /* one sentence */
};

struct hv_snap_pool;

struct hv_snapshot {
	char *file; /* the path as given; owned */
	/* header */
	const char *schema, *collector, *host, *fqdn, *taken;
	int64_t taken_unix; /* seconds, 0 when unknown */
	bool bare;	    /* a plain Get-VMHost object, no header */
	struct hv_snap_at host_at;
	struct hv_snap_section sec[HV_SEC_COUNT];

	struct hv_snap_vmhost vmhost;
	struct hv_snap_subnet *networks;
	size_t n_networks;
	struct hv_snap_version *versions;
	size_t n_versions;
	struct hv_snap_switch *switches;
	size_t n_switches;
	struct hv_snap_vm *vms;
	size_t n_vms;
	struct {
		struct hv_snap_str caption, version;
		struct hv_snap_int build;
	} os;
	struct hv_snap_cpu *cpus;
	size_t n_cpus;
	struct {
		struct hv_snap_bool cg_running, cg_configured;
	} device_guard;
	struct {
		struct hv_snap_str start_mode; /* Win32_Service: "Auto" … */
		struct hv_snap_bool delayed;
	} vmms;
	struct hv_snap_team *teams;
	size_t n_teams;
	struct hv_snap_fwrule *rules;
	size_t n_rules;
	struct {
		struct hv_snap_str type;   /* W32Time Type: NT5DS, NTP … */
		struct hv_snap_str source; /* w32tm /query /source */
	} time;
	struct {
		struct hv_snap_str name;
		const char **nodes;
		size_t n_nodes;
	} cluster;
	struct hv_snap_compare *compares;
	size_t n_compares;
	/* nltest /dsgetdc:DOMAIN /kdc */
	struct {
		struct hv_snap_str name, address, dc_site, client_site;
		struct hv_snap_bool kdc;
	} dc;
	/* w32tm /stripchart against that DC */
	struct {
		struct hv_snap_str server;
		bool known;
		double offset; /* seconds, as w32tm prints it */
		struct hv_snap_at at;
	} clock;
	struct hv_snap_ticket *tickets;
	size_t n_tickets;
	struct hv_snap_reach *reach;
	size_t n_reach;

	struct hv_snap_problem problems[HV_SNAP_MAX_PROBLEMS];
	size_t n_problems, n_problems_total;
	struct hv_snap_pool *pool; /* owns every const char * above */
};

/* Reads one snapshot from data (len bytes) named `file`. Returns 0; or
 * HV_ERR_INPUT when the file is damaged, of an unknown schema, or has
 * values of the wrong type: then out->problems lists them (file:line:
 * column and what), and out holds everything that could still be read.
 * Release out with hv_snapshot_release() in both cases. */
int hv_snapshot_read_buffer(const char *file, const char *data, size_t len,
			    struct hv_snapshot *out);
/* The same from a file on disk (HV_ERR_IO when it cannot be read). */
int hv_snapshot_read_file(const char *path, struct hv_snapshot *out);
/* Frees what snap owns and leaves it empty. */
void hv_snapshot_release(struct hv_snapshot *snap);
/* The section's name as written in the file: "vmhost", "vms", … */
const char *hv_snap_section_name(enum hv_snap_section_id id);

#endif
