/* Shared by the two files of the scanner (symptoms.c reads codes and
 * messages, text_facts.c the facts around them). Only lib/diagnosis/
 * includes it. */
#ifndef HV_SYMPTOMS_INTERNAL_H
#define HV_SYMPTOMS_INTERNAL_H

#include "diagnosis/symptoms.h"

/* Pasted text folded for matching: `text` with every blank run made one
 * space, `lower` the same with ASCII letters in lower case (same length,
 * same offsets), and for each byte the line it came from. */
struct hv_folded {
	const char *text, *lower;
	size_t len;
	const unsigned *line;
};

/* Reads hosts, VMs and context facts (phase, percent, clustered,
 * storage, initiated, os) from folded text; a fact already known is
 * kept. Phrases are looked for in f->lower, names copied from f->text. */
void hv_text_facts(struct hv_symptoms *out, const struct hv_folded *f);

#endif
