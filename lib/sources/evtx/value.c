/* Substitution values as text ([MS-EVEN6] 2.2.12, the value types and
 * their text forms; libyal notes, "Value types"). Every value is read
 * from its own bounded bytes: a value shorter than its type needs
 * renders what it has (hex) instead of reading past it.
 *
 * Text forms follow what Windows and evtxexport print: decimal integers
 * (size values too, as both reference parsers print them),
 * 0x-prefixed lower-case hex for the hex types, upper-case GUIDs in
 * braces, upper-case hex for binary, ISO 8601 UTC times with nine
 * fraction digits (100 ns resolution).
 *
 * This is the hot path of a full dump, so text is written straight into
 * reserved room in the output, without printf. */
#include "sources/evtx/evtx_internal.h"

#include "base/alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void hv_evtx_grow(struct hv_strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1, alloc = sb->alloc ? sb->alloc : 256;

	while (alloc < need)
		alloc *= 2;
	sb->buf = hv_reallocarray(sb->buf, alloc, 1);
	sb->alloc = alloc;
}

static const char upper_hex[] = "0123456789ABCDEF";

static const char two_digits[] = "00010203040506070809"
				 "10111213141516171819"
				 "20212223242526272829"
				 "30313233343536373839"
				 "40414243444546474849"
				 "50515253545556575859"
				 "60616263646566676869"
				 "70717273747576777879"
				 "80818283848586878889"
				 "90919293949596979899";

static inline char *put2(char *w, unsigned v)
{
	memcpy(w, two_digits + 2 * (size_t)v, 2);
	return w + 2;
}

/* Decimal, two digits per division, built from the end in a scratch
 * buffer and copied as one fixed block: the caller's room (a value's
 * bound) always has 20 bytes to spare. */
static char *dec(char *w, uint64_t v)
{
	char tmp[40], *p = tmp + 20;
	size_t n;

	if (v < 10) { /* Level, Task, Opcode, Version: mostly one digit */
		*w = (char)('0' + v);
		return w + 1;
	}
	if (v < 100)
		return put2(w, (unsigned)v);
	while (v >= 100) {
		p -= 2;
		memcpy(p, two_digits + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		memcpy(p, two_digits + 2 * v, 2);
	} else {
		*--p = (char)('0' + v);
	}
	n = (size_t)(tmp + 20 - p);
	memcpy(w, p, 20);
	return w + n;
}

/* v in `digits` digits, zero-padded. */
static inline char *dec_fixed(char *w, uint64_t v, int digits)
{
	int i = digits;

	while (i >= 2) {
		i -= 2;
		memcpy(w + i, two_digits + 2 * (v % 100), 2);
		v /= 100;
	}
	if (i)
		w[0] = (char)('0' + v % 10);
	return w + digits;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The eight hex digits of x as eight bytes in memory order: each nibble
 * spread into a byte, then '0'-'9' or the letters added all at once. */
static inline uint64_t hex8(uint32_t x, bool upper)
{
	uint64_t v = x, ten;

	v = ((v & 0xffff0000u) << 16) | (v & 0xffffu);
	v = ((v & 0x0000ff000000ff00ull) << 8) | (v & 0x000000ff000000ffull);
	v = ((v & 0x00f000f000f000f0ull) << 4) | (v & 0x000f000f000f000full);
	ten = ((v + 0x0606060606060606ull) >> 4) & 0x0101010101010101ull;
	v += 0x3030303030303030ull + ten * (upper ? 7 : 39);
	return __builtin_bswap64(v); /* the first digit first */
}

static inline char *hex_fixed(char *w, uint64_t v, int digits, bool upper)
{
	char tmp[16];
	uint64_t hi = hex8((uint32_t)(v >> 32), upper);
	uint64_t lo = hex8((uint32_t)v, upper);

	memcpy(tmp, &hi, 8);
	memcpy(tmp + 8, &lo, 8);
	memcpy(w, tmp + 16 - digits, (size_t)digits);
	return w + digits;
}
#else
static inline char *hex_fixed(char *w, uint64_t v, int digits, bool upper)
{
	const char *set = upper ? upper_hex : "0123456789abcdef";

	for (int i = digits - 1; i >= 0; i--) {
		w[i] = set[v & 15];
		v >>= 4;
	}
	return w + digits;
}
#endif

/* Windows-1252 for the 0x80-0x9F range: an ANSI string's code page is
 * not recorded, and this is the one Western Windows systems use. */
static uint32_t cp1252(unsigned char c)
{
	static const uint16_t high[32] = {
		0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
		0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
		0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
		0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
	};

	return c >= 0x80 && c < 0xA0 ? high[c - 0x80] : c;
}

static char *ansi_put(char *w, const struct hv_evtx_value *v,
		      enum hv_evtx_escape esc)
{
	for (uint32_t i = 0; i < v->size && v->data[i]; i++)
		w = hv_evtx_cp_put(w, cp1252(v->data[i]), esc);
	return w;
}

static char *hex_bytes(char *w, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		*w++ = upper_hex[p[i] >> 4];
		*w++ = upper_hex[p[i] & 15];
	}
	return w;
}

/* [MS-DTYP] 2.4.2.1: S-1-<authority>-<sub>...; an authority of 2^32 or
 * more is written in hex. NULL when the value is too short for a SID.
 * At most 32 + 11 bytes per sub-authority: within the value's bound. */
static char *sid_put(char *w, const struct hv_evtx_value *v)
{
	const unsigned char *p = v->data;
	uint64_t auth = 0;

	if (v->size < 8 || (size_t)v->size < 8 + 4u * p[1])
		return NULL;
	for (int i = 2; i < 8; i++)
		auth = auth << 8 | p[i];
	*w++ = 'S';
	*w++ = '-';
	w = dec(w, p[0]);
	*w++ = '-';
	if (auth >> 32) {
		*w++ = '0';
		*w++ = 'x';
		w = hex_fixed(w, auth, 12, true);
	} else {
		w = dec(w, auth);
	}
	for (int i = 0; i < p[1]; i++) {
		*w++ = '-';
		w = dec(w, hv_le32(p + 8 + (size_t)4 * i));
	}
	return w;
}

static char *guid_put(char *w, const unsigned char *p)
{
	*w++ = '{';
	w = hex_fixed(w, hv_le32(p), 8, true);
	*w++ = '-';
	w = hex_fixed(w, hv_le16(p + 4), 4, true);
	*w++ = '-';
	w = hex_fixed(w, hv_le16(p + 6), 4, true);
	*w++ = '-';
	for (int i = 8; i < 16; i++) {
		if (i == 10)
			*w++ = '-';
		w = hex_fixed(w, p[i], 2, true);
	}
	*w++ = '}';
	return w;
}

/* [MS-DTYP] 2.3.13 SYSTEMTIME: year, month, weekday, day, hour, minute,
 * second, milliseconds; written to the millisecond, as evtxexport does. */
static char *systime_put(char *w, const unsigned char *p)
{
	w = dec_fixed(w, hv_le16(p), 4);
	*w++ = '-';
	w = dec_fixed(w, hv_le16(p + 2) % 100, 2);
	*w++ = '-';
	w = dec_fixed(w, hv_le16(p + 6) % 100, 2);
	*w++ = 'T';
	w = dec_fixed(w, hv_le16(p + 8) % 100, 2);
	*w++ = ':';
	w = dec_fixed(w, hv_le16(p + 10) % 100, 2);
	*w++ = ':';
	w = dec_fixed(w, hv_le16(p + 12) % 100, 2);
	*w++ = '.';
	w = dec_fixed(w, hv_le16(p + 14) % 1000, 3);
	*w++ = 'Z';
	return w;
}

/* Text without its NUL: the output is not a C string. */
static char *put_str(char *w, const char *s)
{
	while (*s)
		*w++ = *s++;
	return w;
}

/* As evtxexport writes floats (the Windows C runtime's "%e": three
 * exponent digits): 1.500000e+000. At most 15 bytes. */
static char *real_put(char *w, double d)
{
	char buf[48], *e;

	if (isnan(d))
		return put_str(w, "-1.#IND");
	if (isinf(d))
		return put_str(w, d < 0 ? "-1.#INF" : "1.#INF");
	snprintf(buf, sizeof(buf), "%.6e", d);
	e = strchr(buf, 'e');
	if (e && strlen(e + 2) == 2) { /* e+NN -> e+0NN */
		memmove(e + 3, e + 2, 3);
		e[2] = '0';
	}
	return put_str(w, buf);
}

/* Size of one item of a fixed-size type, 0 for variable-size types. */
static inline uint32_t fixed_size(uint8_t type, uint32_t size)
{
	static const uint8_t sizes[VT_EVTHANDLE + 1] = {
		[VT_INT8] = 1,	   [VT_UINT8] = 1,   [VT_INT16] = 2,
		[VT_UINT16] = 2,   [VT_INT32] = 4,   [VT_UINT32] = 4,
		[VT_REAL32] = 4,   [VT_BOOL] = 4,    [VT_HEX32] = 4,
		[VT_INT64] = 8,	   [VT_UINT64] = 8,  [VT_REAL64] = 8,
		[VT_FILETIME] = 8, [VT_HEX64] = 8,   [VT_GUID] = 16,
		[VT_SYSTIME] = 16, [VT_SIZE] = 0xff, [VT_EVTHANDLE] = 0xff,
	};
	uint8_t n = type <= VT_EVTHANDLE ? sizes[type] : 0;

	if (n == 0xff) /* pointer-sized: the value says which */
		return size == 4 ? 4 : 8;
	return n;
}

/* n is 1, 2, 4 or 8 (fixed_size()). */
static inline uint64_t le_n(const unsigned char *p, uint32_t n)
{
	switch (n) {
	case 1:
		return p[0];
	case 2:
		return hv_le16(p);
	case 4:
		return hv_le32(p);
	default:
		return hv_le64(p);
	}
}

bool hv_evtx_value_uint(const struct hv_evtx_value *v, uint64_t *out)
{
	uint32_t n = fixed_size(v->type, v->size);

	switch (v->type) {
	case VT_INT8:
	case VT_UINT8:
	case VT_INT16:
	case VT_UINT16:
	case VT_INT32:
	case VT_UINT32:
	case VT_INT64:
	case VT_UINT64:
	case VT_HEX32:
	case VT_HEX64:
	case VT_SIZE:
		if (v->size < n)
			return false;
		*out = le_n(v->data, n);
		return true;
	default:
		return false;
	}
}

static char *integer_put(char *w, const struct hv_evtx_value *v, uint32_t n)
{
	uint64_t u = le_n(v->data, n), sign = 1ull << (n * 8 - 1);

	switch (v->type) {
	case VT_INT8:
	case VT_INT16:
	case VT_INT32:
	case VT_INT64:
		if (u & sign) {
			*w++ = '-';
			/* two's complement magnitude within n bytes */
			u = (~u + 1) & (n == 8 ? ~0ull : (1ull << n * 8) - 1);
		}
		return dec(w, u);
	case VT_HEX32:
	case VT_HEX64:
	case VT_EVTHANDLE:
		*w++ = '0';
		*w++ = 'x';
		return hex_fixed(w, u, (int)n * 2, false);
	default:
		return dec(w, u);
	}
}

static char *fixed_put(char *w, const struct hv_evtx_value *v, uint32_t n)
{
	union {
		uint32_t u;
		float f;
	} f32;
	union {
		uint64_t u;
		double d;
	} f64;

	switch (v->type) {
	case VT_REAL32:
		f32.u = hv_le32(v->data);
		return real_put(w, f32.f);
	case VT_REAL64:
		f64.u = hv_le64(v->data);
		return real_put(w, f64.d);
	case VT_BOOL:
		return put_str(w, hv_le32(v->data) ? "true" : "false");
	case VT_GUID:
		return guid_put(w, v->data);
	case VT_FILETIME:
		return w + hv_evtx_filetime_format(hv_le64(v->data), 9, w);
	case VT_SYSTIME:
		return systime_put(w, v->data);
	default:
		return integer_put(w, v, n);
	}
}

/* Types without a fixed size, and fixed-size ones cut short (as hex). */
static char *variable_put(char *w, const struct hv_evtx_value *v,
			  enum hv_evtx_escape esc)
{
	char *end;

	switch (v->type) {
	case VT_NULL:
	case VT_BINXML: /* the walk descends into it */
		return w;
	case VT_STRING:
	case VT_EVTXML:
		return hv_evtx_utf16_put(w, v->data, v->size / 2, esc);
	case VT_ANSI:
		return ansi_put(w, v, esc);
	case VT_SID:
		if ((end = sid_put(w, v)) != NULL)
			return end;
		break;
	default:
		break;
	}
	return hex_bytes(w, v->data, v->size);
}

char *hv_evtx_value_put(char *w, const struct hv_evtx_value *v,
			enum hv_evtx_escape esc)
{
	uint32_t n;

	/* the common types first, without the general dispatch */
	switch (v->type) {
	case VT_STRING:
		return hv_evtx_utf16_put(w, v->data, v->size / 2, esc);
	case VT_UINT8: /* 1, 2, 4 and 8 bytes */
	case VT_UINT16:
	case VT_UINT32:
	case VT_UINT64:
		if (v->size == 1u << (v->type - VT_UINT8) / 2)
			return dec(w, le_n(v->data, v->size));
		break;
	case VT_HEX64:
		if (v->size == 8) {
			*w++ = '0';
			*w++ = 'x';
			return hex_fixed(w, hv_le64(v->data), 16, false);
		}
		break;
	case VT_FILETIME:
		if (v->size == 8)
			return w +
			       hv_evtx_filetime_format(hv_le64(v->data), 9, w);
		break;
	default:
		break;
	}
	n = fixed_size(v->type, v->size);
	if (!n)
		return variable_put(w, v, esc);
	if (v->size >= n)
		return fixed_put(w, v, n);
	return hex_bytes(w, v->data, v->size);
}

static void scalar_text(const struct hv_evtx_value *v, enum hv_evtx_escape esc,
			struct hv_strbuf *out)
{
	char *w = hv_evtx_reserve(out, HV_EVTX_VALUE_BOUND(v->size));

	hv_evtx_commit(out, hv_evtx_value_put(w, v, esc));
}

void hv_evtx_value_text(const struct hv_evtx_value *v, enum hv_evtx_escape esc,
			struct hv_strbuf *out)
{
	struct hv_evtx_value item;
	size_t pos = 0;
	bool first = true;

	if (!(v->type & VT_ARRAY)) {
		scalar_text(v, esc, out);
		return;
	}
	while (hv_evtx_array_next(v, &pos, &item)) {
		if (!first)
			hv_evtx_put(out, ", ", 2);
		scalar_text(&item, esc, out);
		first = false;
	}
}

/* Items of an array ([MS-EVEN6] 2.2.12: the array flag 0x80): strings
 * end with a NUL (UTF-16 or byte), SIDs carry their own length, other
 * types have a fixed size. */
bool hv_evtx_array_next(const struct hv_evtx_value *array, size_t *pos,
			struct hv_evtx_value *item)
{
	uint8_t type = array->type & (uint8_t)~VT_ARRAY;
	size_t at = *pos, left, n;

	if (at >= array->size)
		return false;
	left = array->size - at;
	item->type = type;
	item->data = array->data + at;
	switch (type) {
	case VT_STRING:
		for (n = 0; n + 1 < left && hv_le16(item->data + n); n += 2)
			;
		item->size = (uint32_t)n;
		*pos = at + (n + 2 <= left ? n + 2 : left);
		return true;
	case VT_ANSI:
		for (n = 0; n < left && item->data[n]; n++)
			;
		item->size = (uint32_t)n;
		*pos = at + (n < left ? n + 1 : left);
		return true;
	case VT_SID:
		n = left >= 2 ? 8 + 4u * item->data[1] : left;
		break;
	case VT_SIZE:
		n = array->size % 8 ? 4 : 8;
		break;
	default:
		n = fixed_size(type, 0);
		if (!n) /* no array form: the rest as one item */
			n = left;
	}
	if (n > left)
		n = left;
	item->size = (uint32_t)n;
	*pos = at + n;
	return true;
}

bool hv_evtx_value_empty(const struct hv_evtx_value *v)
{
	if (v->type == VT_NULL || v->size == 0)
		return true;
	/* EvtXml is UTF-16 text too, written up to a NUL (variable_put) */
	if (v->type == VT_STRING || v->type == VT_EVTXML)
		return v->size < 2 || hv_le16(v->data) == 0;
	if (v->type == VT_ANSI)
		return v->data[0] == 0;
	return false;
}

/* FILETIME counts 100 ns since 1601-01-01; 11644473600 s lie between
 * that and 1970-01-01 ([MS-DTYP] 2.3.3). */
#define EPOCH_DIFF 11644473600LL

int64_t hv_evtx_filetime_to_unix(uint64_t ft)
{
	return (int64_t)(ft / 10000000u) - EPOCH_DIFF;
}

uint64_t hv_evtx_filetime_from_unix(int64_t seconds)
{
	if (seconds < -EPOCH_DIFF)
		return 0;
	return (uint64_t)(seconds + EPOCH_DIFF) * 10000000u;
}

/* Civil date of a day count since 1970-01-01 (proleptic Gregorian; the
 * inverse of H. Hinnant's "days from civil"). */
static void civil(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* "YYYY-MM-DDT" of a day; the events of a log fall on few days, so the
 * last one is kept (per thread). */
static _Thread_local struct {
	int64_t day;
	char text[16];
	size_t len;
	bool set;
} last_day;

/* Writes up to 16 bytes (the date and what follows is rewritten). */
static char *date_text(char *w, int64_t days)
{
	int64_t y;
	unsigned m, d;
	char *start = w;

	if (last_day.set && last_day.day == days) {
		memcpy(w, last_day.text, sizeof(last_day.text));
		return w + last_day.len;
	}
	civil(days, &y, &m, &d);
	w = y >= 10000 ? dec(w, (uint64_t)y) : dec_fixed(w, (uint64_t)y, 4);
	*w++ = '-';
	w = put2(w, m);
	*w++ = '-';
	w = put2(w, d);
	*w++ = 'T';
	last_day.day = days;
	last_day.len = (size_t)(w - start);
	memcpy(last_day.text, start, last_day.len);
	last_day.set = true;
	return w;
}

size_t hv_evtx_filetime_format(uint64_t ft, int digits, char *buf)
{
	int64_t secs = (int64_t)(ft / 10000000u) - EPOCH_DIFF, days;
	unsigned frac = (unsigned)(ft % 10000000u), rem;
	char *w = buf;

	days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	rem = (unsigned)(secs - days * 86400);
	w = date_text(w, days);
	w = put2(w, rem / 3600);
	*w++ = ':';
	w = put2(w, rem / 60 % 60);
	*w++ = ':';
	w = put2(w, rem % 60);
	if (digits == 9) {
		*w++ = '.';
		w = put2(w, frac / 100000);
		w = put2(w, frac / 1000 % 100);
		w = put2(w, frac / 10 % 100);
		*w++ = (char)('0' + frac % 10);
		*w++ = '0';
		*w++ = '0';
	} else if (digits > 0 && digits <= 7) {
		unsigned div = 1;

		for (int i = digits; i < 7; i++)
			div *= 10;
		*w++ = '.';
		w = dec_fixed(w, frac / div, digits);
	}
	*w++ = 'Z';
	*w = '\0';
	return (size_t)(w - buf);
}
