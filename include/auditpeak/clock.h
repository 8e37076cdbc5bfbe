/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The clocks everything here reads: CLOCK_MONOTONIC for durations and
 * deadlines (it never jumps; it is also what bpf_ktime_get_ns() returns),
 * CLOCK_REALTIME only for timestamps a person or Prometheus reads.
 */
#ifndef AUDITPEAK_CLOCK_H
#define AUDITPEAK_CLOCK_H

#include <stdint.h>

uint64_t ap_now_mono_ns(void);
uint64_t ap_now_mono_ms(void);

/* Seconds since the epoch, with the fraction. */
double ap_now_unix(void);

#endif /* AUDITPEAK_CLOCK_H */
