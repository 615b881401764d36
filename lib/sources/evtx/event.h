/* One event as plain facts: the System fields a diagnosis needs, the
 * event data as name/value text, and where it came from (file index,
 * record id, offset), so every finding can show its evidence. */
#ifndef HV_EVTX_EVENT_H
#define HV_EVTX_EVENT_H

#include "sources/evtx/evtx.h"

struct hv_evtx_event {
	size_t file;	    /* index of the input file */
	uint64_t record_id; /* EventRecordID (the header's when absent) */
	uint64_t offset;    /* absolute offset of the record */
	uint64_t time;	    /* FILETIME the event was created */
	unsigned event_id;  /* low 16 bits: qualifiers are not part of it */
	unsigned level;
	char *provider, *channel, *computer; /* "" when absent */
	struct hv_evtx_data data;
};

/* Reads rec into out (caller releases with hv_evtx_event_release()). */
void hv_evtx_event_read(const struct hv_evtx_record *rec, size_t file,
			struct hv_evtx_event *out);
void hv_evtx_event_release(struct hv_evtx_event *ev);

#endif
