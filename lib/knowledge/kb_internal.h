/* Shared between the knowledge-base reader and its container code. */
#ifndef HV_KB_INTERNAL_H
#define HV_KB_INTERNAL_H

#include "knowledge/kb.h"

/* Frees the strings of one record and zeroes it. */
void hv_kb_cause_free(struct hv_cause *cause);
void hv_kb_signature_free(struct hv_signature *sig);

#endif
