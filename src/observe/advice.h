/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The arithmetic behind `auditpeak advise`: window-peak percentiles from
 * the window histogram, a recommended backlog_limit and the kernel memory
 * it may pin.  Pure: no clock, no kernel, no I/O, so fixed inputs give
 * exactly the same advice every time (tests/unit/test_advice.c).
 */
#ifndef AUDITPEAK_OBSERVE_ADVICE_H
#define AUDITPEAK_OBSERVE_ADVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "snapshot.h"

/*
 * Default headroom: recommend twice the highest window peak seen.  Why 2:
 * the evidence is a sample of days that will come again with bigger bursts
 * (a backup, a mass login), the sample backend is only a lower bound, and
 * the queue costs about 2 KiB per record, so doubling a limit of a few
 * thousand costs a few MiB while a too-small limit loses records or blocks
 * every audited caller.
 */
#define AP_ADVICE_DEFAULT_HEADROOM_PERCENT 200

/* Never advise below the kernel's own default backlog_limit. */
#define AP_ADVICE_MIN_LIMIT 64
/* Recommendations are rounded up to a multiple of this (a readable number;
 * the rounding costs at most 63 records). */
#define AP_ADVICE_ROUND 64

/*
 * Estimated kernel memory per queued record, in bytes.  An estimate, not a
 * measurement: audit_buffer_alloc() asks nlmsg_new() for AUDIT_BUFSIZ (1024)
 * bytes of payload; with the netlink header and skb_shared_info that is a
 * 2048-byte kmalloc, plus the 256-byte sk_buff itself (skb truesize 2304).
 * Records longer than 1 KiB (execve with long arguments) are expanded and
 * cost more, so treat the total as a floor.
 */
#define AP_ADVICE_RECORD_BYTES_ESTIMATE 2304

/*
 * Queues a full limit can fill: besides the main queue, kauditd keeps a
 * retry queue (records a daemon did not take) and a hold queue (records
 * kept while no daemon is registered), each capped at backlog_limit since
 * Linux 5.16 (uncapped retry queue before).  The worst case pins this many
 * times the main queue's memory.
 */
#define AP_ADVICE_QUEUES 3

/* Fewer windows than this cannot say what a p99 is. */
#define AP_ADVICE_MIN_WINDOWS 30
/* Evidence shorter than a day misses daily jobs (cron, backups, logrotate). */
#define AP_ADVICE_DAY_SECONDS 86400.0

struct ap_advice_input {
	struct ap_window_histogram window_peaks;
	bool have_max;
	uint32_t max_peak;        /* the highest peak seen, windows or not */
	double duration_seconds;  /* span of the evidence; 0: unknown */
	uint64_t lost;            /* records lost during the evidence */
	uint32_t current_limit;   /* backlog_limit now; 0: unknown or unlimited */
	uint32_t headroom_percent;
	uint32_t bytes_per_record;
};

struct ap_advice {
	uint64_t windows;
	bool have_percentiles;   /* at least one window */
	uint32_t p50, p99, max;  /* window peaks; p50/p99 are bucket bounds */
	bool have_recommendation;
	uint32_t recommended;
	uint64_t memory_bytes;   /* recommended * bytes_per_record */
	uint64_t memory_worst_bytes; /* with the retry and hold queues full */
	bool too_few_windows;    /* fewer than AP_ADVICE_MIN_WINDOWS */
	bool under_a_day;        /* known duration shorter than a day */
	bool limit_reached;      /* lost records, or the peak touched the limit */
};

/*
 * The window peak at or below which @per_mille / 1000 of the windows lie,
 * as the upper bound of its histogram bucket, capped at @max (the bucket's
 * bound can exceed anything seen).  An overestimate by at most a factor of
 * two, never an underestimate: the right side to err on for sizing.
 * Returns false for an empty histogram.
 */
bool ap_advice_percentile(const struct ap_window_histogram *h,
			  uint32_t per_mille, uint32_t max, uint32_t *out);

void ap_advice_compute(const struct ap_advice_input *in, struct ap_advice *out);

#endif /* AUDITPEAK_OBSERVE_ADVICE_H */
