/* Shared by migrations.c and migration_moves.c only. */
#ifndef HV_MIGRATIONS_INTERNAL_H
#define HV_MIGRATIONS_INTERNAL_H

#include "diagnosis/migrations.h"

#include "base/strbuf.h"

/* Reads what e->ev says (role, names, code, signatures, causes); false
 * when it says nothing about migrations. */
bool hv_mig_event_read(const struct hv_kb *kb, struct hv_mig_event *e);
/* How much of one event value is scanned for codes and signatures:
 * Windows' limit for one event string is 31,839 characters. */
#define HV_MIG_SCAN_PREFIX 32768

/* How many of the latest moves an event is compared with, at most:
 * keeps the joining linear on a crafted log of many moves in one
 * window (a real cluster moves far fewer VMs within hours). */
#define HV_MIG_LOOK_BACK_MOVES 1024

/* The HRESULT the event data carries, in any form Windows writes one
 * (migration_hresult.c); false when none. */
bool hv_mig_find_hresult(const struct hv_kb *kb, const struct hv_evtx_data *d,
			 uint32_t *out);

/* The text explain would be given for e (migrations.c). */
void hv_mig_paste_text(const struct hv_kb *kb, const struct hv_mig_event *e,
		       struct hv_strbuf *out);
/* "hv01" is "HV01.corp.example.com": compared by first label when
 * either is short (migration_moves.c). */
bool hv_mig_same_host(const char *a, const char *b);

/* Joins context events (Kerberos, cluster) to the failed move they
 * speak of, then ranks each failed move's causes over all its events
 * (migration_causes.c). */
void hv_mig_join_context(struct hv_mig_report *r);
void hv_mig_rank_moves(const struct hv_kb *kb, struct hv_mig_report *r);

/* Frees what e owns (its event too). */
void hv_mig_event_release(struct hv_mig_event *e);

/* Fills r->summary from the events and moves (migration_summary.c). */
void hv_mig_summarise(const struct hv_kb *kb, const struct hv_mig_filter *f,
		      struct hv_mig_report *r);

#endif
