/* Findings: what a check concluded, with the evidence an admin can look
 * up (DN, attribute, value, where it was read) and a one-line fix. The
 * cause id ties each finding to the knowledge base. */
#ifndef HV_FINDINGS_H
#define HV_FINDINGS_H

#include "knowledge/kb.h"

#include <stdbool.h>
#include <stddef.h>

/* How many evidence items a finding keeps; the rest are only counted, so
 * a 10,000-host estate with no delegation stays linear in memory. */
#define HV_EVIDENCE_MAX 32

enum hv_ev_state { HV_EV_MISSING, HV_EV_PRESENT };

/* dn, attr and origin are borrowed from the directory (or static): the
 * directory must outlive the findings, as it does in every command. Only
 * the value is owned, since checks often build it. */
struct hv_evidence {
	const char *dn;	  /* the object */
	const char *attr; /* the attribute */
	char *value;	  /* the exact value missing or present */
	enum hv_ev_state state;
	const char *origin; /* "estate.ldif:40" or the LDAP URI */
};

struct hv_finding {
	const char *cause; /* a cause id (static string) */
	enum hv_severity severity;
	const char *check;   /* the check that made it (static) */
	char *source;	     /* host or account the finding is about */
	char *target;	     /* the first targets, "HV02, HV03", or NULL */
	size_t n_targets;    /* how many targets it covers in all */
	char *message;	     /* one sentence */
	char *fix;	     /* one line */
	bool fix_is_command; /* fix is one command to paste, not prose */
	struct hv_evidence *ev;
	size_t n_ev, cap_ev;
	size_t ev_omitted; /* evidence items beyond HV_EVIDENCE_MAX */
};

/* A check that could not judge: the input lacked what it reads. */
struct hv_unchecked {
	const char *check; /* static check name */
	unsigned missing;  /* HV_ATTR_BITs (estate/estate.h) it needed */
	bool essential;	   /* a verdict on migrations depends on it */
	char *detail;	   /* owned: what else it lacked, or NULL */
};

struct hv_findings {
	struct hv_finding *items;
	size_t n, cap;
	struct hv_unchecked *unchecked;
	size_t n_unchecked, cap_unchecked;
};

/* Appends a finding and returns it (borrowed until the next append);
 * message is printf-formatted. */
struct hv_finding *hv_findings_add(struct hv_findings *list, const char *cause,
				   enum hv_severity severity, const char *check,
				   const char *source, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Adds an evidence item (value copied; dn, attr and origin borrowed), or
 * counts it when the cap is reached. */
void hv_finding_evidence(struct hv_finding *f, const char *dn, const char *attr,
			 const char *value, enum hv_ev_state state,
			 const char *origin);
/* Sets the one-line fix (printf-formatted). */
void hv_finding_fix(struct hv_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets the fix to one command line (printf-formatted): renderers keep it
 * runnable when they wrap it. */
void hv_finding_command(struct hv_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Records that check could not judge for a reason other than missing
 * attributes (detail is printf-formatted; it may hold AD text). */
void hv_findings_unchecked(struct hv_findings *list, const char *check,
			   bool essential, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sorts errors first, then warnings, then info; stable within. */
void hv_findings_sort(struct hv_findings *list);
/* Counts findings of a severity. */
size_t hv_findings_count(const struct hv_findings *list,
			 enum hv_severity severity);
/* True when an essential check could not judge: the result is
 * incomplete and must never read as "no problems". */
bool hv_findings_incomplete(const struct hv_findings *list);
/* Frees everything. */
void hv_findings_release(struct hv_findings *list);

#endif
