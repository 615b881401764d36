#include "estate/domains_file.h"

#include "base/alloc.h"
#include "base/strbuf.h"

#include <stdio.h>
#include <string.h>

#define MAX_NAME 255

static int fail(struct hv_error *err, const char *file, unsigned line,
		const char *msg)
{
	char where[300];

	snprintf(where, sizeof(where), "%s:%u", file, line);
	return hv_error_set(err, HV_ERR_INPUT, where, "%s", msg);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '$';
}

/* Splits one line's host list into group g. */
static int take_hosts(struct hv_host_group *g, const char *s, size_t len,
		      const char *file, unsigned line, struct hv_error *err)
{
	size_t i = 0, cap = 0;

	while (i < len) {
		size_t n = 0;

		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == ','))
			i++;
		while (i + n < len && name_char(s[i + n]))
			n++;
		if (i < len && n == 0)
			return fail(err, file, line,
				    "a host name has only letters, digits, "
				    "'-', '.', '_' and '$'");
		if (n > MAX_NAME)
			return fail(err, file, line, "host name too long");
		if (n) {
			HV_GROW(g->hosts, g->n_hosts, cap);
			g->hosts[g->n_hosts++] = hv_strndup(s + i, n);
		}
		i += n;
	}
	return g->n_hosts ? 0 : fail(err, file, line, "a group names no hosts");
}

static int take_line(struct hv_selection *sel, const char *s, size_t len,
		     const char *file, unsigned line, struct hv_error *err)
{
	const char *colon = memchr(s, ':', len);
	struct hv_host_group g = {NULL, NULL, 0};
	struct hv_strbuf name = HV_STRBUF_INIT;
	int rc;

	if (colon) {
		size_t n = (size_t)(colon - s);

		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0 || n > MAX_NAME)
			return fail(err, file, line,
				    "empty or overlong group "
				    "name before ':'");
		hv_strbuf_add(&name, s, n);
		len -= (size_t)(colon + 1 - s);
		s = colon + 1;
	} else {
		hv_strbuf_addf(&name, "%s:%u", file, line);
	}
	g.name = hv_strbuf_detach(&name);
	rc = take_hosts(&g, s, len, file, line, err);
	sel->groups = hv_reallocarray(sel->groups, sel->n_groups + 1,
				      sizeof(*sel->groups));
	sel->groups[sel->n_groups++] = g;
	return rc;
}

int hv_domains_parse(const char *name, const char *text, size_t len,
		     struct hv_selection *sel, struct hv_error *err)
{
	unsigned line = 0;
	size_t pos = 0;

	if (memchr(text, '\0', len))
		return fail(err, name, 1, "file contains a NUL byte");
	/* Notepad's UTF-8 byte order mark is not a host name */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *s = text + pos;
		size_t lead = 0;
		int rc = 0;

		line++;
		pos += n + (nl ? 1 : 0);
		if (n && s[n - 1] == '\r')
			n--;
		while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
			lead++;
		if (lead < n && s[lead] != '#')
			rc = take_line(sel, s + lead, n - lead, name, line,
				       err);
		if (rc < 0)
			return rc;
	}
	if (!sel->n_groups)
		return fail(err, name, line ? line : 1, "no groups in file");
	sel->grouping = HV_GROUP_LISTS;
	return 0;
}
