#include "base/cursor.h"

void hv_cursor_init(struct hv_cursor *cur, const void *data, size_t len,
		    size_t base)
{
	cur->data = data;
	cur->len = data ? len : 0;
	cur->pos = 0;
	cur->base = base;
	cur->failed = false;
	cur->fail_at = 0;
}

static void fail(struct hv_cursor *cur)
{
	if (!cur->failed) {
		cur->failed = true;
		cur->fail_at = cur->base + cur->pos;
	}
}

/* The one bounds check every reader goes through: borrows n bytes. */
static const unsigned char *take(struct hv_cursor *cur, size_t n)
{
	const unsigned char *p;

	if (cur->failed || cur->len - cur->pos < n) {
		fail(cur);
		return NULL;
	}
	p = cur->data + cur->pos;
	cur->pos += n;
	return p;
}

static uint64_t little(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = n; i-- > 0;)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t big(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

uint8_t hv_cursor_u8(struct hv_cursor *cur)
{
	const unsigned char *p = take(cur, 1);

	return p ? p[0] : 0;
}

uint16_t hv_cursor_le16(struct hv_cursor *cur)
{
	const unsigned char *p = take(cur, 2);

	return p ? (uint16_t)little(p, 2) : 0;
}

uint32_t hv_cursor_le32(struct hv_cursor *cur)
{
	const unsigned char *p = take(cur, 4);

	return p ? (uint32_t)little(p, 4) : 0;
}

uint64_t hv_cursor_le64(struct hv_cursor *cur)
{
	const unsigned char *p = take(cur, 8);

	return p ? little(p, 8) : 0;
}

uint16_t hv_cursor_be16(struct hv_cursor *cur)
{
	const unsigned char *p = take(cur, 2);

	return p ? (uint16_t)big(p, 2) : 0;
}

uint32_t hv_cursor_be32(struct hv_cursor *cur)
{
	const unsigned char *p = take(cur, 4);

	return p ? (uint32_t)big(p, 4) : 0;
}

uint64_t hv_cursor_be64(struct hv_cursor *cur)
{
	const unsigned char *p = take(cur, 8);

	return p ? big(p, 8) : 0;
}

const unsigned char *hv_cursor_bytes(struct hv_cursor *cur, size_t n)
{
	return take(cur, n);
}

bool hv_cursor_skip(struct hv_cursor *cur, size_t n)
{
	return take(cur, n) != NULL;
}

bool hv_cursor_seek(struct hv_cursor *cur, size_t pos)
{
	if (cur->failed || pos > cur->len) {
		fail(cur);
		return false;
	}
	cur->pos = pos;
	return true;
}

bool hv_cursor_sub(struct hv_cursor *cur, size_t n, struct hv_cursor *out)
{
	size_t start = cur->base + cur->pos;
	const unsigned char *p = take(cur, n);

	hv_cursor_init(out, p, p ? n : 0, start);
	if (!p)
		fail(out);
	return p != NULL;
}

size_t hv_cursor_remaining(const struct hv_cursor *cur)
{
	return cur->failed ? 0 : cur->len - cur->pos;
}

bool hv_cursor_ok(const struct hv_cursor *cur)
{
	return !cur->failed;
}

size_t hv_cursor_offset(const struct hv_cursor *cur)
{
	return cur->failed ? cur->fail_at : cur->base + cur->pos;
}
