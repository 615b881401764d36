/* Shared by the two files of the scanner (symptoms.c reads codes and
 * messages, text_facts.c the facts around them). Only lib/diagnosis/
 * includes it. */
#ifndef HV_SYMPTOMS_INTERNAL_H
#define HV_SYMPTOMS_INTERNAL_H

#include "diagnosis/symptoms.h"

/* First case-insensitive (ASCII) occurrence of needle in hay, or NULL. */
const char *hv_find_ci(const char *hay, const char *needle);
/* Reads hosts, VMs and context facts (phase, percent, clustered,
 * storage, os) from pasted text whose blank runs are folded to one
 * space; a fact already known is kept. */
void hv_text_facts(struct hv_symptoms *out, const char *folded);

#endif
