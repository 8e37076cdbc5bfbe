// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "advice.h"

bool ap_advice_percentile(const struct ap_window_histogram *h,
			  uint32_t per_mille, uint32_t max, uint32_t *out)
{
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return false;
	/* The rank-th smallest window peak, 1-based, rounding up. */
	rank = (h->count * per_mille + 999) / 1000;
	if (rank == 0)
		rank = 1;
	for (int i = 0; i < AP_WINDOW_PEAK_FINITE_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t bound = ap_window_bucket_bound(i);

			*out = bound < max ? (uint32_t)bound : max;
			return true;
		}
	}
	/* In the +Inf bucket: only the max bounds it. */
	*out = max;
	return true;
}

/* Highest value the histogram can vouch for: the top non-empty bucket's
 * bound (used when no exact max came with it, as from an old state file). */
static uint32_t histogram_top(const struct ap_window_histogram *h)
{
	for (int i = AP_WINDOW_PEAK_FINITE_BUCKETS - 1; i >= 0; i--)
		if (h->bucket[i])
			return (uint32_t)ap_window_bucket_bound(i);
	return 0;
}

void ap_advice_compute(const struct ap_advice_input *in, struct ap_advice *out)
{
	uint64_t base, want;
	uint32_t max;

	memset(out, 0, sizeof(*out));
	out->windows = in->window_peaks.count;
	max = in->have_max ? in->max_peak : histogram_top(&in->window_peaks);
	out->max = max;
	out->have_percentiles =
		ap_advice_percentile(&in->window_peaks, 500, max, &out->p50) &&
		ap_advice_percentile(&in->window_peaks, 990, max, &out->p99);
	out->too_few_windows = out->windows < AP_ADVICE_MIN_WINDOWS;
	out->under_a_day = in->duration_seconds > 0 &&
			   in->duration_seconds < AP_ADVICE_DAY_SECONDS;
	out->limit_reached = in->lost > 0 ||
			     (in->current_limit && max >= in->current_limit);
	if (!out->have_percentiles && !in->have_max)
		return;
	/* Size for the worst burst seen, not the p99: the one window above
	 * the p99 is the one that loses records. */
	base = max;
	want = (base * in->headroom_percent + 99) / 100;
	if (want < AP_ADVICE_MIN_LIMIT)
		want = AP_ADVICE_MIN_LIMIT;
	want = (want + AP_ADVICE_ROUND - 1) / AP_ADVICE_ROUND * AP_ADVICE_ROUND;
	if (want > UINT32_MAX)
		want = UINT32_MAX;
	out->have_recommendation = true;
	out->recommended = (uint32_t)want;
	out->memory_bytes = want * in->bytes_per_record;
	out->memory_worst_bytes = out->memory_bytes * AP_ADVICE_QUEUES;
}
