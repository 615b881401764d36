/* The --domains file: which hosts must be able to migrate to which.
 *   # comment
 *   cluster1: HV01 HV02 HV03
 *   HV10, HV11
 * One group per line: an optional "NAME:" then host names separated by
 * spaces or commas. Errors name file:line. */
#ifndef HV_DOMAINS_FILE_H
#define HV_DOMAINS_FILE_H

#include "estate/estate.h"
#include "base/error.h"

/* Parses text (named `name` in errors) into new groups appended to sel. */
int hv_domains_parse(const char *name, const char *text, size_t len,
		     struct hv_selection *sel, struct hv_error *err);

#endif
