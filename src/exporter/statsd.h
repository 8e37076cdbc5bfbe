/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * statsd / DogStatsD push, once per window:
 *   <prefix>.window_peak:N|g     the window's peak (when there is one)
 *   <prefix>.backlog:N|g         queue length at the last poll
 *   <prefix>.backlog_limit:N|g
 *   <prefix>.lost:N|c            records lost since the previous push
 * with "|#k:v,..." appended when tags are given (DogStatsD).  Lines are
 * packed into datagrams of at most AP_STATSD_MAX_DATAGRAM bytes, under the
 * 1432 that fit a 1500-byte MTU path with room for tunnels.
 */
#ifndef AUDITPEAK_EXPORTER_STATSD_H
#define AUDITPEAK_EXPORTER_STATSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auditpeak/error.h"

#define AP_STATSD_MAX_DATAGRAM 1431
#define AP_STATSD_MAX_PACKETS 5 /* one a line at worst: as many as lines */

struct ap_statsd_values {
	bool have_window_peak;
	uint32_t window_peak;
	bool window_peak_exact; /* sent as its own gauge: plain statsd has no tags */
	bool have_status;
	uint32_t backlog;
	uint32_t backlog_limit;
	uint64_t lost_delta;
};

struct ap_statsd_batch {
	char packet[AP_STATSD_MAX_PACKETS][AP_STATSD_MAX_DATAGRAM + 1];
	size_t len[AP_STATSD_MAX_PACKETS];
	int count;
};

/* Build the datagrams; @tags may be NULL.  Fails only if a line cannot fit. */
int ap_statsd_build(const struct ap_statsd_values *v, const char *prefix,
		    const char *tags, struct ap_statsd_batch *b,
		    struct ap_error *err);

struct ap_statsd;

/* Resolve "host:port" (UDP). */
int ap_statsd_open(struct ap_statsd **s, const char *target,
		   struct ap_error *err);
/* Send every datagram; fails on the first that the kernel refused. */
int ap_statsd_send(struct ap_statsd *s, const struct ap_statsd_batch *b,
		   struct ap_error *err);
void ap_statsd_close(struct ap_statsd *s);

#endif /* AUDITPEAK_EXPORTER_STATSD_H */
