// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The two formats differ in the metadata lines (OpenMetrics names a family
 * without its _total/_info suffix, has # UNIT and ends in # EOF); samples
 * are written the same way, so one walk over the snapshot serves both.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "metrics.h"

enum kind { GAUGE, COUNTER, HISTOGRAM, SUMMARY, INFO };

struct emit {
	FILE *f;
	enum ap_metrics_format fmt;
};

const char *ap_metrics_content_type(enum ap_metrics_format f)
{
	return f == AP_FORMAT_OPENMETRICS ? AP_CONTENT_TYPE_OPENMETRICS
					  : AP_CONTENT_TYPE_TEXT;
}

static const char *suffix(enum kind k)
{
	return k == COUNTER ? "_total" : k == INFO ? "_info" : "";
}

/* The # lines of family @base; @unit is NULL when it has none. */
static void family(struct emit *e, const char *base, enum kind k,
		   const char *unit, const char *help)
{
	static const char *const om_type[] = {
		[GAUGE] = "gauge", [COUNTER] = "counter",
		[HISTOGRAM] = "histogram", [SUMMARY] = "summary", [INFO] = "info",
	};
	/* 0.0.4 has no info type: an info metric is a gauge of 1 there. */
	static const char *const text_type[] = {
		[GAUGE] = "gauge", [COUNTER] = "counter",
		[HISTOGRAM] = "histogram", [SUMMARY] = "summary", [INFO] = "gauge",
	};

	if (e->fmt == AP_FORMAT_OPENMETRICS) {
		fprintf(e->f, "# TYPE %s %s\n", base, om_type[k]);
		if (unit)
			fprintf(e->f, "# UNIT %s %s\n", base, unit);
		fprintf(e->f, "# HELP %s %s\n", base, help);
	} else {
		fprintf(e->f, "# HELP %s%s %s\n", base, suffix(k), help);
		fprintf(e->f, "# TYPE %s%s %s\n", base, suffix(k), text_type[k]);
	}
}

/* One sample; @labels is "" or `a="b",c="d"`. */
static void sample_u(struct emit *e, const char *name, const char *sfx,
		     const char *labels, uint64_t v)
{
	fprintf(e->f, "%s%s%s%s%s %" PRIu64 "\n", name, sfx, *labels ? "{" : "",
		labels, *labels ? "}" : "", v);
}

static void sample_d(struct emit *e, const char *name, const char *sfx,
		     double v)
{
	fprintf(e->f, "%s%s %.15g\n", name, sfx, v);
}

static void gauge_u(struct emit *e, const char *name, const char *help,
		    uint64_t v)
{
	family(e, name, GAUGE, NULL, help);
	sample_u(e, name, "", "", v);
}

static void gauge_seconds(struct emit *e, const char *name, const char *help,
			  double v)
{
	family(e, name, GAUGE, "seconds", help);
	sample_d(e, name, "", v);
}

static void counter_u(struct emit *e, const char *name, const char *help,
		      uint64_t v)
{
	family(e, name, COUNTER, NULL, help);
	sample_u(e, name, "_total", "", v);
}

/* A duration the ABI gives in jiffies: seconds when HZ is known. */
static void jiffies_metric(struct emit *e, const struct ap_exporter_snapshot *s,
			   const char *stem, enum kind k, const char *help,
			   uint64_t jiffies)
{
	char name[96];

	if (s->kernel_hz) {
		snprintf(name, sizeof(name), "%s_seconds", stem);
		family(e, name, k, "seconds", help);
		sample_d(e, name, suffix(k), (double)jiffies / s->kernel_hz);
	} else {
		snprintf(name, sizeof(name), "%s_jiffies", stem);
		family(e, name, k, "jiffies", help);
		sample_u(e, name, suffix(k), "", jiffies);
	}
}

static const struct {
	enum ap_field field;
	const char *name;
	const char *help;
} status_gauges[] = {
	{ AP_FIELD_ENABLED, "auditpeak_enabled",
	  "Kernel audit state: 0 off, 1 on, 2 locked." },
	{ AP_FIELD_FAILURE, "auditpeak_failure_mode",
	  "What the kernel does when it loses a record: 0 silent, 1 printk, 2 panic." },
	{ AP_FIELD_PID, "auditpeak_auditd_pid",
	  "PID of the registered audit daemon, 0 when none." },
	{ AP_FIELD_RATE_LIMIT, "auditpeak_rate_limit_per_second",
	  "Kernel audit rate limit in records per second, 0 for none." },
	{ AP_FIELD_BACKLOG_LIMIT, "auditpeak_backlog_limit",
	  "Maximum length of the kernel audit queue (auditctl -b)." },
	{ AP_FIELD_BACKLOG, "auditpeak_backlog",
	  "Kernel audit queue length at the last poll." },
	{ AP_FIELD_FEATURE_BITMAP, "auditpeak_feature_bitmap",
	  "Kernel audit feature bitmap." },
};

static void emit_status(struct emit *e, const struct ap_exporter_snapshot *s)
{
	const struct ap_status *st = &s->status;

	if (!s->up)
		return;
	gauge_u(e, "auditpeak_status_payload_bytes",
		"Size of the kernel's AUDIT_GET reply: 44 on released kernels, 48 with backlog_max_depth, 64 with the RFC's sums.",
		st->payload_len);
	for (size_t i = 0; i < sizeof(status_gauges) / sizeof(status_gauges[0]); i++)
		if (ap_status_has(st, status_gauges[i].field))
			gauge_u(e, status_gauges[i].name, status_gauges[i].help,
				st->value[status_gauges[i].field]);
	if (ap_status_has(st, AP_FIELD_BACKLOG_WAIT_TIME))
		jiffies_metric(e, s, "auditpeak_backlog_wait_time", GAUGE,
			       "How long a caller waits for room in a full audit queue.",
			       st->value[AP_FIELD_BACKLOG_WAIT_TIME]);
}

static void emit_counters(struct emit *e, const struct ap_exporter_snapshot *s)
{
	char labels[64];

	counter_u(e, "auditpeak_lost",
		  "Audit records the kernel lost, summed across resets of its counter.",
		  s->lost_total);
	if (s->wait_actual_total_jiffies ||
	    (s->up && ap_status_has(&s->status, AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL)))
		jiffies_metric(e, s, "auditpeak_backlog_wait_time_actual", COUNTER,
			       "Time callers spent waiting for room in the audit queue, summed across resets.",
			       s->wait_actual_total_jiffies);
	if (s->up && s->status.has_backlog_sums) {
		counter_u(e, "auditpeak_backlog_records",
			  "Records the kernel queued on its audit queue since boot (the kernel's backlog_records).",
			  s->status.backlog_records);
		counter_u(e, "auditpeak_backlog_depth_sum",
			  "Sum of the queue lengths those records found, themselves included (the kernel's backlog_depth_sum): rate() of it over rate() of auditpeak_backlog_records_total is the mean queue length a record found.",
			  s->status.backlog_depth_sum);
	}
	counter_u(e, "auditpeak_polls", "AUDIT_GET polls made.", s->polls);
	counter_u(e, "auditpeak_poll_errors",
		  "Polls or peak reads that failed.", s->poll_errors);
	counter_u(e, "auditpeak_resets",
		  "Window-end read-and-clears of the peak made by this exporter.",
		  s->resets);
	if (strcmp(s->peak_source, "bpf") == 0 || s->probe_missed)
		counter_u(e, "auditpeak_probe_missed",
			  "Audit records the bpf probe may have missed (a run skipped on a busy CPU, a faulted read); each window they fell in is published as a lower bound.",
			  s->probe_missed);
	family(e, "auditpeak_foreign_resets", COUNTER, NULL,
	       "Kernel values that dropped without a reset by this exporter: somebody else reset them.");
	for (int w = 0; w < AP_WATCH_COUNT; w++) {
		snprintf(labels, sizeof(labels), "counter=\"%s\"",
			 ap_watched_name(w));
		sample_u(e, "auditpeak_foreign_resets", "_total", labels,
			 s->foreign_resets[w]);
	}
}

static void emit_window_histogram(struct emit *e,
				  const struct ap_window_histogram *h)
{
	const char *name = "auditpeak_window_peak";
	uint64_t cumulative = 0;
	char labels[48];

	family(e, name, HISTOGRAM, NULL,
	       "Peak audit queue length of each closed window, read and cleared at its end: exact with the kernel source; with bpf exact but for records kauditd took between an enqueue and the probe's read (auditpeak-load(8)); a lower bound with sample (auditpeak_peak_source_info says which; auditpeak_last_window_peak_exact per window).");
	for (int i = 0; i < AP_WINDOW_PEAK_FINITE_BUCKETS; i++) {
		cumulative += h->bucket[i];
		snprintf(labels, sizeof(labels), "le=\"%" PRIu64 "\"",
			 ap_window_bucket_bound(i));
		sample_u(e, name, "_bucket", labels, cumulative);
	}
	sample_u(e, name, "_bucket", "le=\"+Inf\"", h->count);
	sample_u(e, name, "_count", "", h->count);
	sample_u(e, name, "_sum", "", h->sum);
}

static void emit_peak(struct emit *e, const struct ap_exporter_snapshot *s)
{
	if (strcmp(s->peak_source, "none") != 0 && s->peak_source[0])
		gauge_u(e, "auditpeak_peak_up",
			"1 while the peak source gives readings; 0 after it gave none for several polls in a row (then /healthz fails too).",
			s->peak_failing_polls < AP_PEAK_UNHEALTHY_POLLS);
	if (s->have_peak)
		gauge_u(e, "auditpeak_backlog_max_depth",
			"Peak audit queue length since the last clear, as the peak source reads it now.",
			s->peak_current);
	if (s->have_max_since_start)
		gauge_u(e, "auditpeak_backlog_max_depth_since_start",
			"Highest audit queue length this exporter has seen since it was first started (kept across restarts).",
			s->max_since_start);
	/* An owner with a peak source closes windows: show the histogram
	 * from the start, so rate() works from the first window on. */
	if (s->window_peaks.count ||
	    (s->owner && strcmp(s->peak_source, "none") != 0))
		emit_window_histogram(e, &s->window_peaks);
	if (!s->have_last_window)
		return;
	gauge_u(e, "auditpeak_last_window_peak",
		"Peak audit queue length of the last closed window.",
		s->last_window_peak);
	gauge_u(e, "auditpeak_last_window_peak_exact",
		"1 when the last window's peak is exact (bpf: every record sampled, see auditpeak-load(8) for its one bound), 0 when it is a lower bound (sample source, records the probe missed, or a foreign reset in the window).",
		s->last_window_exact);
	gauge_seconds(e, "auditpeak_last_window_peak_timestamp_seconds",
		      "When the last window's peak was first seen (the poll that saw it rise, or the window end for a peak in the tail).",
		      s->last_window_peak_time);
	gauge_seconds(e, "auditpeak_last_window_end_timestamp_seconds",
		      "When the last window was closed.", s->last_window_end_time);
}

/* log2 buckets: bucket i counts depths in [2^(i-1), 2^i), so le = 2^i - 1. */
static void emit_enqueue_histogram(struct emit *e,
				   const struct ap_depth_distribution *d)
{
	const char *name = "auditpeak_enqueue_depth";
	uint64_t cumulative = 0, sum = 0;
	char labels[48];

	family(e, name, HISTOGRAM, NULL,
	       "Audit queue length right after each enqueue (every record, from the bpf peak source); _sum is a lower bound, depths being known per log2 bucket.");
	for (int i = 0; i < AP_DEPTH_BUCKETS; i++) {
		uint64_t upper = (i == 0) ? 0 : ((uint64_t)1 << i) - 1;

		cumulative += d->bucket[i];
		/* The bucket's lower end: what can be said without faking. */
		sum += d->bucket[i] * (i == 0 ? 0 : (uint64_t)1 << (i - 1));
		snprintf(labels, sizeof(labels), "le=\"%" PRIu64 "\"", upper);
		sample_u(e, name, "_bucket", labels, cumulative);
	}
	sample_u(e, name, "_bucket", "le=\"+Inf\"", cumulative);
	sample_u(e, name, "_count", "", cumulative);
	/* Depths are only known per bucket: the sum is a lower bound. */
	sample_u(e, name, "_sum", "", sum);
}

/* What the bpf source keeps: the enqueues always, the rest when asked
 * (--bpf-extras); what it does not keep is not published. */
static void emit_distribution(struct emit *e,
			      const struct ap_exporter_snapshot *s)
{
	const struct ap_depth_distribution *d = &s->distribution;
	const char *name = "auditpeak_queued_record_size_bytes";

	if (!s->have_distribution)
		return;
	counter_u(e, "auditpeak_enqueues",
		  "Audit records queued since the bpf peak source opened (every record it saw enqueued).",
		  d->enqueues);
	if (d->extras & AP_BPF_EXTRA_HISTOGRAM)
		emit_enqueue_histogram(e, d);
	/* Linux 5.10 has no BPF atomics: no mean even when asked. */
	if (!isnan(d->time_weighted_mean)) {
		family(e, "auditpeak_backlog_time_weighted_mean", GAUGE, NULL,
		       "Mean audit queue length over time since the peak source opened.");
		sample_d(e, "auditpeak_backlog_time_weighted_mean", "",
			 d->time_weighted_mean);
	}
	/* _sum / _count is the memory a queued record holds: what a limit costs. */
	if (!(d->extras & AP_BPF_EXTRA_SIZES))
		return;
	family(e, name, SUMMARY, "bytes",
	       "Kernel memory (skb truesize) of the audit records at enqueue, over those the bpf peak source sized (the queue's tail right after each enqueue, on every attach path).");
	sample_u(e, name, "_sum", "", d->record_bytes);
	sample_u(e, name, "_count", "", d->records_sized);
}

static void emit_identity(struct emit *e, const struct ap_exporter_snapshot *s)
{
	char labels[96];

	gauge_u(e, "auditpeak_up",
		"1 when the last AUDIT_GET poll of the kernel succeeded.", s->up);
	family(e, "auditpeak_build", INFO, NULL, "auditpeak version.");
	sample_u(e, "auditpeak_build", "_info",
		 "version=\"" AUDITPEAK_VERSION "\"", 1);
	family(e, "auditpeak_peak_source", INFO, NULL,
	       "Where the peak comes from (kernel, bpf, sample, none) and whether it is exact or a lower bound.");
	snprintf(labels, sizeof(labels), "source=\"%s\",exact=\"%s\"",
		 s->peak_source[0] ? s->peak_source : "none",
		 s->peak_exact ? "true" : "false");
	sample_u(e, "auditpeak_peak_source", "_info", labels, 1);
	gauge_u(e, "auditpeak_owner",
		"1 when this exporter owns the window resets, 0 when read-only.",
		s->owner);
	gauge_seconds(e, "auditpeak_poll_interval_seconds",
		      "Time between AUDIT_GET polls.", s->interval_seconds);
	gauge_seconds(e, "auditpeak_window_seconds",
		      "Length of a peak window (read-and-clear period).",
		      s->window_seconds);
	gauge_seconds(e, "auditpeak_start_time_seconds",
		      "When this exporter process started, in seconds since the epoch.",
		      s->start_time);
	gauge_seconds(e, "auditpeak_last_poll_timestamp_seconds",
		      "When the last poll ran, in seconds since the epoch.",
		      s->last_poll_time);
	if (s->kernel_hz)
		gauge_u(e, "auditpeak_kernel_hz",
			"The kernel's HZ, used to turn jiffies into seconds.",
			s->kernel_hz);
}

int ap_metrics_render(const struct ap_exporter_snapshot *snap,
		      enum ap_metrics_format format, char **out, size_t *len)
{
	struct emit e = { .fmt = format };

	*out = NULL;
	e.f = open_memstream(out, len);
	if (!e.f)
		return -1;
	emit_identity(&e, snap);
	emit_status(&e, snap);
	emit_counters(&e, snap);
	emit_peak(&e, snap);
	emit_distribution(&e, snap);
	if (format == AP_FORMAT_OPENMETRICS)
		fputs("# EOF\n", e.f);
	if (fclose(e.f) != 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
