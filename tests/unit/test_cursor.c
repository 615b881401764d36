/* The bounded cursor every binary reader is built on: byte order, the
 * sticky failure with its offset, sub-cursors that keep absolute offsets,
 * and no read past the end whatever the caller asks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/cursor.h"

static const unsigned char bytes[] = {0x01, 0x02, 0x03, 0x04,
				      0x05, 0x06, 0x07, 0x08};

static void test_byte_order(void **state)
{
	struct hv_cursor cur;

	(void)state;
	hv_cursor_init(&cur, bytes, sizeof(bytes), 0);
	assert_int_equal(hv_cursor_le16(&cur), 0x0201);
	assert_int_equal(hv_cursor_be16(&cur), 0x0304);
	assert_int_equal(hv_cursor_le32(&cur), 0x08070605);
	assert_true(hv_cursor_ok(&cur));
	assert_int_equal(hv_cursor_remaining(&cur), 0);
	hv_cursor_init(&cur, bytes, sizeof(bytes), 0);
	assert_true(hv_cursor_le64(&cur) == 0x0807060504030201ULL);
	hv_cursor_init(&cur, bytes, sizeof(bytes), 0);
	assert_true(hv_cursor_be64(&cur) == 0x0102030405060708ULL);
	hv_cursor_init(&cur, bytes, sizeof(bytes), 0);
	assert_int_equal(hv_cursor_be32(&cur), 0x01020304);
	assert_int_equal(hv_cursor_u8(&cur), 0x05);
}

static void test_failure_is_sticky_and_keeps_offset(void **state)
{
	struct hv_cursor cur;

	(void)state;
	hv_cursor_init(&cur, bytes, sizeof(bytes), 100);
	assert_int_equal(hv_cursor_le32(&cur), 0x04030201);
	assert_int_equal(hv_cursor_le64(&cur), 0); /* 4 left, 8 asked */
	assert_false(hv_cursor_ok(&cur));
	assert_int_equal(hv_cursor_offset(&cur), 104);
	/* later reads that would fit still fail, and the offset stays */
	assert_int_equal(hv_cursor_u8(&cur), 0);
	assert_null(hv_cursor_bytes(&cur, 1));
	assert_int_equal(hv_cursor_offset(&cur), 104);
	assert_int_equal(hv_cursor_remaining(&cur), 0);
}

static void test_huge_lengths_do_not_wrap(void **state)
{
	struct hv_cursor cur;

	(void)state;
	hv_cursor_init(&cur, bytes, sizeof(bytes), 0);
	hv_cursor_u8(&cur);
	assert_false(hv_cursor_skip(&cur, SIZE_MAX));
	hv_cursor_init(&cur, bytes, sizeof(bytes), 0);
	assert_false(hv_cursor_seek(&cur, sizeof(bytes) + 1));
	hv_cursor_init(&cur, bytes, sizeof(bytes), 0);
	assert_true(hv_cursor_seek(&cur, sizeof(bytes)));
	assert_int_equal(hv_cursor_remaining(&cur), 0);
	hv_cursor_init(&cur, NULL, 5, 0);
	assert_int_equal(hv_cursor_u8(&cur), 0);
	assert_false(hv_cursor_ok(&cur));
}

static void test_sub_cursor_keeps_absolute_offsets(void **state)
{
	struct hv_cursor cur, sub;

	(void)state;
	hv_cursor_init(&cur, bytes, sizeof(bytes), 1000);
	hv_cursor_skip(&cur, 2);
	assert_true(hv_cursor_sub(&cur, 4, &sub));
	assert_int_equal(hv_cursor_offset(&sub), 1002);
	assert_int_equal(hv_cursor_le32(&sub), 0x06050403);
	assert_int_equal(hv_cursor_le16(&sub), 0);
	assert_int_equal(hv_cursor_offset(&sub), 1006);
	/* the parent moved past the sub-cursor's bytes and is still good */
	assert_true(hv_cursor_ok(&cur));
	assert_int_equal(hv_cursor_le16(&cur), 0x0807);
	assert_false(hv_cursor_sub(&cur, 1, &sub));
	assert_false(hv_cursor_ok(&sub));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_byte_order),
		cmocka_unit_test(test_failure_is_sticky_and_keeps_offset),
		cmocka_unit_test(test_huge_lengths_do_not_wrap),
		cmocka_unit_test(test_sub_cursor_keeps_absolute_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
