// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * advise's arithmetic on recorded inputs: fixed window histograms give
 * exactly these percentiles, recommendation, memory and warnings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "observe/advice.h"

static void observe_n(struct ap_window_histogram *h, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		ap_window_histogram_observe(h, v);
}

static struct ap_advice_input input(void)
{
	struct ap_advice_input in;

	memset(&in, 0, sizeof(in));
	in.headroom_percent = AP_ADVICE_DEFAULT_HEADROOM_PERCENT;
	in.bytes_per_record = AP_ADVICE_RECORD_BYTES_ESTIMATE;
	return in;
}

static void percentiles_are_bucket_bounds_capped_at_max(void **state)
{
	struct ap_window_histogram h = { 0 };
	uint32_t v;

	(void)state;
	observe_n(&h, 3, 50);   /* bucket le=4 */
	observe_n(&h, 100, 49); /* bucket le=128 */
	observe_n(&h, 900, 1);  /* bucket le=1024 */
	assert_true(ap_advice_percentile(&h, 500, 900, &v));
	assert_int_equal(v, 4);
	assert_true(ap_advice_percentile(&h, 510, 900, &v));
	assert_int_equal(v, 128);
	assert_true(ap_advice_percentile(&h, 990, 900, &v));
	assert_int_equal(v, 128);
	assert_true(ap_advice_percentile(&h, 1000, 900, &v));
	assert_int_equal(v, 900); /* 1024 capped at the max seen */
}

static void empty_histogram_has_no_percentile(void **state)
{
	struct ap_window_histogram h = { 0 };
	uint32_t v = 7;

	(void)state;
	assert_false(ap_advice_percentile(&h, 500, 0, &v));
	assert_int_equal(v, 7);
}

static void huge_peaks_land_in_the_inf_bucket(void **state)
{
	struct ap_window_histogram h = { 0 };
	uint32_t v;

	(void)state;
	observe_n(&h, 3000000, 2); /* above 2^20 */
	assert_true(ap_advice_percentile(&h, 500, 3000000, &v));
	assert_int_equal(v, 3000000);
}

static void recommends_twice_the_max_rounded_to_64(void **state)
{
	struct ap_advice_input in = input();
	struct ap_advice a;

	(void)state;
	observe_n(&in.window_peaks, 10, 60);
	observe_n(&in.window_peaks, 1500, 40);
	in.have_max = true;
	in.max_peak = 1700;
	in.duration_seconds = 100 * 60;
	in.current_limit = 8192;
	ap_advice_compute(&in, &a);
	assert_int_equal(a.windows, 100);
	assert_int_equal(a.p50, 16);
	assert_int_equal(a.p99, 1700); /* bucket le=2048, capped */
	assert_int_equal(a.max, 1700);
	assert_true(a.have_recommendation);
	assert_int_equal(a.recommended, 3456); /* 3400 -> next multiple of 64 */
	assert_int_equal(a.memory_bytes, 3456ULL * 2304);
	assert_int_equal(a.memory_worst_bytes, 3ULL * 3456 * 2304);
	assert_false(a.too_few_windows);
	assert_true(a.under_a_day);
	assert_false(a.limit_reached);
}

static void small_peaks_get_the_kernel_default(void **state)
{
	struct ap_advice_input in = input();
	struct ap_advice a;

	(void)state;
	observe_n(&in.window_peaks, 1, 40);
	in.have_max = true;
	in.max_peak = 1;
	ap_advice_compute(&in, &a);
	assert_int_equal(a.recommended, AP_ADVICE_MIN_LIMIT);
	assert_false(a.under_a_day); /* duration unknown: no claim */
}

static void headroom_and_record_size_are_inputs(void **state)
{
	struct ap_advice_input in = input();
	struct ap_advice a;

	(void)state;
	observe_n(&in.window_peaks, 1000, 30);
	in.have_max = true;
	in.max_peak = 1000;
	in.headroom_percent = 150;
	in.bytes_per_record = 4096;
	ap_advice_compute(&in, &a);
	assert_int_equal(a.recommended, 1536);
	assert_int_equal(a.memory_bytes, 1536ULL * 4096);
}

static void short_evidence_and_lost_records_warn(void **state)
{
	struct ap_advice_input in = input();
	struct ap_advice a;

	(void)state;
	observe_n(&in.window_peaks, 64, 5);
	in.have_max = true;
	in.max_peak = 64;
	in.current_limit = 64;
	in.duration_seconds = 50;
	ap_advice_compute(&in, &a);
	assert_true(a.too_few_windows);
	assert_true(a.under_a_day);
	assert_true(a.limit_reached); /* the peak touched the limit */
	in.current_limit = 0;
	in.lost = 3;
	ap_advice_compute(&in, &a);
	assert_true(a.limit_reached);
}

static void without_exact_max_the_top_bucket_bounds_it(void **state)
{
	struct ap_advice_input in = input();
	struct ap_advice a;

	(void)state;
	observe_n(&in.window_peaks, 300, 3); /* bucket le=512 */
	ap_advice_compute(&in, &a);
	assert_int_equal(a.max, 512);
	assert_int_equal(a.p50, 512);
	assert_int_equal(a.recommended, 1024);
}

static void no_evidence_no_recommendation(void **state)
{
	struct ap_advice_input in = input();
	struct ap_advice a;

	(void)state;
	ap_advice_compute(&in, &a);
	assert_false(a.have_percentiles);
	assert_false(a.have_recommendation);
	assert_true(a.too_few_windows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percentiles_are_bucket_bounds_capped_at_max),
		cmocka_unit_test(empty_histogram_has_no_percentile),
		cmocka_unit_test(huge_peaks_land_in_the_inf_bucket),
		cmocka_unit_test(recommends_twice_the_max_rounded_to_64),
		cmocka_unit_test(small_peaks_get_the_kernel_default),
		cmocka_unit_test(headroom_and_record_size_are_inputs),
		cmocka_unit_test(short_evidence_and_lost_records_warn),
		cmocka_unit_test(without_exact_max_the_top_bucket_bounds_it),
		cmocka_unit_test(no_evidence_no_recommendation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
