#include "base/error.h"

#include <stdio.h>
#include <string.h>

void hv_error_clear(struct hv_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

int hv_error_set(struct hv_error *err, enum hv_err_category category,
		 const char *where, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return category;
	hv_error_clear(err);
	err->category = category;
	if (where)
		snprintf(err->where, sizeof(err->where), "%s", where);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return category;
}

void hv_error_native(struct hv_error *err, const char *library, int code,
		     const char *text)
{
	if (!err)
		return;
	err->library = library;
	err->native_code = code;
	snprintf(err->native_text, sizeof(err->native_text), "%s",
		 text ? text : "");
}

void hv_error_format(const struct hv_error *err, char *out, unsigned size)
{
	int n = 0;

	if (!size)
		return;
	out[0] = '\0';
	if (err->where[0])
		n = snprintf(out, size, "%s: ", err->where);
	if (n < 0 || (unsigned)n >= size)
		return;
	n += snprintf(out + n, size - (unsigned)n, "%s", err->message);
	if (n < 0 || (unsigned)n >= size || !err->library)
		return;
	if (err->native_text[0])
		snprintf(out + n, size - (unsigned)n, " (%s %d: %s)",
			 err->library, err->native_code, err->native_text);
	else
		snprintf(out + n, size - (unsigned)n, " (%s %d)", err->library,
			 err->native_code);
}

const char *hv_error_category_name(enum hv_err_category category)
{
	switch (category) {
	case HV_OK:
		return "ok";
	case HV_ERR_INPUT:
		return "input";
	case HV_ERR_USAGE:
		return "usage";
	case HV_ERR_DIRECTORY:
		return "directory";
	case HV_ERR_CREDENTIALS:
		return "credentials";
	case HV_ERR_NETWORK:
		return "network";
	case HV_ERR_IO:
		return "io";
	case HV_ERR_UNEXPECTED:
		return "unexpected";
	}
	return "unexpected";
}
