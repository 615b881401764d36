/* The knowledge base: signatures (what an admin sees) and causes (what is
 * really wrong), read from the text format documented in kb/README.md.
 * The built-in copy is compiled from kb/NAME.kb; `--kb DIR` adds or replaces
 * records by id. A loaded kb is immutable and owns all its strings. */
#ifndef HV_KB_H
#define HV_KB_H

#include "knowledge/context.h"
#include "base/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hv_severity { HV_SEV_INFO, HV_SEV_WARNING, HV_SEV_ERROR };

enum hv_sig_kind {
	HV_SIG_HRESULT,
	HV_SIG_WIN32,
	HV_SIG_KERBEROS,
	HV_SIG_EVENT,
	HV_SIG_MESSAGE
};

#define HV_RULE_MAX_CONDITIONS 4

struct hv_rule {
	struct hv_ctx_condition cond[HV_RULE_MAX_CONDITIONS];
	size_t n_cond;
	int score; /* 0 when out */
	bool out;  /* "out": the facts rule the cause out altogether */
	char *reason;
};

/* One way hvdoctor checks a cause: a line of `checked-by`. The command
 * is data so that a renderer can advise it only when the binary has it
 * (a knowledge base may name a command that is still being built). */
struct hv_cause_check {
	char *command; /* "audit": the word after "hvdoctor" */
	char *text;    /* the whole line(s): "hvdoctor audit --ldap URI" */
};

struct hv_cause {
	char *id, *title, *explain, *confirm, *fix, *verify, *checked_by;
	char *source;
	enum hv_severity severity;
	struct hv_rule *rules;
	size_t n_rules;
	struct hv_cause_check *checks; /* from checked-by; none when "none" */
	size_t n_checks;
	char *origin; /* "causes.kb:12" */
};

struct hv_signature {
	char *id;
	enum hv_sig_kind kind;
	uint32_t code;	/* hresult, win32 or kerberos code */
	unsigned event; /* event id for HV_SIG_EVENT */
	char *channel;
	char **names;
	size_t n_names;
	char **fragments;
	char **folded; /* each fragment folded (hv_kb_fold) once at load,
			* for the scanner */
	size_t n_fragments;
	char *meaning, *phase, *note, *status;
	char *source;  /* where the facts come from (kb/README.md) */
	char *outside; /* where the cause lies when it is outside what
			* hvdoctor diagnoses (causes: none); else NULL */
	/* events only: the sentence Windows shows for the event, with
	 * {vm}, {vm_id}, {source}, {destination}, {blackout} for what the
	 * event data say (kb/README.md); NULL when not known */
	char *message;
	bool container; /* wraps any failure of its phase: context and a
			 * prior, never evidence (kb/README.md) */
	char **cause_ids;
	size_t n_causes;     /* most likely first */
	size_t *cause_index; /* into hv_kb.causes, filled by validation */
	double info; /* ln(C/k)/ln(C): how much naming k of C causes says,
		      * 1 for one cause; filled by validation */
	char *origin;
};

struct hv_kb {
	struct hv_cause *causes;
	size_t n_causes, cap_causes;
	struct hv_signature *sigs;
	size_t n_sigs, cap_sigs;
};

/* Parses one file's text (name is used in errors) into kb, replacing
 * records with the same id. Does not resolve references: call
 * hv_kb_validate() after the last file. */
int hv_kb_parse(struct hv_kb *kb, const char *name, const char *text,
		size_t len, struct hv_error *err);
/* Reads every DIR/ *.kb file in name order into kb (see hv_kb_parse). */
int hv_kb_load_dir(struct hv_kb *kb, const char *dir, struct hv_error *err);
/* Checks references and required relations; fills cause_index. */
int hv_kb_validate(struct hv_kb *kb, struct hv_error *err);
/* Loads the built-in knowledge base, then (if dir is not NULL) a
 * directory on top of it, and validates the result. */
int hv_kb_load(struct hv_kb *kb, const char *dir, struct hv_error *err);
/* Frees everything kb owns. */
void hv_kb_release(struct hv_kb *kb);

/* Folds text as fragments and pasted text are compared: blank runs
 * (space, tab, CR, LF) become one space, leading and trailing blanks go,
 * ASCII letters become lower case. Caller frees. */
char *hv_kb_fold(const char *text);

/* Lookups; results are borrowed from kb. NULL when absent. */
const struct hv_cause *hv_kb_cause(const struct hv_kb *kb, const char *id);
/* Index of a cause id, or -1. */
long hv_kb_cause_index(const struct hv_kb *kb, const char *id);

const char *hv_severity_name(enum hv_severity severity);
const char *hv_sig_kind_name(enum hv_sig_kind kind);

#endif
