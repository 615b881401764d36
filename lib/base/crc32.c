#include "base/crc32.h"

#include <pthread.h>

/* Slicing-by-8: eight tables let the loop fold eight input bytes per
 * step instead of one. */
static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		table[0][n] = c;
	}
	for (uint32_t n = 0; n < 256; n++)
		for (int t = 1; t < 8; t++)
			table[t][n] = (table[t - 1][n] >> 8) ^
				      table[0][table[t - 1][n] & 0xff];
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* The CRC state (not inverted) over len bytes, eight at a time. */
static uint32_t by_table(uint32_t crc, const unsigned char *p, size_t len)
{
	while (len >= 8) {
		uint32_t lo = le32(p) ^ crc, hi = le32(p + 4);

		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		      table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		      table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define CLMUL __attribute__((target("pclmul,sse4.1")))

/* Folding with carry-less multiplication (V. Gopal et al., "Fast CRC
 * Computation for Generic Polynomials Using PCLMULQDQ Instruction",
 * Intel, 2009): four 128-bit lanes are folded 64 bytes at a time, then
 * into one, then reduced to 32 bits by Barrett reduction. The constants
 * are x^k mod P(x) for the bit-reflected polynomial of RFC 1952:
 * k1 = x^(4*128+32), k2 = x^(4*128-32), k3 = x^(128+32), k4 = x^(128-32),
 * k5 = x^64, each mod P, shifted; P' = P and mu = x^64 / P. */
static CLMUL __m128i fold(__m128i x, __m128i k, __m128i data)
{
	return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
					   _mm_clmulepi64_si128(x, k, 0x11)),
			     data);
}

/* The state over len bytes; len >= 64 and a multiple of 16. */
static CLMUL uint32_t by_clmul(uint32_t crc, const unsigned char *p, size_t len)
{
	const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
	const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
	const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);
	const __m128i poly = _mm_set_epi64x(0x1f7011641, 0x1db710641);
	const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
	__m128i x0, x1, x2, x3, t;

	x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p),
			   _mm_cvtsi32_si128((int)crc));
	x1 = _mm_loadu_si128((const __m128i *)(p + 16));
	x2 = _mm_loadu_si128((const __m128i *)(p + 32));
	x3 = _mm_loadu_si128((const __m128i *)(p + 48));
	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64) {
		x0 = fold(x0, k1k2, _mm_loadu_si128((const __m128i *)p));
		x1 = fold(x1, k1k2, _mm_loadu_si128((const __m128i *)(p + 16)));
		x2 = fold(x2, k1k2, _mm_loadu_si128((const __m128i *)(p + 32)));
		x3 = fold(x3, k1k2, _mm_loadu_si128((const __m128i *)(p + 48)));
	}
	x1 = fold(x0, k3k4, x1);
	x2 = fold(x1, k3k4, x2);
	x3 = fold(x2, k3k4, x3);
	for (; len >= 16; p += 16, len -= 16)
		x3 = fold(x3, k3k4, _mm_loadu_si128((const __m128i *)p));
	/* 128 bits to 64 */
	t = _mm_clmulepi64_si128(x3, k3k4, 0x10);
	x3 = _mm_xor_si128(_mm_srli_si128(x3, 8), t);
	t = _mm_and_si128(x3, mask32);
	x3 = _mm_xor_si128(_mm_srli_si128(x3, 4),
			   _mm_clmulepi64_si128(t, k5, 0x00));
	/* Barrett reduction to 32 bits */
	t = _mm_clmulepi64_si128(_mm_and_si128(x3, mask32), poly, 0x10);
	t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), poly, 0x00);
	x3 = _mm_xor_si128(x3, t);
	return (uint32_t)_mm_extract_epi32(x3, 1);
}

static int have_clmul = -1;

static void detect(void)
{
	__builtin_cpu_init();
	have_clmul = __builtin_cpu_supports("pclmul") &&
		     __builtin_cpu_supports("sse4.1");
}
#endif

static void init(void)
{
	make_table();
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	detect();
#endif
}

uint32_t hv_crc32(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;

	pthread_once(&table_once, init);
	crc = ~crc;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (have_clmul > 0 && len >= 64) {
		size_t n = len & ~(size_t)15;

		crc = by_clmul(crc, p, n);
		p += n;
		len -= n;
	}
#endif
	return ~by_table(crc, p, len);
}
