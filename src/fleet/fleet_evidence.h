/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The evidence for sizing a fleet, per host, read from the Prometheus that
 * already scrapes `auditpeak serve`: the window-peak histogram and the
 * highest window peak over a time range, the backlog limit, lost records,
 * wait time, the measured record size and the peak source.
 *
 * Every query is an instant query evaluated once at the range's end and
 * aggregated by the server (max_over_time, last_over_time, ...), so each
 * answers one number per host: the number of queries is fixed (it does not
 * grow with hosts or with the range) and memory holds one answer at a time.
 * Histogram buckets are asked for one `le` at a time for the same reason.
 */
#ifndef AUDITPEAK_FLEET_FLEET_EVIDENCE_H
#define AUDITPEAK_FLEET_FLEET_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "auditpeak/error.h"
#include "observe/snapshot.h"
#include "prom_client.h"

#define FLEET_NAME_MAX 256

struct fleet_counter {
	bool have_last;   /* a sample in the range */
	bool have_first;  /* a value at (or first after) the range's start */
	double last, first;
};

struct fleet_host {
	char job[FLEET_NAME_MAX];
	char instance[FLEET_NAME_MAX];
	char source[AP_PEAK_SOURCE_MAX]; /* "kernel", "bpf", "sample", "none" */
	bool source_exact;               /* the source says exact */
	bool source_changed;             /* more than one source in the range */
	bool have_max;
	uint32_t max_peak;               /* max_over_time(last window peak) */
	bool lower_bound_window;         /* some window was not exact */
	bool have_limit;
	uint32_t limit;                  /* last backlog_limit in the range */
	bool have_window_seconds;
	double window_seconds;
	struct fleet_counter buckets[AP_WINDOW_PEAK_FINITE_BUCKETS];
	struct fleet_counter count;      /* windows closed (+Inf bucket) */
	struct fleet_counter lost;
	struct fleet_counter wait_seconds, wait_jiffies;
	struct fleet_counter record_bytes, records_sized;
};

struct fleet_query_options {
	const char *selector;   /* "{job=\"auditpeak\"}" */
	uint64_t range_s;       /* seconds, > 0 */
	double at;              /* unix time the range ends */
};

struct fleet {
	struct fleet_host *hosts; /* sorted by job, instance */
	size_t n;
};

/*
 * Read the evidence of every host the selector matches.  No host matched
 * is an error (AP_ERR_UNSUPPORTED) saying what was asked.
 */
int fleet_gather(struct prom_client *c, const struct fleet_query_options *o,
		 struct fleet *f, struct ap_error *err);
void fleet_free(struct fleet *f);

/*
 * A counter's increase over the range: last - first, or last alone when
 * the counter went down (serve lost its state file and counts from 0).
 * *restarted tells the second case.
 */
double fleet_counter_increase(const struct fleet_counter *c, bool *restarted);

/*
 * The window-peak histogram of the range from the cumulative bucket
 * counters: per bucket, not cumulative.  Returns false when the host has
 * no histogram (no window closed in the range, or no owner).
 */
bool fleet_window_histogram(const struct fleet_host *h,
			    struct ap_window_histogram *out, bool *restarted);

/*
 * Build "name{inner,extra}" from a selector "{inner}" (or "" / "{}"):
 * 0, or -1 when @selector is not a braced matcher list.
 */
int fleet_selector_query(const char *selector, const char *name,
			 const char *extra, char *out, size_t cap);

#endif /* AUDITPEAK_FLEET_FLEET_EVIDENCE_H */
