#include "checks/findings.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct hv_finding *hv_findings_add(struct hv_findings *list, const char *cause,
				   enum hv_severity severity, const char *check,
				   const char *source, const char *fmt, ...)
{
	struct hv_strbuf msg = HV_STRBUF_INIT;
	struct hv_finding *f;
	va_list ap;

	HV_GROW(list->items, list->n, list->cap);
	f = &list->items[list->n++];
	memset(f, 0, sizeof(*f));
	f->cause = cause;
	f->severity = severity;
	f->check = check;
	f->source = hv_strdup(source);
	va_start(ap, fmt);
	hv_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	f->message = hv_strbuf_detach(&msg);
	return f;
}

void hv_finding_evidence(struct hv_finding *f, const char *dn, const char *attr,
			 const char *value, enum hv_ev_state state,
			 const char *origin)
{
	if (f->n_ev >= HV_EVIDENCE_MAX) {
		f->ev_omitted++;
		return;
	}
	HV_GROW(f->ev, f->n_ev, f->cap_ev);
	f->ev[f->n_ev++] =
		(struct hv_evidence){dn, attr, hv_strdup(value), state, origin};
}

static void set_fix(struct hv_finding *f, bool command, const char *fmt,
		    va_list ap) __attribute__((format(printf, 3, 0)));

static void set_fix(struct hv_finding *f, bool command, const char *fmt,
		    va_list ap)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;

	hv_strbuf_vaddf(&sb, fmt, ap);
	free(f->fix);
	f->fix = hv_strbuf_detach(&sb);
	f->fix_is_command = command;
}

void hv_finding_fix(struct hv_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_fix(f, false, fmt, ap);
	va_end(ap);
}

void hv_finding_command(struct hv_finding *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_fix(f, true, fmt, ap);
	va_end(ap);
}

void hv_findings_sort(struct hv_findings *list)
{
	struct hv_finding *sorted;
	size_t n = 0;

	if (list->n < 2)
		return;
	/* three stable passes: linear, and the checks' order is kept */
	sorted = hv_calloc(list->n, sizeof(*sorted));
	for (int sev = HV_SEV_ERROR; sev >= HV_SEV_INFO; sev--)
		for (size_t i = 0; i < list->n; i++)
			if ((int)list->items[i].severity == sev)
				sorted[n++] = list->items[i];
	free(list->items);
	list->items = sorted;
	list->cap = list->n;
}

size_t hv_findings_count(const struct hv_findings *list,
			 enum hv_severity severity)
{
	size_t n = 0;

	for (size_t i = 0; i < list->n; i++)
		n += list->items[i].severity == severity;
	return n;
}

bool hv_findings_incomplete(const struct hv_findings *list)
{
	for (size_t i = 0; i < list->n_unchecked; i++)
		if (list->unchecked[i].essential)
			return true;
	return false;
}

void hv_findings_release(struct hv_findings *list)
{
	for (size_t i = 0; i < list->n; i++) {
		struct hv_finding *f = &list->items[i];

		for (size_t e = 0; e < f->n_ev; e++)
			free(f->ev[e].value);
		free(f->ev);
		free(f->source);
		free(f->target);
		free(f->message);
		free(f->fix);
	}
	free(list->items);
	for (size_t i = 0; i < list->n_unchecked; i++)
		free(list->unchecked[i].detail);
	free(list->unchecked);
	memset(list, 0, sizeof(*list));
}

void hv_findings_unchecked(struct hv_findings *list, const char *check,
			   bool essential, const char *fmt, ...)
{
	struct hv_strbuf sb = HV_STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	hv_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	HV_GROW(list->unchecked, list->n_unchecked, list->cap_unchecked);
	list->unchecked[list->n_unchecked++] = (struct hv_unchecked){
		check, 0, essential, hv_strbuf_detach(&sb)};
}
