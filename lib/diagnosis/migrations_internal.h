/* Shared by migrations.c and migration_moves.c only. */
#ifndef HV_MIGRATIONS_INTERNAL_H
#define HV_MIGRATIONS_INTERNAL_H

#include "diagnosis/migrations.h"

/* Reads what e->ev says (role, names, code, signatures, causes); false
 * when it says nothing about migrations. */
bool hv_mig_event_read(const struct hv_kb *kb, struct hv_mig_event *e);
/* Frees what e owns (its event too). */
void hv_mig_event_release(struct hv_mig_event *e);

/* Fills r->summary from the events and moves (migration_summary.c). */
void hv_mig_summarise(const struct hv_kb *kb, const struct hv_mig_filter *f,
		      struct hv_mig_report *r);

#endif
