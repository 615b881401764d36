#include "sources/evtx/event.h"

#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>

static char *field(const struct hv_evtx_record *rec, enum hv_evtx_field f)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	hv_evtx_field_text(rec, f, &sb);
	hv_strbuf_addch(&sb, '\0'); /* "" rather than NULL when absent */
	sb.len--;
	return hv_strbuf_detach(&sb);
}

void hv_evtx_event_read(const struct hv_evtx_record *rec, size_t file,
			struct hv_evtx_event *out)
{
	uint64_t v;

	memset(out, 0, sizeof(*out));
	out->file = file;
	out->offset = rec->offset;
	out->time = hv_evtx_record_time(rec);
	out->record_id =
		hv_evtx_field_uint(rec, HV_EVTX_F_RECORD_ID, &v) ? v : rec->id;
	/* [MS-EVEN6] and the provider manifests: an id may carry
	 * qualifier bits above the low 16 */
	if (hv_evtx_field_uint(rec, HV_EVTX_F_EVENT_ID, &v))
		out->event_id = (unsigned)(v & 0xffff);
	if (hv_evtx_field_uint(rec, HV_EVTX_F_LEVEL, &v))
		out->level = (unsigned)v;
	out->provider = field(rec, HV_EVTX_F_PROVIDER);
	out->channel = field(rec, HV_EVTX_F_CHANNEL);
	out->computer = field(rec, HV_EVTX_F_COMPUTER);
	hv_evtx_record_data(rec, &out->data);
}

void hv_evtx_event_release(struct hv_evtx_event *ev)
{
	free(ev->provider);
	free(ev->channel);
	free(ev->computer);
	hv_evtx_data_release(&ev->data);
	memset(ev, 0, sizeof(*ev));
}
