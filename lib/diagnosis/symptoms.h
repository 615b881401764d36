/* What hvdoctor recognised in what the admin gave it: codes, event ids,
 * symbolic names and message fragments matched against the knowledge
 * base, plus the hosts, VMs and facts (phase, progress, cluster) found in
 * pasted text. Pure: text in, struct out. */
#ifndef HV_SYMPTOMS_H
#define HV_SYMPTOMS_H

#include "knowledge/kb.h"

#include <stdbool.h>
#include <stddef.h>

/* How a signature was matched, weakest first: what was matched, not the
 * kind of record, says how specific the evidence is. A message text
 * quoted inside an event record is a text match; "Event ID: 21502" is a
 * bare event id. */
enum hv_match {
	HV_MATCH_EVENT_ID, /* an event id alone */
	HV_MATCH_TEXT,	   /* an exact fragment of a message */
	HV_MATCH_CODE,	   /* an HRESULT, Win32, Kerberos code or its name */
};

struct hv_symptom {
	size_t sig;	   /* index into kb->sigs */
	char *matched;	   /* the text as it appeared, e.g. "-2146893042" */
	char *as;	   /* how it was read, e.g. "HRESULT 0x8009030E" */
	enum hv_match how; /* the strongest way it was matched */
	unsigned input;	   /* 1-based argument number */
	unsigned line;	   /* 1-based line within that argument */
};

enum hv_host_role { HV_ROLE_UNKNOWN, HV_ROLE_SOURCE, HV_ROLE_DESTINATION };

struct hv_named {
	char *name;
	enum hv_host_role role; /* hosts only */
};

/* A fact read from the text, in the terms of `explain --context`. */
struct hv_text_fact {
	int value;
	bool known;
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
	struct hv_text_fact fact[HV_CTX_COUNT]; /* phase, percent, ... */
	unsigned inputs;      /* arguments that were not blank */
	unsigned text_inputs; /* arguments that were text of several words */
	bool text_read;	      /* a message fragment matched in such text */
};

/* Reads one argument of `hvdoctor explain` (a code, an event id, a name,
 * or whole pasted text) and adds what it finds to out. `input` numbers
 * the argument for the report. Never fails: unknown text is kept in
 * out->unknown when it looks like a code. Linear in the text times the
 * number of fragments (each fragment is tried where its first byte is). */
void hv_symptoms_scan(const struct hv_kb *kb, const char *text, unsigned input,
		      struct hv_symptoms *out);
/* True when nothing at all was recognised. */
bool hv_symptoms_empty(const struct hv_symptoms *s);
/* True when the admin gave something to read (a code, an id or text),
 * recognised or not: then only what was recognised in it may name a
 * cause, never the context alone (issue 23). */
bool hv_symptoms_given(const struct hv_symptoms *s);
/* True when text of several words was given, codes or ids in it were
 * recognised, but none of its wording: say so (another language, or a
 * message the knowledge base does not have). */
bool hv_symptoms_words_unread(const struct hv_symptoms *s);
/* Frees what out owns. */
void hv_symptoms_release(struct hv_symptoms *s);

/* The one rule for "these 8 hex digits are an HRESULT": exactly 8 hex
 * digits with the severity bit set (first digit 8, or C for a customer or
 * NTSTATUS-style failure), so "80070005" is hex while "12345678" is a
 * decimal number and a GUID part such as "6066F867" is no code. Writes
 * the value to out. */
bool hv_hresult_word(const char *s, size_t len, uint32_t *out);
/* Parses an HRESULT in any spelling ("0x8009030E", "8009030E",
 * "-2146893042", "2148074254"); returns true on success. */
bool hv_parse_hresult(const char *text, uint32_t *out);

/* "source" or "destination"; NULL when the role is unknown. Static. */
const char *hv_host_role_name(enum hv_host_role role);

#endif
