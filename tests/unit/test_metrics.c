// SPDX-License-Identifier: GPL-2.0-or-later
/* Rendering of both exposition formats and Accept negotiation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/metrics.h"
#include "fixtures.h"

static char *render(const struct ap_exporter_snapshot *s,
		    enum ap_metrics_format f)
{
	char *out;
	size_t len;

	assert_int_equal(ap_metrics_render(s, f, &out, &len), 0);
	assert_int_equal(strlen(out), len);
	return out;
}

/* @line must appear as a whole line of @text. */
static void has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	fail_msg("missing line '%s'", line);
}

static void lacks(const char *text, const char *what)
{
	if (strstr(text, what))
		fail_msg("unexpected '%s'", what);
}

static void text_format(void **state)
{
	struct ap_exporter_snapshot s;
	char *t;

	(void)state;
	fixture_full_snapshot(&s, 250);
	t = render(&s, AP_FORMAT_PROMETHEUS_TEXT);
	has_line(t, "# TYPE auditpeak_up gauge");
	has_line(t, "auditpeak_up 1");
	has_line(t, "auditpeak_backlog_limit 8192");
	has_line(t, "auditpeak_backlog 17");
	has_line(t, "# TYPE auditpeak_lost_total counter");
	has_line(t, "auditpeak_lost_total 42");
	/* 1000 jiffies at HZ 250 */
	has_line(t, "auditpeak_backlog_wait_time_actual_seconds_total 4");
	has_line(t, "auditpeak_backlog_wait_time_seconds 60");
	has_line(t, "auditpeak_peak_source_info{source=\"bpf\",exact=\"true\"} 1");
	has_line(t, "# TYPE auditpeak_peak_source_info gauge");
	has_line(t, "auditpeak_backlog_max_depth 900");
	has_line(t, "auditpeak_backlog_max_depth_since_start 7000");
	has_line(t, "auditpeak_window_peak_bucket{le=\"0\"} 0");
	has_line(t, "auditpeak_window_peak_bucket{le=\"4\"} 1");
	has_line(t, "auditpeak_window_peak_bucket{le=\"4096\"} 1");
	has_line(t, "auditpeak_window_peak_bucket{le=\"8192\"} 2");
	has_line(t, "auditpeak_window_peak_bucket{le=\"+Inf\"} 2");
	has_line(t, "auditpeak_window_peak_count 2");
	has_line(t, "auditpeak_window_peak_sum 7003");
	has_line(t, "auditpeak_last_window_peak 3");
	has_line(t, "auditpeak_foreign_resets_total{counter=\"lost\"} 1");
	has_line(t, "auditpeak_enqueue_depth_bucket{le=\"0\"} 5");
	has_line(t, "auditpeak_enqueue_depth_bucket{le=\"15\"} 15");
	has_line(t, "auditpeak_enqueue_depth_count 15");
	has_line(t, "auditpeak_enqueues_total 15");
	has_line(t, "auditpeak_backlog_time_weighted_mean 1.25");
	has_line(t, "# TYPE auditpeak_queued_record_size_bytes summary");
	has_line(t, "auditpeak_queued_record_size_bytes_sum 34560");
	has_line(t, "auditpeak_queued_record_size_bytes_count 15");
	has_line(t, "auditpeak_kernel_hz 250");
	lacks(t, "# EOF");
	lacks(t, "# UNIT");
	free(t);
}

static void openmetrics_format(void **state)
{
	struct ap_exporter_snapshot s;
	char *t;
	size_t n;

	(void)state;
	fixture_full_snapshot(&s, 250);
	t = render(&s, AP_FORMAT_OPENMETRICS);
	n = strlen(t);
	assert_true(n > 6);
	assert_string_equal(t + n - 6, "# EOF\n");
	has_line(t, "# TYPE auditpeak_lost counter");
	has_line(t, "auditpeak_lost_total 42");
	has_line(t, "# TYPE auditpeak_peak_source info");
	has_line(t, "auditpeak_peak_source_info{source=\"bpf\",exact=\"true\"} 1");
	has_line(t, "# UNIT auditpeak_backlog_wait_time_seconds seconds");
	has_line(t, "# TYPE auditpeak_window_peak histogram");
	lacks(t, "# TYPE auditpeak_lost_total");
	free(t);
}

/* Without HZ the ABI's unit stays in the name; nothing pretends seconds. */
static void jiffies_without_hz(void **state)
{
	struct ap_exporter_snapshot s;
	char *t;

	(void)state;
	fixture_full_snapshot(&s, 0);
	t = render(&s, AP_FORMAT_PROMETHEUS_TEXT);
	has_line(t, "auditpeak_backlog_wait_time_jiffies 15000");
	has_line(t, "auditpeak_backlog_wait_time_actual_jiffies_total 1000");
	lacks(t, "_seconds_total");
	lacks(t, "auditpeak_backlog_wait_time_seconds");
	lacks(t, "auditpeak_kernel_hz");
	free(t);
}

/* No peak source: no peak numbers at all, and the source says none. */
static void no_peak_source_no_fake_peak(void **state)
{
	struct ap_exporter_snapshot s = { 0 };
	char *t;

	(void)state;
	strcpy(s.peak_source, "none");
	s.owner = true;
	s.up = true;
	fixture_status(&s.status, 64, 0, 0, 0);
	t = render(&s, AP_FORMAT_PROMETHEUS_TEXT);
	has_line(t, "auditpeak_peak_source_info{source=\"none\",exact=\"false\"} 1");
	lacks(t, "max_depth ");
	lacks(t, "auditpeak_backlog_max_depth");
	lacks(t, "auditpeak_window_peak");
	lacks(t, "auditpeak_enqueue_depth");
	free(t);
}

/* The probe's defaults keep no histogram, mean or sizes: only the count
 * of enqueues is published, none of those, neither as 0 nor as 0 of 0. */
static void extras_not_kept_not_published(void **state)
{
	struct ap_exporter_snapshot s;
	char *t;

	(void)state;
	fixture_full_snapshot(&s, 250);
	s.distribution.extras = 0;
	s.distribution.time_weighted_mean = NAN;
	s.distribution.record_bytes = 0;
	s.distribution.records_sized = 0;
	t = render(&s, AP_FORMAT_PROMETHEUS_TEXT);
	has_line(t, "# TYPE auditpeak_enqueues_total counter");
	has_line(t, "auditpeak_enqueues_total 15");
	lacks(t, "auditpeak_enqueue_depth");
	lacks(t, "auditpeak_backlog_time_weighted_mean");
	lacks(t, "auditpeak_queued_record_size_bytes");
	free(t);
}

/* A failed poll publishes no stale kernel values. */
static void down_hides_status(void **state)
{
	struct ap_exporter_snapshot s;
	char *t;

	(void)state;
	fixture_full_snapshot(&s, 250);
	s.up = false;
	t = render(&s, AP_FORMAT_PROMETHEUS_TEXT);
	has_line(t, "auditpeak_up 0");
	lacks(t, "auditpeak_backlog_limit");
	has_line(t, "auditpeak_lost_total 42");
	free(t);
}

/* The RFC's sums: counters only where the kernel has them, as it says. */
static void backlog_sums_where_the_kernel_has_them(void **state)
{
	struct ap_exporter_snapshot s;
	char *t;

	(void)state;
	fixture_full_snapshot(&s, 250);
	t = render(&s, AP_FORMAT_PROMETHEUS_TEXT);
	lacks(t, "auditpeak_backlog_records");
	lacks(t, "auditpeak_backlog_depth_sum");
	free(t);
	s.status.has_backlog_sums = true;
	s.status.backlog_records = 18446744073709551615ULL;
	s.status.backlog_depth_sum = 7;
	t = render(&s, AP_FORMAT_PROMETHEUS_TEXT);
	has_line(t, "# TYPE auditpeak_backlog_records_total counter");
	has_line(t, "auditpeak_backlog_records_total 18446744073709551615");
	has_line(t, "auditpeak_backlog_depth_sum_total 7");
	free(t);
	s.up = false;
	t = render(&s, AP_FORMAT_PROMETHEUS_TEXT);
	lacks(t, "auditpeak_backlog_records");
	free(t);
}

static void negotiation(void **state)
{
	(void)state;
	assert_int_equal(ap_metrics_negotiate(NULL), AP_FORMAT_PROMETHEUS_TEXT);
	assert_int_equal(ap_metrics_negotiate(""), AP_FORMAT_PROMETHEUS_TEXT);
	assert_int_equal(ap_metrics_negotiate("*/*"), AP_FORMAT_PROMETHEUS_TEXT);
	assert_int_equal(ap_metrics_negotiate("application/openmetrics-text"),
			 AP_FORMAT_OPENMETRICS);
	/* What Prometheus 2.x sends. */
	assert_int_equal(ap_metrics_negotiate(
		"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
		AP_FORMAT_OPENMETRICS);
	assert_int_equal(ap_metrics_negotiate(
		"text/plain;version=0.0.4;q=0.9, application/openmetrics-text; version=\"1.0.0\"; q=0.5"),
		AP_FORMAT_PROMETHEUS_TEXT);
	assert_int_equal(ap_metrics_negotiate(
		"text/plain;q=0.5, application/openmetrics-text; version=1.0.0"),
		AP_FORMAT_OPENMETRICS);
	/* q=0 means "not acceptable". */
	assert_int_equal(ap_metrics_negotiate("application/openmetrics-text;q=0"),
			 AP_FORMAT_PROMETHEUS_TEXT);
	/* A version we do not speak is not offered. */
	assert_int_equal(ap_metrics_negotiate("application/openmetrics-text;version=2.0.0"),
			 AP_FORMAT_PROMETHEUS_TEXT);
	assert_int_equal(ap_metrics_negotiate("APPLICATION/OpenMetrics-Text"),
			 AP_FORMAT_OPENMETRICS);
	assert_int_equal(ap_metrics_negotiate("text/html, application/json"),
			 AP_FORMAT_PROMETHEUS_TEXT);
	assert_string_equal(ap_metrics_content_type(AP_FORMAT_OPENMETRICS),
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
	assert_string_equal(ap_metrics_content_type(AP_FORMAT_PROMETHEUS_TEXT),
			    "text/plain; version=0.0.4; charset=utf-8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_format),
		cmocka_unit_test(openmetrics_format),
		cmocka_unit_test(jiffies_without_hz),
		cmocka_unit_test(no_peak_source_no_fake_peak),
		cmocka_unit_test(extras_not_kept_not_published),
		cmocka_unit_test(down_hides_status),
		cmocka_unit_test(backlog_sums_where_the_kernel_has_them),
		cmocka_unit_test(negotiation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
