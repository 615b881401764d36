/* What hvdoctor recognised in what the admin gave it: codes, event ids,
 * symbolic names and message fragments matched against the knowledge
 * base, plus the hosts, VMs, phase and progress found in pasted text.
 * Pure: text in, struct out. */
#ifndef HV_SYMPTOMS_H
#define HV_SYMPTOMS_H

#include "knowledge/kb.h"

#include <stdbool.h>
#include <stddef.h>

struct hv_symptom {
	size_t sig;	/* index into kb->sigs */
	char *matched;	/* the text as it appeared, e.g. "-2146893042" */
	char *as;	/* how it was read, e.g. "HRESULT 0x8009030E" */
	unsigned input; /* 1-based argument number */
	unsigned line;	/* 1-based line within that argument */
};

enum hv_host_role { HV_ROLE_UNKNOWN, HV_ROLE_SOURCE, HV_ROLE_DESTINATION };

struct hv_named {
	char *name;
	enum hv_host_role role; /* hosts only */
};

struct hv_symptoms {
	struct hv_symptom *items;
	size_t n, cap;
	char **unknown; /* code-like tokens the knowledge base lacks */
	size_t n_unknown, cap_unknown;
	struct hv_named *hosts;
	size_t n_hosts, cap_hosts;
	struct hv_named *vms;
	size_t n_vms, cap_vms;
	int phase; /* context value of "phase" when has_phase */
	bool has_phase;
	int percent;
	bool has_percent;
};

/* Reads one argument of `hvdoctor explain` (a code, an event id, a name,
 * or whole pasted text) and adds what it finds to out. `input` numbers
 * the argument for the report. Never fails: unknown text is kept in
 * out->unknown when it looks like a code. */
void hv_symptoms_scan(const struct hv_kb *kb, const char *text, unsigned input,
		      struct hv_symptoms *out);
/* True when nothing at all was recognised. */
bool hv_symptoms_empty(const struct hv_symptoms *s);
/* Frees what out owns. */
void hv_symptoms_release(struct hv_symptoms *s);

/* Spellings of one code, for callers that have a code but no text. */
/* Parses an HRESULT in any spelling ("0x8009030E", "8009030E",
 * "-2146893042", "2148074254"); returns true on success. */
bool hv_parse_hresult(const char *text, uint32_t *out);

#endif
