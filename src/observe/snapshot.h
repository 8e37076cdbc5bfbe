/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What `auditpeak serve` publishes: one plain struct, filled by the poller
 * and copied whole by every scrape, so rendering is a pure function of it
 * and no scrape ever touches the kernel.
 */
#ifndef AUDITPEAK_OBSERVE_SNAPSHOT_H
#define AUDITPEAK_OBSERVE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "auditpeak/peak.h"
#include "auditpeak/status.h"

/*
 * Window-peak histogram bounds: le = 0, 1, 2, 4, ... 2^20, then +Inf.
 * Powers of two because limits are usually set as powers of two (64, 8192)
 * and headroom questions are "which power do I need".
 */
#define AP_WINDOW_PEAK_FINITE_BUCKETS 22
#define AP_WINDOW_PEAK_BUCKETS (AP_WINDOW_PEAK_FINITE_BUCKETS + 1)

struct ap_window_histogram {
	uint64_t bucket[AP_WINDOW_PEAK_BUCKETS]; /* per bucket, not cumulative */
	uint64_t count;
	uint64_t sum;
};

/* Upper bound (inclusive) of finite bucket @i. */
uint64_t ap_window_bucket_bound(int i);
void ap_window_histogram_observe(struct ap_window_histogram *h, uint32_t v);

/* The kernel values that can be reset from outside, each watched for it. */
enum ap_watched {
	AP_WATCH_MAX_DEPTH,   /* the peak backend's high-water mark */
	AP_WATCH_LOST,
	AP_WATCH_WAIT_ACTUAL, /* backlog_wait_time_actual */
	AP_WATCH_COUNT
};

const char *ap_watched_name(enum ap_watched w);

#define AP_PEAK_SOURCE_MAX 16

/* A source that gives no reading for this many polls in a row is down. */
#define AP_PEAK_UNHEALTHY_POLLS 10

struct ap_exporter_snapshot {
	/* How this instance runs. */
	char peak_source[AP_PEAK_SOURCE_MAX]; /* "kernel", "bpf", "sample", "none" */
	bool peak_exact;      /* false: the peak is a lower bound */
	bool owner;           /* this instance read-and-clears at window ends */
	uint32_t kernel_hz;   /* 0: unknown, wait times stay in jiffies */
	double interval_seconds;
	double window_seconds;
	double start_time;    /* unix seconds */

	/* The last poll. */
	bool up;              /* the last AUDIT_GET succeeded */
	double last_poll_time;
	struct ap_status status; /* valid when up */
	bool have_peak;       /* peak_current is a backend reading */
	uint32_t peak_current; /* high-water mark since the last clear */
	/* Polls in a row that got no peak reading from a source there is
	 * (failed, or still not ready): past AP_PEAK_UNHEALTHY_POLLS the
	 * source is down and /healthz says so. */
	uint64_t peak_failing_polls;

	/* Cumulative, kept across restarts by the state file. */
	uint64_t polls;
	uint64_t poll_errors;
	uint64_t resets;      /* our own window-end read-and-clears */
	uint64_t windows;     /* windows closed with a peak */
	uint64_t foreign_resets[AP_WATCH_COUNT];
	uint64_t probe_missed;   /* records the peak source missed (bpf) */
	uint64_t lost_total;  /* records lost, summed across kernel resets */
	uint64_t wait_actual_total_jiffies;
	bool have_max_since_start;
	uint32_t max_since_start;
	struct ap_window_histogram window_peaks;

	/* The last closed window. */
	bool have_last_window;
	uint32_t last_window_peak;
	bool last_window_exact;
	double last_window_peak_time; /* the poll that first saw it, or the window end */
	double last_window_end_time;

	/* Only backends that see every enqueue (bpf). */
	bool have_distribution;
	struct ap_depth_distribution distribution;
};

#endif /* AUDITPEAK_OBSERVE_SNAPSHOT_H */
