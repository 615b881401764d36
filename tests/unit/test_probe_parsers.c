/* The readers of probe's clock sources: SMB2 NEGOTIATE response (MS-SMB2
 * 2.2.4), SNTP reply (RFC 4330), HTTP Date (RFC 9110 5.6.7), rootDSE
 * GeneralizedTime; and the time arithmetic under them (FILETIME, NTP
 * eras, offsets). Each: a good input, a near miss that must be refused,
 * and a cut-short input with its offset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "sources/http_date.h"
#include "sources/probe_rootdse.h"
#include "sources/probe_time.h"
#include "sources/smb2_negotiate.h"
#include "sources/sntp.h"

#include <string.h>

/* 2026-12-01 10:15:00 UTC */
#define T_2026 1796120100LL

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A NEGOTIATE response with SystemTime ft; returns its length. */
static size_t smb2_reply(unsigned char *buf, uint64_t ft)
{
	size_t msg = 64 + 65;

	memset(buf, 0, 4 + msg);
	buf[2] = (unsigned char)(msg >> 8);
	buf[3] = (unsigned char)msg;
	memcpy(buf + 4, "\xfeSMB", 4);
	put_le(buf + 8, 64, 2);
	put_le(buf + 20, 1, 4); /* SERVER_TO_REDIR */
	put_le(buf + 68, 65, 2);
	put_le(buf + 72, 0x0311, 2);
	put_le(buf + 68 + 40, ft, 8);
	return 4 + msg;
}

static void test_filetime(void **state)
{
	int64_t ns;

	(void)state;
	assert_true(hv_filetime_to_unix_ns(116444736000000000ULL, &ns));
	assert_int_equal(ns, 0);
	assert_true(hv_filetime_to_unix_ns(
		116444736000000000ULL + (uint64_t)T_2026 * 10000000ULL + 5,
		&ns));
	assert_int_equal(ns, T_2026 * HV_NS_PER_SEC + 500);
	assert_false(hv_filetime_to_unix_ns(UINT64_MAX, &ns));
	/* issue 18 item 12: only 1970-2200 is a clock: an SMB2 time
	 * before 1678 overflowed the offset arithmetic */
	assert_false(hv_filetime_to_unix_ns(1, &ns));
	assert_false(hv_filetime_to_unix_ns(116444736000000000ULL - 1, &ns));
	assert_true(hv_filetime_to_unix_ns(
		116444736000000000ULL + 7258118399ULL * 10000000ULL, &ns));
	assert_false(hv_filetime_to_unix_ns(
		116444736000000000ULL + 7258118400ULL * 10000000ULL, &ns));
}

static void test_ntp_eras(void **state)
{
	int64_t ref = T_2026 * HV_NS_PER_SEC;
	/* 2036-02-07 06:28:16 UTC is NTP second 2^32: era 1 starts */
	int64_t era1 = 2085978496LL * HV_NS_PER_SEC;

	(void)state;
	assert_int_equal(hv_ntp_to_unix_ns(hv_unix_ns_to_ntp(ref), ref), ref);
	/* a reading just after the wrap, with a clock just before it */
	assert_int_equal(
		hv_ntp_to_unix_ns(hv_unix_ns_to_ntp(era1 + 5 * HV_NS_PER_SEC),
				  era1 - 5 * HV_NS_PER_SEC),
		era1 + 5 * HV_NS_PER_SEC);
	/* and just before it, with a clock just after */
	assert_int_equal(
		hv_ntp_to_unix_ns(hv_unix_ns_to_ntp(era1 - HV_NS_PER_SEC),
				  era1 + HV_NS_PER_SEC),
		era1 - HV_NS_PER_SEC);
	/* the fraction: half a second */
	assert_int_equal(
		hv_ntp_to_unix_ns(((uint64_t)(T_2026 + 2208988800LL) << 32) |
					  0x80000000u,
				  ref) -
			ref,
		500000000);
}

static void test_offsets(void **state)
{
	struct hv_clock_sample s;

	(void)state;
	/* RFC 4330 5: server 400 s ahead, 10 ms each way, 1 ms inside */
	s = hv_clock_from_ntp(0, 400010000000LL, 400011000000LL, 21000000LL);
	assert_int_equal(s.offset_ns, 400000000000LL);
	assert_int_equal(s.rtt_ns, 20000000LL);
	/* a one-stamp reply: midpoint, plus half the stamp's resolution */
	s = hv_clock_from_stamp(1000, 3000, 2000, 0);
	assert_int_equal(s.offset_ns, 0);
	assert_int_equal(s.rtt_ns, 2000);
	s = hv_clock_from_stamp(0, 0, -HV_NS_PER_SEC, HV_NS_PER_SEC);
	assert_int_equal(s.offset_ns, -HV_NS_PER_SEC / 2);
}

static void test_smb2(void **state)
{
	unsigned char req[HV_SMB2_NEGOTIATE_REQUEST_LEN], buf[256];
	struct hv_smb2_negotiate neg;
	struct hv_error err;
	uint64_t ft = 116444736000000000ULL + (uint64_t)T_2026 * 10000000ULL;
	size_t len = smb2_reply(buf, ft);

	(void)state;
	/* the request measured against smbd: 112 bytes, MessageId 0, one
	 * credit, four dialects */
	assert_int_equal(hv_smb2_negotiate_request(req), 112);
	assert_int_equal(hv_smb2_frame_length(req, 4), 112);
	assert_int_equal(req[4 + 14], 1);
	assert_int_equal(req[4 + 64 + 2], 4);
	assert_int_equal(hv_smb2_frame_length(buf, len), len);
	assert_int_equal(hv_smb2_negotiate_parse(buf, len, &neg, &err), 0);
	assert_true(neg.system_time == ft);
	assert_int_equal(neg.dialect, 0x0311);
	/* an SMB1 answer */
	memcpy(buf + 4, "\xffSMB", 4);
	assert_int_equal(hv_smb2_negotiate_parse(buf, len, &neg, &err),
			 HV_ERR_INPUT);
	assert_non_null(strstr(err.message, "SMB1"));
	/* an error status */
	len = smb2_reply(buf, ft);
	put_le(buf + 12, 0xC0000022u, 4);
	assert_int_equal(hv_smb2_negotiate_parse(buf, len, &neg, &err),
			 HV_ERR_INPUT);
	assert_string_equal(err.where, "SMB2 reply offset 12");
	/* cut short before SystemTime: the header says 129 bytes */
	len = smb2_reply(buf, ft);
	assert_int_equal(hv_smb2_negotiate_parse(buf, 100, &neg, &err),
			 HV_ERR_INPUT);
	/* a frame whose length field lies short */
	buf[3] = 70;
	assert_int_equal(hv_smb2_negotiate_parse(buf, len, &neg, &err),
			 HV_ERR_INPUT);
	assert_string_equal(err.where, "SMB2 reply offset 74");
}

static void test_sntp(void **state)
{
	unsigned char req[HV_SNTP_PACKET_LEN], rep[HV_SNTP_PACKET_LEN];
	struct hv_sntp_reply r;
	struct hv_error err;
	uint64_t sent = 0x1122334455667788ULL;

	(void)state;
	hv_sntp_request(req, sent);
	assert_int_equal(req[0], 0x23);
	memcpy(rep, req, sizeof(rep));
	rep[0] = 0x24; /* VN 4, server */
	rep[1] = 2;
	memcpy(rep + 24, req + 40, 8); /* originate = our transmit */
	memset(rep + 32, 0x11, 8);
	memset(rep + 40, 0x22, 8);
	assert_int_equal(hv_sntp_parse(rep, sizeof(rep), sent, &r, &err), 0);
	assert_true(r.transmit == 0x2222222222222222ULL);
	assert_int_equal(r.leap, 0);
	/* not our request */
	assert_int_equal(hv_sntp_parse(rep, sizeof(rep), sent + 1, &r, &err),
			 HV_ERR_INPUT);
	assert_string_equal(err.where, "SNTP reply offset 24");
	/* kiss-o'-death */
	rep[1] = 0;
	memcpy(rep + 12, "RATE", 4);
	assert_int_equal(hv_sntp_parse(rep, sizeof(rep), sent, &r, &err),
			 HV_ERR_INPUT);
	assert_string_equal(r.kiss, "RATE");
	/* a client packet is not an answer; 47 bytes is not a packet */
	rep[1] = 2;
	rep[0] = 0x23;
	assert_int_equal(hv_sntp_parse(rep, sizeof(rep), sent, &r, &err),
			 HV_ERR_INPUT);
	assert_int_equal(hv_sntp_parse(rep, 47, sent, &r, &err), HV_ERR_INPUT);
	assert_string_equal(err.where, "SNTP reply offset 40");
}

static void test_http_date(void **state)
{
	static const char reply[] = "HTTP/1.1 405 Method Not Allowed\r\n"
				    "Server: Microsoft-HTTPAPI/2.0\r\n"
				    "Date: Tue, 01 Dec 2026 10:15:00 GMT\r\n"
				    "Content-Length: 0\r\n\r\nbody";
	struct hv_http_head head;
	struct hv_error err;
	int64_t t;

	(void)state;
	assert_true(
		hv_http_date_parse("Tue, 01 Dec 2026 10:15:00 GMT", 29, &t));
	assert_int_equal(t, T_2026);
	assert_true(
		hv_http_date_parse("Tuesday, 01-Dec-26 10:15:00 GMT", 31, &t));
	assert_int_equal(t, T_2026);
	assert_true(hv_http_date_parse("Tue Dec  1 10:15:00 2026", 24, &t));
	assert_int_equal(t, T_2026);
	/* near misses */
	assert_false(
		hv_http_date_parse("Tue, 01 Dec 2026 10:15:00 UTC", 29, &t));
	assert_false(
		hv_http_date_parse("Tue, 31 Nov 2026 10:15:00 GMT", 29, &t));
	assert_false(hv_http_date_parse("Tue, 01 Dec 2026 10:15 GMT", 26, &t));
	/* issue 18 item 12: a year-2611 Date read as "in step" (its
	 * nanoseconds overflowed); outside 1970-2200 is refused */
	assert_false(
		hv_http_date_parse("Sat, 01 Jan 2611 00:00:00 GMT", 29, &t));
	assert_false(
		hv_http_date_parse("Wed, 01 Jan 2200 00:00:00 GMT", 29, &t));
	assert_true(
		hv_http_date_parse("Tue, 31 Dec 2199 23:59:59 GMT", 29, &t));
	assert_false(
		hv_http_date_parse("Wed, 31 Dec 1969 23:59:59 GMT", 29, &t));
	assert_false(hv_http_date_parse("Fri Dec 31 23:59:59 9999", 24, &t));
	assert_int_equal(hv_http_head_length((const unsigned char *)reply,
					     sizeof(reply) - 1),
			 sizeof(reply) - 5);
	assert_int_equal(hv_http_head_parse((const unsigned char *)reply,
					    sizeof(reply) - 5, &head, &err),
			 0);
	assert_int_equal(head.status, 405);
	assert_true(head.has_date);
	assert_int_equal(head.date, T_2026);
	assert_string_equal(head.server, "Microsoft-HTTPAPI/2.0");
	assert_int_equal(
		hv_http_head_parse((const unsigned char *)"SSH-2.0-x\r\n\r\n",
				   13, &head, &err),
		HV_ERR_INPUT);
	assert_int_equal(
		hv_http_head_parse(
			(const unsigned char *)"HTTP/1.1 200 OK\r\n"
					       "Date: yesterday\r\n\r\n",
			36, &head, &err),
		HV_ERR_INPUT);
	assert_string_equal(err.where, "HTTP reply offset 17");
}

static void test_generalized_time(void **state)
{
	int64_t ns;

	(void)state;
	assert_true(hv_generalized_time_parse("20261201101500.0Z", 17, &ns));
	assert_int_equal(ns, T_2026 * HV_NS_PER_SEC);
	assert_true(hv_generalized_time_parse("20261201101500.25Z", 18, &ns));
	assert_int_equal(ns, T_2026 * HV_NS_PER_SEC + 250000000);
	assert_false(hv_generalized_time_parse("20261201101500.0", 16, &ns));
	assert_false(hv_generalized_time_parse("20261301101500Z", 15, &ns));
	assert_false(hv_generalized_time_parse("20261201101500+0100", 19, &ns));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filetime),
		cmocka_unit_test(test_ntp_eras),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_smb2),
		cmocka_unit_test(test_sntp),
		cmocka_unit_test(test_http_date),
		cmocka_unit_test(test_generalized_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
