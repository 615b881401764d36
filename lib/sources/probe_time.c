#include "sources/probe_time.h"

/* FILETIME of 1970-01-01: 369 years of 100 ns ticks (MS-DTYP 2.3.3) */
#define FILETIME_UNIX_EPOCH 116444736000000000ULL
/* NTP seconds of 1970-01-01 (RFC 5905 figure 4: 2,208,988,800) */
#define NTP_UNIX_EPOCH 2208988800LL
#define NTP_ERA_SECONDS 4294967296LL

bool hv_clock_sec_in_range(int64_t sec)
{
	return sec >= 0 && sec < HV_CLOCK_MAX_SEC;
}

bool hv_filetime_to_unix_ns(uint64_t filetime, int64_t *out_ns)
{
	uint64_t ticks;

	/* compared in unsigned ticks before anything is multiplied */
	if (filetime < FILETIME_UNIX_EPOCH ||
	    filetime - FILETIME_UNIX_EPOCH >=
		    (uint64_t)HV_CLOCK_MAX_SEC * 10000000ULL)
		return false;
	ticks = filetime - FILETIME_UNIX_EPOCH;
	*out_ns = (int64_t)ticks * 100;
	return true;
}

/* The days-from-civil algorithm over 400-year eras of 146,097 days
 * (the Gregorian cycle), with March as the first month so the leap day
 * comes last. */
int64_t hv_days_from_civil(int64_t year, unsigned month, unsigned day)
{
	int64_t y = month <= 2 ? year - 1 : year;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t mp = month > 2 ? (int64_t)month - 3 : (int64_t)month + 9;
	int64_t doy = (153 * mp + 2) / 5 + (int64_t)day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static unsigned days_in_month(int64_t year, unsigned month)
{
	static const unsigned days[] = {31, 28, 31, 30, 31, 30,
					31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

bool hv_civil_to_unix(int64_t year, unsigned month, unsigned day, unsigned hour,
		      unsigned minute, unsigned second, int64_t *out_sec)
{
	if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month) || hour > 23 || minute > 59 ||
	    second > 60)
		return false;
	*out_sec = hv_days_from_civil(year, month, day) * 86400 +
		   (int64_t)hour * 3600 + (int64_t)minute * 60 + second;
	return true;
}

int64_t hv_ntp_to_unix_ns(uint64_t ntp, int64_t ref_ns)
{
	int64_t secs = (int64_t)(ntp >> 32) - NTP_UNIX_EPOCH;
	int64_t frac = (int64_t)(((ntp & 0xffffffffULL) * 1000000000ULL) >> 32);
	int64_t ref = ref_ns / HV_NS_PER_SEC;

	/* the era whose reading is nearest the reference: at most one step
	 * either way is needed while the reference is within 68 years */
	while (secs + NTP_ERA_SECONDS / 2 < ref)
		secs += NTP_ERA_SECONDS;
	while (secs - NTP_ERA_SECONDS / 2 > ref)
		secs -= NTP_ERA_SECONDS;
	return secs * HV_NS_PER_SEC + frac;
}

uint64_t hv_unix_ns_to_ntp(int64_t ns)
{
	int64_t secs = ns / HV_NS_PER_SEC;
	int64_t rest = ns % HV_NS_PER_SEC;
	uint64_t frac;

	if (rest < 0) {
		rest += HV_NS_PER_SEC;
		secs--;
	}
	frac = ((uint64_t)rest << 32) / 1000000000ULL;
	return ((uint64_t)(secs + NTP_UNIX_EPOCH) << 32) |
	       (frac & 0xffffffffULL);
}

struct hv_clock_sample hv_clock_from_stamp(int64_t t1, int64_t t4,
					   int64_t server_ns,
					   int64_t resolution_ns)
{
	struct hv_clock_sample s;
	int64_t mid = t1 + (t4 - t1) / 2;

	s.offset_ns = server_ns + resolution_ns / 2 - mid;
	s.rtt_ns = t4 - t1;
	return s;
}

struct hv_clock_sample hv_clock_from_ntp(int64_t t1, int64_t t2, int64_t t3,
					 int64_t t4)
{
	struct hv_clock_sample s;

	s.offset_ns = ((t2 - t1) + (t3 - t4)) / 2;
	s.rtt_ns = (t4 - t1) - (t3 - t2);
	return s;
}
