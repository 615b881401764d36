/* What the probe's observations mean: each port state, clock offset and
 * name mapped to a cause id of the knowledge base (kb/causes.kb) and a
 * level, or to "not checked" with the input that would check it. Pure:
 * probe results in, verdicts out. (A judgement, kept beside the probe
 * until it moves to checks/ with the estate's other pairwise facts.)
 *
 * Clock thresholds: Kerberos refuses at MaxClockSkew, 300 s by default
 * (RFC 4120 1.7 and Microsoft's "Maximum tolerance for computer clock
 * synchronization"): an error. A fifth of it, 60 s, is the warning: far
 * beyond what W32Time keeps a domain member to, and early enough to fix
 * before tickets fail (reference causes.tsv: "warn well before, e.g.
 * > 60 s"). */
#ifndef HV_PROBE_VERDICT_H
#define HV_PROBE_VERDICT_H

#include "sources/probe.h"

#include <stddef.h>
#include <stdint.h>

#define HV_SKEW_ERROR_NS (300 * HV_NS_PER_SEC)
#define HV_SKEW_WARNING_NS (60 * HV_NS_PER_SEC)

enum hv_level {
	HV_LEVEL_OK,
	HV_LEVEL_INFO,
	HV_LEVEL_WARNING,
	HV_LEVEL_ERROR,
	HV_LEVEL_UNCHECKED, /* could not tell: check_with says how */
};

enum hv_topic { HV_TOPIC_PORT, HV_TOPIC_CLOCK, HV_TOPIC_NAME };

struct hv_probe_verdict {
	size_t host;  /* index into run->hosts */
	size_t other; /* clock spread: the other host; else == host */
	enum hv_topic topic;
	uint16_t port; /* HV_TOPIC_PORT */
	enum hv_level level;
	const char *cause; /* static cause id; NULL when unchecked */
	const char *code;  /* static HRESULT the admin sees, or NULL */
	char *message;	   /* owned: one sentence */
	char *check_with;  /* owned or NULL: what would check it */
	/* static or NULL: said instead of the cause's title when the
	 * title says more than holds (a clock 120 s off approaches the
	 * limit; it does not pass it) */
	const char *headline;
};

struct hv_probe_verdicts {
	struct hv_probe_verdict *items;
	size_t n, cap;
	long reference;		   /* host whose clock is the reference, or -1:
				    * this machine's clock */
	int64_t reference_ns;	   /* its offset from this machine */
	long spread_hi, spread_lo; /* hosts with the largest and smallest
				    * clock, or -1 when fewer than two */
	int64_t spread_ns;
};

/* Judges every host of run into out (emptied first). */
void hv_probe_judge(const struct hv_probe_run *run,
		    struct hv_probe_verdicts *out);
/* The level of a clock offset from the reference. */
enum hv_level hv_probe_skew_level(int64_t skew_ns);
/* Counts verdicts of a level. */
size_t hv_probe_verdicts_count(const struct hv_probe_verdicts *v,
			       enum hv_level level);
/* "ok", "info", "warning", "error", "not-checked". */
const char *hv_level_name(enum hv_level level);
/* Frees what out owns. */
void hv_probe_verdicts_release(struct hv_probe_verdicts *v);

#endif
