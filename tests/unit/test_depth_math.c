// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The arithmetic the eBPF probe and the bpf backend share: log2 buckets
 * of depth, and the packed samples the time-weighted mean integrates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "depth_math.h"
#include "auditpeak/peak.h"

static void bucket_edges(void **state)
{
	(void)state;
	assert_int_equal(ap_depth_bucket(0), 0);
	assert_int_equal(ap_depth_bucket(1), 1);
	assert_int_equal(ap_depth_bucket(2), 2);
	assert_int_equal(ap_depth_bucket(3), 2);
	assert_int_equal(ap_depth_bucket(4), 3);
	assert_int_equal(ap_depth_bucket(8191), 13);
	assert_int_equal(ap_depth_bucket(8192), 14);
	assert_int_equal(ap_depth_bucket(UINT32_MAX), 32);
	assert_true(ap_depth_bucket(UINT32_MAX) < AP_DEPTH_BUCKETS);
}

/* Bucket i holds [2^(i-1), 2^i): check every boundary against a shift. */
static void bucket_every_power(void **state)
{
	(void)state;
	for (unsigned int i = 1; i <= 32; i++) {
		uint64_t lo = 1ULL << (i - 1), hi = (1ULL << i) - 1;

		assert_int_equal(ap_depth_bucket((unsigned int)lo), i);
		assert_int_equal(ap_depth_bucket((unsigned int)hi), i);
		if (lo > 1)
			assert_int_equal(ap_depth_bucket((unsigned int)lo - 1), i - 1);
	}
}

static void pack_round_trip(void **state)
{
	unsigned long long p = ap_twm_pack(5ULL << AP_TWM_TIME_SHIFT, 1234);

	(void)state;
	assert_int_equal(ap_twm_depth(p), 1234);
	assert_int_equal(p >> AP_TWM_DEPTH_BITS, 5);
	/* Depth saturates instead of spilling into the time bits. */
	p = ap_twm_pack(7ULL << AP_TWM_TIME_SHIFT, 1u << 30);
	assert_int_equal(ap_twm_depth(p), AP_TWM_DEPTH_MASK);
	assert_int_equal(p >> AP_TWM_DEPTH_BITS, 7);
	/* Never 0, which means "no sample". */
	assert_true(ap_twm_pack(0, 0) != 0);
}

static void trapezoid_area(void **state)
{
	unsigned long long a = ap_twm_pack(100ULL << AP_TWM_TIME_SHIFT, 10);
	unsigned long long b = ap_twm_pack(110ULL << AP_TWM_TIME_SHIFT, 30);

	(void)state;
	assert_int_equal(ap_twm_interval(a, b), 10);
	/* (10 + 30) x 10 units, twice the trapezoid's area of 200. */
	assert_int_equal(ap_twm_area2(a, b), 400);
	/* A constant depth: twice depth x time. */
	assert_int_equal(ap_twm_area2(b, ap_twm_pack(120ULL << AP_TWM_TIME_SHIFT, 30)),
			 2 * 30 * 10);
}

/* The mean of a drain from 100 to 0 over 50 units, then 0 for 50 more. */
static void mean_of_a_burst(void **state)
{
	unsigned long long s0 = ap_twm_pack(0ULL << AP_TWM_TIME_SHIFT, 100);
	unsigned long long s1 = ap_twm_pack(50ULL << AP_TWM_TIME_SHIFT, 0);
	unsigned long long s2 = ap_twm_pack(100ULL << AP_TWM_TIME_SHIFT, 0);
	unsigned long long area2 = ap_twm_area2(s0, s1) + ap_twm_area2(s1, s2);

	(void)state;
	/* Triangle 100 x 50 / 2 = 2500 over 100 units: mean 25. */
	assert_int_equal(area2 / 2 / 100, 25);
}

static void interval_wraps_and_reorders(void **state)
{
	unsigned long long late = ap_twm_pack(AP_TWM_TIME_MASK << AP_TWM_TIME_SHIFT, 1);
	unsigned long long wrapped = ap_twm_pack(4ULL << AP_TWM_TIME_SHIFT, 1);

	(void)state;
	/* 2^40 - 1 -> 4 (mod 2^40) is 5 units. */
	assert_int_equal(ap_twm_interval(late, wrapped), 5);
	/* Two CPUs swapping in slightly out of clock order: no time, not 2^40. */
	assert_int_equal(ap_twm_interval(wrapped, ap_twm_pack(3ULL << AP_TWM_TIME_SHIFT, 1)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bucket_edges),
		cmocka_unit_test(bucket_every_power),
		cmocka_unit_test(pack_round_trip),
		cmocka_unit_test(trapezoid_area),
		cmocka_unit_test(mean_of_a_burst),
		cmocka_unit_test(interval_wraps_and_reorders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
