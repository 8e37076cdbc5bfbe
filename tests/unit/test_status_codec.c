// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The codec over every payload length 0..64: a field is present iff the
 * payload covers it (and, for backlog_max_depth, feature_bitmap has its
 * bit), and nothing past the payload is read (each payload is its own heap
 * block of exactly that size, so ASan sees any over-read).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auditpeak/abi.h"
#include "auditpeak/status.h"

static unsigned char *payload_of(size_t len)
{
	unsigned char *p = malloc(len ? len : 1);

	assert_non_null(p);
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(0x10 + i);
	/* feature_bitmap's low byte: 0x30 + 0x80, the backlog_max_depth bit */
	if (len > AP_OFF_FEATURE_BITMAP)
		p[AP_OFF_FEATURE_BITMAP] |= AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH;
	return p;
}

static void every_length(void **state)
{
	(void)state;
	for (size_t len = 0; len <= 64; len++) {
		unsigned char *p = payload_of(len);
		struct ap_status st;

		ap_status_decode(p, len, &st);
		assert_int_equal(st.payload_len, len);
		for (int f = 0; f < AP_FIELD_COUNT; f++) {
			size_t off = ap_field_offset(f);
			uint32_t want;

			if (len >= off + 4) {
				assert_true(ap_status_has(&st, f));
				memcpy(&want, p + off, 4);
				assert_int_equal(st.value[f], want);
			} else {
				assert_false(ap_status_has(&st, f));
				assert_int_equal(st.value[f], 0);
			}
		}
		free(p);
	}
}

static void known_kernel_sizes(void **state)
{
	static const struct {
		size_t len;
		enum ap_field last;
	} sizes[] = {
		{ 32, AP_FIELD_BACKLOG },                  /* before 3.12 */
		{ 36, AP_FIELD_FEATURE_BITMAP },           /* 3.12 */
		{ 40, AP_FIELD_BACKLOG_WAIT_TIME },        /* 3.14 */
		{ 44, AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL }, /* 5.10 .. today */
		{ 48, AP_FIELD_BACKLOG_MAX_DEPTH },        /* the patch */
		{ 52, AP_FIELD_BACKLOG_MAX_DEPTH },        /* a future kernel */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = payload_of(sizes[i].len);
		struct ap_status st;

		ap_status_decode(p, sizes[i].len, &st);
		for (int f = 0; f < AP_FIELD_COUNT; f++)
			assert_int_equal(ap_status_has(&st, f),
					 f <= (int)sizes[i].last);
		free(p);
	}
}

/* 48 bytes without the feature bit: a build of the proposal before it had
 * one, or a kernel that put another field there; either way not ours. */
static void max_depth_needs_its_feature_bit(void **state)
{
	unsigned char *p = payload_of(48);
	struct ap_status st;
	uint32_t bitmap;
	char why[160];

	(void)state;
	ap_status_decode(p, 48, &st);
	assert_true(ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH));
	memcpy(&bitmap, p + AP_OFF_FEATURE_BITMAP, 4);
	bitmap &= ~(uint32_t)AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH;
	memcpy(p + AP_OFF_FEATURE_BITMAP, &bitmap, 4);
	ap_status_decode(p, 48, &st);
	assert_false(ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH));
	assert_int_equal(st.value[AP_FIELD_BACKLOG_MAX_DEPTH], 0);
	assert_true(ap_status_has(&st, AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL));
	/* the messages say which of the two is missing */
	assert_non_null(strstr(ap_status_absence(&st, AP_FIELD_BACKLOG_MAX_DEPTH,
						 why, sizeof(why)),
			       "48 bytes has no feature bit 0x80"));
	ap_status_decode(p, 44, &st);
	assert_string_equal(ap_status_absence(&st, AP_FIELD_BACKLOG_MAX_DEPTH,
					      why, sizeof(why)),
			    "AUDIT_GET reply is 44 bytes");
	free(p);
}

/* The RFC's two __u64: only a 64-byte reply with bit 0x100 has them. */
static void sums_need_64_bytes_and_their_bit(void **state)
{
	unsigned char *p = payload_of(64);
	uint64_t records = 123456789012345ULL, depth = 0xfedcba9876543210ULL;
	uint32_t bitmap = AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH |
			  AUDIT_FEATURE_BITMAP_BACKLOG_DEPTH_SUM;
	struct ap_status st;

	(void)state;
	memcpy(p + AP_OFF_FEATURE_BITMAP, &bitmap, 4);
	memcpy(p + AP_OFF_BACKLOG_RECORDS, &records, 8);
	memcpy(p + AP_OFF_BACKLOG_DEPTH_SUM, &depth, 8);
	ap_status_decode(p, 64, &st);
	assert_true(st.has_backlog_sums);
	assert_true(st.backlog_records == records);
	assert_true(st.backlog_depth_sum == depth);
	assert_true(ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH));
	ap_status_decode(p, 63, &st);
	assert_false(st.has_backlog_sums);
	assert_true(st.backlog_records == 0 && st.backlog_depth_sum == 0);
	bitmap = AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH;
	memcpy(p + AP_OFF_FEATURE_BITMAP, &bitmap, 4);
	ap_status_decode(p, 64, &st);
	assert_false(st.has_backlog_sums);
	assert_true(ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH));
	free(p);
}

static void abi_offsets(void **state)
{
	(void)state;
	/* The ABI is byte for byte the upstream proposal's (docs/abi.md). */
	assert_int_equal(ap_field_offset(AP_FIELD_LOST), 24);
	assert_int_equal(ap_field_offset(AP_FIELD_BACKLOG), 28);
	assert_int_equal(ap_field_offset(AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL), 40);
	assert_int_equal(ap_field_offset(AP_FIELD_BACKLOG_MAX_DEPTH), 44);
	assert_int_equal(ap_field_set_mask(AP_FIELD_BACKLOG_MAX_DEPTH), 0x100);
	assert_int_equal(AUDIT_STATUS_BACKLOG_MAX_DEPTH, 0x0100);
	assert_int_equal(AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH, 0x00000080);
	assert_int_equal(AUDIT_FEATURE_BITMAP_BACKLOG_DEPTH_SUM, 0x00000100);
	assert_int_equal(AP_OFF_BACKLOG_RECORDS, 48);
	assert_int_equal(AP_OFF_BACKLOG_DEPTH_SUM, 56);
	assert_int_equal(ap_field_set_mask(AP_FIELD_LOST), 0x40);
	assert_int_equal(ap_field_set_mask(AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL), 0x80);
	assert_int_equal(ap_field_set_mask(AP_FIELD_BACKLOG), 0);
}

static void names_round_trip(void **state)
{
	(void)state;
	for (int f = 0; f < AP_FIELD_COUNT; f++)
		assert_int_equal(ap_field_by_name(ap_field_name(f)), f);
	assert_int_equal(ap_field_by_name("nonsense"), AP_FIELD_COUNT);
	assert_string_equal(ap_field_name(AP_FIELD_COUNT), "unknown");
	assert_false(ap_status_has(&(struct ap_status){ .present = ~0u },
				   AP_FIELD_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_length),
		cmocka_unit_test(known_kernel_sizes),
		cmocka_unit_test(max_depth_needs_its_feature_bit),
		cmocka_unit_test(sums_need_64_bytes_and_their_bit),
		cmocka_unit_test(abi_offsets),
		cmocka_unit_test(names_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
