/* What to run when an export lacks attributes hvdoctor reads: the exact
 * ldapsearch and ldifde command lines that export all of them, for the
 * naming context the entries came from. */
#ifndef HV_EXPORT_HINT_H
#define HV_EXPORT_HINT_H

#include "base/strbuf.h"
#include "estate/estate.h"

/* Appends the names of the attributes in `missing` (HV_ATTR_BITs),
 * comma-separated. */
void hv_attr_names(struct hv_strbuf *out, unsigned missing);
/* Appends the two command lines, each indented by `indent` spaces and
 * wrapped to 80 columns with the shell's (and cmd's) continuation. */
void hv_export_hint(struct hv_strbuf *out, const struct hv_estate *est,
		    int indent);

#endif
