#include "base/strbuf.h"

#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void grow(struct hv_strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->alloc)
		return;
	size_t alloc = sb->alloc ? sb->alloc : 64;
	while (alloc < need)
		alloc *= 2;
	sb->buf = hv_reallocarray(sb->buf, alloc, 1);
	sb->alloc = alloc;
}

/* How much of len bytes may still be added under the limit. */
static size_t room(struct hv_strbuf *sb, size_t len)
{
	if (sb->limit && len > sb->limit - sb->len) {
		sb->capped = true;
		return sb->limit - sb->len;
	}
	return len;
}

void hv_strbuf_add(struct hv_strbuf *sb, const void *data, size_t len)
{
	len = room(sb, len);
	grow(sb, len);
	if (len)
		memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void hv_strbuf_adds(struct hv_strbuf *sb, const char *s)
{
	hv_strbuf_add(sb, s, strlen(s));
}

void hv_strbuf_addch(struct hv_strbuf *sb, char c)
{
	hv_strbuf_add(sb, &c, 1);
}

void hv_strbuf_vaddf(struct hv_strbuf *sb, const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		return;
	grow(sb, (size_t)n);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += room(sb, (size_t)n);
	sb->buf[sb->len] = '\0';
}

void hv_strbuf_addf(struct hv_strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

const char *hv_strbuf_str(const struct hv_strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

void hv_strbuf_reset(struct hv_strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *hv_strbuf_detach(struct hv_strbuf *sb)
{
	char *s = sb->buf ? sb->buf : hv_strdup("");

	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return s;
}

void hv_strbuf_release(struct hv_strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}
