/* The HRESULT an event carries, in every form Windows writes one:
 * "0x8007274D" and "8007274D" (Hyper-V's messages, cluster events),
 * decimal and negative decimal (an HRESULT logged as UInt32 or Int32 by
 * the provider's manifest), and "%%N" insertion references (a
 * parameter-message-file reference, as EventLog writes unresolved
 * insertion strings: N is the HRESULT itself, or a Win32 code that
 * HRESULT_FROM_WIN32 maps to 0x8007xxxx; [MS-ERREF] 2.1.2). A code may
 * stand in a field of its own, whatever its name, or inside text.
 *
 * Work is bounded: each value is scanned once, only its first
 * HV_MIG_SCAN_PREFIX bytes (Windows' own limit for one event string is
 * 31,839 characters), token by token; no token is looked at twice. */
#include "diagnosis/migrations.h"
#include "diagnosis/migrations_internal.h"

#include "diagnosis/symptoms.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Fields whose name says they hold the code: read first. */
static const char *const code_names[] = {"ErrorCode", "Error",	    "HResult",
					 "Status",    "ErrorValue", NULL};

/* Longest token that can be a code: "%%" and ten digits, or "-" and
 * ten digits. */
#define TOKEN_MAX 12

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

static uint64_t decimal(const char *s, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

static bool kb_knows(const struct hv_kb *kb, uint32_t hr)
{
	for (size_t i = 0; i < kb->n_sigs; i++)
		if (kb->sigs[i].kind == HV_SIG_HRESULT &&
		    kb->sigs[i].code == hr)
			return true;
	return false;
}

/* A number printed in decimal is an HRESULT only when it reads as one a
 * migration logs: the Win32 (7), ITF (4) or security (9) facility, or a
 * code the knowledge base lists. "3000000000" bytes or "-1" are not. */
static bool plausible(const struct hv_kb *kb, uint32_t hr)
{
	unsigned facility = (hr >> 16) & 0x7ff;

	return (hr & 0x80000000u) && (facility == 7 || facility == 4 ||
				      facility == 9 || kb_knows(kb, hr));
}

/* "%%N": the HRESULT, or a Win32 code (1..65535). */
static bool insertion(const char *s, size_t n, uint32_t *out)
{
	uint64_t v;

	if (n < 3 || n > 12 || !all_digits(s + 2, n - 2))
		return false;
	v = decimal(s + 2, n - 2);
	if (v >= 0x80000000u && v <= 0xffffffffu)
		*out = (uint32_t)v;
	else if (v >= 1 && v <= 0xffff)
		*out = 0x80070000u | (uint32_t)v;
	else
		return false;
	return true;
}

/* One token (or a whole value) that is exactly a code. */
static bool code_token(const struct hv_kb *kb, const char *s, size_t n,
		       uint32_t *out)
{
	uint64_t v;

	if (n >= 2 && s[0] == '%' && s[1] == '%')
		return insertion(s, n, out);
	if (n == 10 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return hv_hresult_word(s + 2, 8, out);
	if (n == 8)
		return hv_hresult_word(s, 8, out);
	if (n >= 2 && n <= 11 && s[0] == '-' && all_digits(s + 1, n - 1)) {
		v = decimal(s + 1, n - 1);
		if (v == 0 || v > 0x80000000u)
			return false;
		*out = (uint32_t)(0x100000000ull - v);
		return plausible(kb, *out);
	}
	if (n == 10 && all_digits(s, n)) {
		v = decimal(s, n);
		if (v < 0x80000000u || v > 0xffffffffu)
			return false;
		*out = (uint32_t)v;
		return plausible(kb, *out);
	}
	return false;
}

/* Characters a code token is made of; a GUID ("8A9B0C1D-...") stays one
 * long token, so its parts are never read as codes. */
static bool token_char(char c)
{
	return isalnum((unsigned char)c) || c == '%' || c == '-';
}

/* The first code in the first HV_MIG_SCAN_PREFIX bytes of text. */
static bool scan_text(const struct hv_kb *kb, const char *text, uint32_t *out)
{
	size_t n = strnlen(text, HV_MIG_SCAN_PREFIX), i = 0;

	while (i < n) {
		size_t start;

		while (i < n && !token_char(text[i]))
			i++;
		start = i;
		while (i < n && token_char(text[i]))
			i++;
		/* a token cut by the prefix is not read */
		if (i - start <= TOKEN_MAX &&
		    (i < n || n < HV_MIG_SCAN_PREFIX) &&
		    code_token(kb, text + start, i - start, out))
			return true;
	}
	return false;
}

static bool whole_value(const struct hv_kb *kb, const char *v, uint32_t *out)
{
	size_t n = strnlen(v, TOKEN_MAX + 1);

	return n <= TOKEN_MAX && code_token(kb, v, n, out);
}

bool hv_mig_find_hresult(const struct hv_kb *kb, const struct hv_evtx_data *d,
			 uint32_t *out)
{
	for (const char *const *name = code_names; *name; name++) {
		const char *v = hv_evtx_data_get(d, *name);

		if (v && whole_value(kb, v, out))
			return true;
	}
	for (size_t i = 0; i < d->n; i++)
		if (whole_value(kb, d->items[i].value, out))
			return true;
	for (size_t i = 0; i < d->n; i++)
		if (scan_text(kb, d->items[i].value, out))
			return true;
	return false;
}
