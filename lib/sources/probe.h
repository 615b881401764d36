/* `probe`: what the network says about each host, as plain data — every
 * address of its name and their PTR names, the state of each TCP port
 * on each address, and its clock as read by each source that answered.
 * hv_probe_execute() resolves, then runs every exchange at once through
 * probe_net.c and reads the replies with the SMB2, SNTP and HTTP parsers.
 * It only observes; probe_verdict.c judges. */
#ifndef HV_PROBE_H
#define HV_PROBE_H

#include "base/error.h"
#include "sources/probe_names.h"
#include "sources/probe_net.h"
#include "sources/probe_time.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HV_PROBE_PORTS_MAX 32
#define HV_PORT_SMB 445
#define HV_PORT_WINRM 5985
#define HV_PORT_NTP 123
#define HV_PORT_CLUSTER 3343
#define HV_PORT_MIGRATION 6600

/* Clock sources, in the order one is preferred as "the" host clock: the
 * finest and most direct first (SNTP ms, SMB2 100 ns, rootDSE and HTTP
 * 1 s). */
enum hv_clock_source {
	HV_CLOCK_SNTP,
	HV_CLOCK_SMB2,
	HV_CLOCK_ROOTDSE,
	HV_CLOCK_WINRM,
	HV_CLOCK_SOURCES
};

struct hv_clock_reading {
	enum hv_xchg_outcome outcome; /* HV_XCHG_NOT_RUN: not tried */
	bool ok;		      /* a time was read */
	bool unsynchronised; /* SNTP: the server says its clock is not set */
	char address[INET6_ADDRSTRLEN];
	uint16_t port;
	struct hv_clock_sample sample;
	int64_t resolution_ns;
	char detail[200]; /* why no time: the parser's words, or "" */
};

struct hv_port_result {
	size_t addr; /* index into names.addrs */
	uint16_t port;
	enum hv_xchg_outcome outcome;
	int error; /* errno behind it */
	int64_t elapsed_ns;
};

enum hv_probe_role {
	HV_ROLE_HOST, /* a Hyper-V host: the migration ports */
	HV_ROLE_DC,   /* a domain controller: Kerberos, LDAP, SNTP */
};

struct hv_probe_host {
	char *name;    /* as asked or as AD names it; owned */
	char *ad_fqdn; /* AD's dNSHostName, owned, or NULL */
	enum hv_probe_role role;
	bool cluster; /* also TCP 3343 */
	struct hv_names names;
	struct hv_port_result *ports;
	size_t n_ports;
	struct hv_clock_reading clocks[HV_CLOCK_SOURCES];
};

struct hv_probe_run {
	struct hv_probe_host *hosts;
	size_t n_hosts, cap_hosts;
	uint16_t ports[HV_PROBE_PORTS_MAX]; /* for HV_ROLE_HOST */
	size_t n_ports;
	bool clocks;	     /* read clocks too */
	bool ntp_all;	     /* SNTP to every host, not only DCs */
	int64_t started_ns;  /* wall clock */
	unsigned timeout_ms; /* as run */
};

/* The default port list: 6600 migration, 445 SMB, 135 RPC endpoint
 * mapper, 5985/5986 WinRM. */
void hv_probe_default_ports(struct hv_probe_run *run);
/* Parses "6600,445,135" (1-65535, no repeats, at most
 * HV_PROBE_PORTS_MAX) into run->ports; HV_ERR_USAGE on a bad list. */
int hv_probe_parse_ports(struct hv_probe_run *run, const char *text,
			 struct hv_error *err);
/* Adds a host (name copied; ad_fqdn copied, may be NULL); returns it,
 * borrowed until the next add. A name already added in this role is not
 * added twice: the first is returned. A name added as a host and as a
 * DC is two entries, probed as each. */
struct hv_probe_host *hv_probe_add_host(struct hv_probe_run *run,
					const char *name, const char *ad_fqdn,
					enum hv_probe_role role);
/* Resolves every host, then runs every exchange (ports on every address,
 * clocks on the first) at once. Returns 0 or HV_ERR_USAGE (bad
 * options). */
int hv_probe_execute(struct hv_probe_run *run,
		     const struct hv_xchg_options *opt, struct hv_error *err);
/* The ports probed on a host of this role (DCs: 88 Kerberos, 389 LDAP). */
size_t hv_probe_ports_of(const struct hv_probe_run *run,
			 const struct hv_probe_host *host, uint16_t *out);
/* The reading that stands for the host's clock: the most precise source
 * that read a time (see enum hv_clock_source), or NULL. */
const struct hv_clock_reading *
hv_probe_host_clock(const struct hv_probe_host *host,
		    enum hv_clock_source *out_source);
/* "sntp", "smb2", "rootdse", "winrm". */
const char *hv_clock_source_name(enum hv_clock_source source);
/* Frees everything run owns. */
void hv_probe_run_release(struct hv_probe_run *run);

#endif
