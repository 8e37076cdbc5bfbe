// SPDX-License-Identifier: LGPL-2.1-or-later
#include <time.h>

#include "auditpeak/clock.h"

uint64_t ap_now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t ap_now_mono_ms(void)
{
	return ap_now_mono_ns() / 1000000u;
}

double ap_now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
