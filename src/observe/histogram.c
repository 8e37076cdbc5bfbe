// SPDX-License-Identifier: GPL-2.0-or-later
/* The window-peak histogram and the names of watched values. */
#include "snapshot.h"

uint64_t ap_window_bucket_bound(int i)
{
	return i == 0 ? 0 : (uint64_t)1 << (i - 1);
}

void ap_window_histogram_observe(struct ap_window_histogram *h, uint32_t v)
{
	int i;

	for (i = 0; i < AP_WINDOW_PEAK_FINITE_BUCKETS; i++)
		if (v <= ap_window_bucket_bound(i))
			break;
	h->bucket[i]++;
	h->count++;
	h->sum += v;
}

const char *ap_watched_name(enum ap_watched w)
{
	static const char *const names[AP_WATCH_COUNT] = {
		[AP_WATCH_MAX_DEPTH] = "backlog_max_depth",
		[AP_WATCH_LOST] = "lost",
		[AP_WATCH_WAIT_ACTUAL] = "backlog_wait_time_actual",
	};

	return w < AP_WATCH_COUNT ? names[w] : "unknown";
}
