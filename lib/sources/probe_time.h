/* Time arithmetic for the clock probes: the three epochs the answers use
 * (FILETIME since 1601, NTP since 1900 in 136-year eras, civil dates of
 * HTTP and LDAP), all turned into nanoseconds since 1970 (UTC), and the
 * offset of a remote clock from one request/reply exchange. Pure. */
#ifndef HV_PROBE_TIME_H
#define HV_PROBE_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define HV_NS_PER_SEC 1000000000LL

/* A clock reading is believed only from 1970-01-01 to before 2200-01-01
 * (UTC): no host's clock says otherwise, and within it every offset
 * computed in int64 nanoseconds stays far from overflow (2262). */
#define HV_CLOCK_MAX_SEC 7258118400LL /* 2200-01-01T00:00:00Z */
bool hv_clock_sec_in_range(int64_t sec);

/* FILETIME (100 ns units since 1601-01-01 UTC, MS-DTYP 2.3.3) as ns since
 * 1970; false outside the range above (an SMB2 time before 1678 or after
 * 2262 would overflow). */
bool hv_filetime_to_unix_ns(uint64_t filetime, int64_t *out_ns);
/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t hv_days_from_civil(int64_t year, unsigned month, unsigned day);
/* Seconds since 1970 of a UTC civil time; false when a field is out of
 * range (month 1-12, day within the month, 23:59:60 for a leap second). */
bool hv_civil_to_unix(int64_t year, unsigned month, unsigned day, unsigned hour,
		      unsigned minute, unsigned second, int64_t *out_sec);
/* An NTP timestamp (RFC 5905 6: 32-bit seconds since 1900, 32-bit
 * fraction) as ns since 1970. The seconds wrap every 2^32 s (era 1 starts
 * 2036-02-07 06:28:16 UTC); the era is the one that puts the result
 * nearest ref_ns (the local clock), as RFC 5905 section 6 advises. */
int64_t hv_ntp_to_unix_ns(uint64_t ntp, int64_t ref_ns);
/* ns since 1970 as a 64-bit NTP timestamp (era dropped). */
uint64_t hv_unix_ns_to_ntp(int64_t ns);

/* One clock reading: what the remote clock said, and when (local clock)
 * the question left and the answer came back. */
struct hv_clock_sample {
	int64_t offset_ns; /* remote minus local, at the midpoint */
	int64_t rtt_ns;	   /* round trip the reading is uncertain by */
};
/* The offset of a server that stamped its reply once (SMB2 SystemTime,
 * HTTP Date, rootDSE currentTime): the stamp is taken to be made halfway
 * through the round trip t1..t4 (local send and receive, ns since 1970).
 * resolution_ns is the stamp's granularity (1 s for HTTP Date): the
 * stamp is truncated, so half of it is added back. */
struct hv_clock_sample hv_clock_from_stamp(int64_t t1, int64_t t4,
					   int64_t server_ns,
					   int64_t resolution_ns);
/* RFC 4330 section 5: offset ((T2 - T1) + (T3 - T4)) / 2 and round-trip
 * delay (T4 - T1) - (T3 - T2), all four in ns since 1970. */
struct hv_clock_sample hv_clock_from_ntp(int64_t t1, int64_t t2, int64_t t3,
					 int64_t t4);

#endif
