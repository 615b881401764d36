/* Live migrations found in Windows event logs: which events say that a
 * move started, succeeded or failed (Hyper-V VMMS and High-Availability),
 * which are context (failover clustering, Kerberos), the VM, hosts,
 * HRESULT and text each carries, the knowledge base's causes for it (the
 * same recognition as `explain`: the event's signature plus everything
 * its text says), and the moves they add up to, with success rates.
 *
 * Which host logs which event is partly unverified (see kb/signatures.kb
 * and shared/reference/config-model.md section 8); the table in
 * migrations.c says so per event, and a move is only counted as a
 * success or failure on the events the knowledge base trusts. */
#ifndef HV_MIGRATIONS_H
#define HV_MIGRATIONS_H

#include "knowledge/kb.h"
#include "sources/evtx/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hv_mig_role {
	HV_MIG_OTHER,	  /* not about migration */
	HV_MIG_STARTED,	  /* a move began */
	HV_MIG_SUCCEEDED, /* a move finished */
	HV_MIG_SLOW,	  /* finished, with a long blackout: a warning */
	HV_MIG_FAILED,	  /* a move failed */
	HV_MIG_CONTEXT,	  /* evidence around moves: cluster, Kerberos */
};

/* What every Hyper-V provider and channel name starts with. */
#define HV_MIG_HYPERV_PREFIX "Microsoft-Windows-Hyper-V-"

/* The event ids that may matter whatever the provider (those of the
 * knowledge base's event signatures and of the table of roles): bit
 * id of ids (8192 bytes). A record of another id matters only if it
 * comes from a Hyper-V provider: a filter that reads no strings. */
void hv_mig_ids(const struct hv_kb *kb, unsigned char ids[8192]);

/* Whether an event may matter, from its provider, channel and id alone:
 * the filter applied before the event's data is read. */
bool hv_mig_wanted(const struct hv_kb *kb, const char *provider,
		   const char *channel, unsigned event_id);
/* Whether the event comes from a Hyper-V host's migration logs (VMMS or
 * High-Availability): logs with none of these cannot say whether moves
 * fail. */
bool hv_mig_host_log(const char *provider, const char *channel);

struct hv_mig_cause {
	size_t cause; /* index into kb->causes */
	int score;
};

struct hv_mig_event {
	struct hv_evtx_event ev; /* owned */
	enum hv_mig_role role;
	char *vm, *vm_id, *source, *destination; /* NULL when unknown */
	char *message; /* the text the event carries, or NULL */
	uint32_t hresult;
	bool has_hresult;
	size_t *sigs; /* kb->sigs indices recognised, most specific first */
	size_t n_sigs;
	struct hv_mig_cause *causes; /* most likely first */
	size_t n_causes;
	size_t move;	      /* index into hv_mig_report.moves, or SIZE_MAX */
	bool in_window;	      /* selected and within --since/--until: shown */
	bool has_blackout;    /* 20415/20417 logged the blackout time */
	uint32_t blackout_ms; /* milliseconds (the log gives seconds) */
};

/* A blackout at least this long counts as long even when Hyper-V logged
 * 20415 rather than 20417: by then clients' TCP connections start to
 * give up (Windows' default retransmissions span about 21 s). */
#define HV_MIG_LONG_BLACKOUT_MS 20000u

enum hv_mig_outcome {
	HV_MOVE_UNKNOWN,   /* started, no outcome logged */
	HV_MOVE_SUCCEEDED, /* includes slow ones */
	HV_MOVE_FAILED,
};

struct hv_mig_move {
	/* borrowed from the report's events; NULL when unknown */
	const char *vm, *vm_id, *source, *destination;
	const char *host;     /* Computer of its first event */
	uint64_t first, last; /* FILETIMEs of its first and last event */
	enum hv_mig_outcome outcome;
	bool slow;
	bool start_logged; /* a start event belongs to it */
	bool selected;	   /* names the filter's VM or host (or no filter) */
	bool in_window;	   /* selected, and started within --since/--until */
	size_t failure;	   /* the event that failed it, or SIZE_MAX */
	bool has_blackout;
	uint32_t blackout_ms; /* the longest its events logged */
	/* A failed move's causes, ranked by explain's code over everything
	 * the move carries (its events and the context joined to it), most
	 * likely first; owned. `evidence` is false when they rest only on
	 * bare event ids (priors): then they are possible causes, never the
	 * most likely one. */
	struct hv_mig_cause *causes;
	size_t n_causes;
	bool evidence;
};

/* The host a move is counted under: its source, else the host that
 * logged its first event (the same key in text, JSON and Prometheus). */
const char *hv_mig_move_host(const struct hv_mig_move *m);

struct hv_mig_count {
	char *key; /* host, "SOURCE -> DESTINATION", date, signature id or
		      cause id */
	size_t started, succeeded, failed, unknown;
	uint64_t last_failure; /* FILETIME, 0 when none */
};

struct hv_mig_counts {
	struct hv_mig_count *items;
	size_t n, cap;
};

struct hv_mig_summary {
	struct hv_mig_count total; /* key NULL */
	uint64_t first, last;	   /* FILETIMEs of the first and last event */
	struct hv_mig_counts by_host, by_pair, by_day, by_signature, by_cause;
	/* failed moves whose causes rest on no evidence, and their
	 * possible causes (every candidate, counted per move) */
	size_t failed_without_evidence;
	struct hv_mig_counts possible;
	bool has_split; /* before/after the --since time */
	struct hv_mig_count before, after;
};

/* What to keep (all optional). Times are FILETIMEs, 0 = no bound. */
struct hv_mig_filter {
	uint64_t since, until;
	const char *vm;	  /* name or id, ASCII case ignored */
	const char *host; /* Computer, source or destination; short or FQDN */
};

struct hv_mig_report {
	struct hv_mig_event *events; /* in time order, in_window or not */
	size_t n, cap;
	struct hv_mig_move *moves;
	size_t n_moves, cap_moves;
	struct hv_mig_summary summary;
	size_t host_log_events; /* events from VMMS/HA logs, kept or not */
	size_t slow;		/* moves with a long blackout (20417, or
				 * HV_MIG_LONG_BLACKOUT_MS and more) */
};

/* Analyses events (taken over: each is emptied) into out. Events are
 * joined into moves first; then a move is selected when it names the
 * filter's VM or host, and an event when its move is selected (or, for
 * context outside any move, when it names them). Events and moves
 * outside the time window stay in the report, marked, for the
 * before/after split; only those in the window are shown and counted. */
void hv_mig_analyse(const struct hv_kb *kb, struct hv_evtx_event *events,
		    size_t n, const struct hv_mig_filter *filter,
		    struct hv_mig_report *out);
void hv_mig_report_release(struct hv_mig_report *r);

/* Milliseconds as seconds, "37", "25.5" or "0.125"; buf of 32 bytes. */
const char *hv_mig_seconds(uint64_t ms, char *buf);
/* Name of a role ("started", "failed", ...) and of an outcome. */
const char *hv_mig_role_name(enum hv_mig_role role);
const char *hv_mig_outcome_name(enum hv_mig_outcome outcome);

#endif
