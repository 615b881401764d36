/* What one record may cost, and what happens when it costs more: the
 * record is cut, said in the output and reported with its offset, so a
 * crafted log (a template that repeats one long value thousands of
 * times) costs time and memory in proportion to its size, and a record
 * that is cut never passes for a whole one. */
#include "sources/evtx/evtx_internal.h"

#include <stdarg.h>
#include <stdio.h>

size_t hv_evtx_record_budget(uint32_t record_size)
{
	size_t budget = 4096u + 64u * (size_t)record_size;

	return budget < HV_EVTX_RENDER_LIMIT ? budget : HV_EVTX_RENDER_LIMIT;
}

void hv_evtx_record_problem(const struct hv_evtx_record *rec,
			    enum hv_evtx_problem_kind kind, const char *fmt,
			    ...)
{
	char text[sizeof(((struct hv_evtx_problem *)0)->text)];
	va_list ap;

	if (!rec->reader || !rec->reader->problems)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	hv_evtx_problem_add(rec->reader->problems, kind, rec->offset, true,
			    "%s", text);
}

void hv_evtx_render_cut(const struct hv_evtx_record *rec, bool xml,
			struct hv_strbuf *out, size_t start)
{
	size_t budget = hv_evtx_record_budget(rec->size);
	char what[160];

	if (out->buf && start < out->len) {
		out->len = start;
		out->buf[start] = '\0';
	}
	/* the record's number and offset only, nothing of its content:
	 * no escaping needed in either form */
	snprintf(what, sizeof(what),
		 "record %llu at offset %llu not shown: it renders to more "
		 "than %zu bytes",
		 (unsigned long long)rec->id, (unsigned long long)rec->offset,
		 budget);
	if (xml)
		hv_strbuf_addf(out, "<Event><!-- %s --></Event>\n", what);
	else
		hv_strbuf_addf(out, "{\"Event\":{\"#cut\":\"%s\"}}\n", what);
	hv_evtx_record_problem(rec, HV_EVTX_P_RENDER_LIMIT,
			       "record %llu renders to more than %zu bytes "
			       "(%u bytes in the file): not shown",
			       (unsigned long long)rec->id, budget, rec->size);
}
