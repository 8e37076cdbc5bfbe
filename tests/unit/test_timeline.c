// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The peak timeline against a fake backend: rises dated by polls, exact
 * window peaks from read-and-clear (tail included), foreign resets counted,
 * counters that survive kernel resets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fixtures.h"
#include "observe/timeline.h"

struct rig {
	struct fake_peak fake;
	struct ap_peak peak;
	struct ap_timeline tl;
	struct ap_timeline_events ev;
	struct ap_status st;
	uint32_t lost, wait_actual;
};

static void rig_init(struct rig *r, bool owner, bool exact)
{
	struct ap_exporter_snapshot cfg = { 0 };

	memset(r, 0, sizeof(*r));
	fake_peak_attach(&r->peak, &r->fake, exact);
	strcpy(cfg.peak_source, r->peak.ops->name);
	cfg.peak_exact = exact;
	cfg.owner = owner;
	ap_timeline_init(&r->tl, &cfg);
}

/* An owner over a source like bpf: exact, with a distribution and misses. */
static void rig_init_bpf(struct rig *r)
{
	rig_init(r, true, true);
	r->fake.with_distribution = true;
	fake_peak_attach(&r->peak, &r->fake, true);
}

static void poll_at(struct rig *r, double t)
{
	fixture_status(&r->st, 8192, 0, r->lost, r->wait_actual);
	ap_timeline_poll(&r->tl, &r->st, NULL, &r->peak, t, &r->ev);
}

static void close_at(struct rig *r, double t)
{
	ap_timeline_close_window(&r->tl, &r->peak, t, &r->ev);
}

static void rise_is_dated_by_the_poll_that_saw_it(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	poll_at(&r, 1);
	fake_peak_depth(&r.fake, 50);
	poll_at(&r, 2);
	assert_true(r.tl.snap.have_peak);
	assert_int_equal(r.tl.snap.peak_current, 50);
	fake_peak_depth(&r.fake, 40); /* lower: the mark stays at 50 */
	poll_at(&r, 3);
	close_at(&r, 4);
	assert_true(r.ev.window_closed);
	assert_int_equal(r.fake.clears, 1);
	assert_int_equal(r.fake.kernel_max, 0);
	assert_int_equal(r.tl.snap.last_window_peak, 50);
	assert_true(r.tl.snap.last_window_peak_time == 2);
	assert_true(r.tl.snap.last_window_end_time == 4);
	assert_true(r.tl.snap.last_window_exact);
	assert_int_equal(r.tl.snap.resets, 1);
	assert_int_equal(r.tl.snap.windows, 1);
	assert_int_equal(r.tl.snap.window_peaks.count, 1);
	assert_int_equal(r.tl.snap.window_peaks.sum, 50);
	assert_int_equal(r.tl.snap.window_peaks.bucket[7], 1); /* le=64 */
	assert_int_equal(r.tl.snap.foreign_resets[AP_WATCH_MAX_DEPTH], 0);
	/* The next window starts from the clear. */
	fake_peak_depth(&r.fake, 3);
	poll_at(&r, 5);
	close_at(&r, 6);
	assert_int_equal(r.tl.snap.last_window_peak, 3);
	assert_int_equal(r.tl.snap.max_since_start, 50);
	assert_int_equal(r.tl.snap.foreign_resets[AP_WATCH_MAX_DEPTH], 0);
}

/*
 * Records held in the queue across a window's end (kauditd cannot send
 * them yet): the source's mark restarts at 0, the poll still reads them,
 * and they are the next window's peak too.  Found by the soak (t8), where
 * an exact window was published below a length the harness kept queued.
 */
static void queue_held_across_the_end_is_the_next_windows_too(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	fake_peak_depth(&r.fake, 600);
	poll_at(&r, 1);
	close_at(&r, 2);
	assert_int_equal(r.tl.snap.last_window_peak, 600);
	/* Nothing queued since: the mark stays 0, the queue still holds 600. */
	fixture_status(&r.st, 8192, 600, 0, 0);
	ap_timeline_poll(&r.tl, &r.st, NULL, &r.peak, 2.01, &r.ev);
	assert_int_equal(r.tl.snap.peak_current, 0);
	close_at(&r, 3);
	assert_int_equal(r.tl.snap.last_window_peak, 600);
	assert_true(r.tl.snap.last_window_exact);
	assert_true(r.tl.snap.last_window_peak_time == 2.01);
}

/* Held across the end and drained before the new window's next regular
 * poll: the poll right after the clear (serve's, the observer's) carries
 * it into the new window. */
static void queue_held_at_the_clear_opens_the_next_window(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	fake_peak_depth(&r.fake, 777);
	poll_at(&r, 1);
	close_at(&r, 2);
	assert_int_equal(r.tl.snap.last_window_peak, 777);
	fixture_status(&r.st, 8192, 777, 0, 0);
	ap_timeline_poll(&r.tl, &r.st, NULL, &r.peak, 2.001, &r.ev);
	/* kauditd drains it, then 720 records come in: the mark says 720 */
	fake_peak_depth(&r.fake, 720);
	fixture_status(&r.st, 8192, 0, 0, 0);
	ap_timeline_poll(&r.tl, &r.st, NULL, &r.peak, 2.5, &r.ev);
	close_at(&r, 3);
	assert_int_equal(r.tl.snap.last_window_peak, 777);
	assert_true(r.tl.snap.last_window_peak_time == 2.001);
	assert_true(r.tl.snap.last_window_exact);
	/* an empty queue at the clear adds nothing: the next window is 720's */
	fixture_status(&r.st, 8192, 0, 0, 0);
	ap_timeline_poll(&r.tl, &r.st, NULL, &r.peak, 3.001, &r.ev);
	fake_peak_depth(&r.fake, 5);
	poll_at(&r, 3.5);
	close_at(&r, 4);
	assert_int_equal(r.tl.snap.last_window_peak, 5);
}

/* A burst after the last poll is still this window's peak: never lost. */
static void tail_peak_comes_from_read_and_clear(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	fake_peak_depth(&r.fake, 10);
	poll_at(&r, 1);
	fake_peak_depth(&r.fake, 77);
	close_at(&r, 1.5);
	assert_int_equal(r.tl.snap.last_window_peak, 77);
	assert_true(r.tl.snap.last_window_peak_time == 1.5);
	assert_true(r.tl.snap.last_window_exact);
	assert_int_equal(r.tl.snap.max_since_start, 77);
}

static void foreign_reset_between_polls(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	fake_peak_depth(&r.fake, 30);
	poll_at(&r, 1);
	r.fake.kernel_max = 0; /* someone else's read-and-clear */
	fake_peak_depth(&r.fake, 5);
	poll_at(&r, 2);
	assert_true(r.ev.foreign_reset[AP_WATCH_MAX_DEPTH]);
	assert_int_equal(r.tl.snap.foreign_resets[AP_WATCH_MAX_DEPTH], 1);
	close_at(&r, 3);
	/* The 30 seen before the reset belongs to this window... */
	assert_int_equal(r.tl.snap.last_window_peak, 30);
	/* ...but what happened between that poll and the reset is unknown. */
	assert_false(r.tl.snap.last_window_exact);
	/* The next clean window is exact again. */
	fake_peak_depth(&r.fake, 4);
	close_at(&r, 4);
	assert_true(r.tl.snap.last_window_exact);
	assert_int_equal(r.tl.snap.foreign_resets[AP_WATCH_MAX_DEPTH], 1);
}

static void foreign_reset_in_the_tail(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	fake_peak_depth(&r.fake, 30);
	poll_at(&r, 1);
	r.fake.kernel_max = 0;
	close_at(&r, 2);
	assert_true(r.ev.foreign_reset[AP_WATCH_MAX_DEPTH]);
	assert_int_equal(r.tl.snap.last_window_peak, 30);
	assert_false(r.tl.snap.last_window_exact);
}

/* Read-only: readings and foreign resets, never a clear or a window. */
static void read_only_never_clears(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, false, true);
	fake_peak_depth(&r.fake, 20);
	poll_at(&r, 1);
	close_at(&r, 2);
	assert_false(r.ev.window_closed);
	assert_int_equal(r.fake.clears, 0);
	assert_int_equal(r.fake.kernel_max, 20);
	assert_false(r.tl.snap.have_last_window);
	assert_int_equal(r.tl.snap.resets, 0);
	assert_int_equal(r.tl.snap.peak_current, 20);
	r.fake.kernel_max = 0; /* the owner cleared */
	poll_at(&r, 3);
	assert_int_equal(r.tl.snap.foreign_resets[AP_WATCH_MAX_DEPTH], 1);
	assert_int_equal(r.tl.snap.max_since_start, 20);
}

static void lower_bound_source_never_claims_exact(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, false);
	fake_peak_depth(&r.fake, 9);
	poll_at(&r, 1);
	close_at(&r, 2);
	assert_int_equal(r.tl.snap.last_window_peak, 9);
	assert_false(r.tl.snap.last_window_exact);
}

static void no_peak_source_no_windows(void **state)
{
	struct ap_exporter_snapshot cfg = { 0 };
	struct ap_timeline_events ev;
	struct ap_peak none = { 0 };
	struct ap_timeline tl;
	struct ap_status st;

	(void)state;
	cfg.owner = true;
	ap_timeline_init(&tl, &cfg);
	fixture_status(&st, 64, 1, 0, 0);
	ap_timeline_poll(&tl, &st, NULL, &none, 1, &ev);
	assert_true(tl.snap.up);
	assert_false(tl.snap.have_peak);
	assert_false(tl.snap.have_max_since_start);
	ap_timeline_close_window(&tl, &none, 2, &ev);
	assert_false(ev.window_closed);
	assert_false(tl.snap.have_last_window);
}

static void counters_survive_kernel_resets(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	r.lost = 5;
	r.wait_actual = 100;
	poll_at(&r, 1); /* first reading: all of it counts */
	assert_int_equal(r.tl.snap.lost_total, 5);
	r.lost = 8;
	poll_at(&r, 2);
	assert_int_equal(r.tl.snap.lost_total, 8);
	r.lost = 0; /* `auditpeak reset lost` from outside */
	r.wait_actual = 0;
	poll_at(&r, 3);
	assert_true(r.ev.foreign_reset[AP_WATCH_LOST]);
	assert_true(r.ev.foreign_reset[AP_WATCH_WAIT_ACTUAL]);
	assert_int_equal(r.tl.snap.lost_total, 8);
	r.lost = 2;
	r.wait_actual = 50;
	poll_at(&r, 4);
	assert_int_equal(r.tl.snap.lost_total, 10);
	assert_int_equal(r.tl.snap.wait_actual_total_jiffies, 150);
	assert_int_equal(r.tl.snap.foreign_resets[AP_WATCH_LOST], 1);
	assert_int_equal(r.tl.snap.foreign_resets[AP_WATCH_WAIT_ACTUAL], 1);
	assert_int_equal(r.tl.snap.foreign_resets[AP_WATCH_MAX_DEPTH], 0);
}

static void failures_are_counted_not_hidden(void **state)
{
	struct ap_error why;
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	fake_peak_depth(&r.fake, 12);
	poll_at(&r, 1);
	ap_fail(&why, AP_ERR_TIMEOUT, 0, "no reply");
	ap_timeline_poll(&r.tl, NULL, &why, &r.peak, 2, &r.ev);
	assert_true(r.ev.failed);
	assert_false(r.tl.snap.up);
	assert_false(r.tl.snap.have_peak);
	assert_int_equal(r.tl.snap.poll_errors, 1);
	r.fake.fail_reads = true;
	poll_at(&r, 3);
	assert_true(r.tl.snap.up);
	assert_false(r.tl.snap.have_peak);
	assert_int_equal(r.tl.snap.poll_errors, 2);
	/* A failed clear keeps the window open: the next end covers both. */
	r.fake.fail_reads = false;
	r.fake.fail_clears = true;
	close_at(&r, 4);
	assert_false(r.ev.window_closed);
	assert_int_equal(r.tl.snap.poll_errors, 3);
	r.fake.fail_clears = false;
	fake_peak_depth(&r.fake, 20);
	close_at(&r, 5);
	assert_int_equal(r.tl.snap.last_window_peak, 20);
	assert_true(r.tl.snap.last_window_peak_time == 5);
	assert_int_equal(r.tl.snap.windows, 1);
	assert_int_equal(r.tl.snap.polls, 3);
}

/*
 * A failed AUDIT_GET and then a failed read-and-clear lose no peak: the
 * status last published stays (up = 0 says it is old), and the peak seen
 * before the faults comes out at the next window end, even though the
 * queue is lower by then (the kernel's max was never cleared).
 */
static void faults_keep_values_and_lose_no_peak(void **state)
{
	struct ap_error why;
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	fake_peak_depth(&r.fake, 30);
	poll_at(&r, 1);
	assert_int_equal(r.tl.snap.status.value[AP_FIELD_BACKLOG_LIMIT], 8192);
	ap_fail(&why, AP_ERR_TIMEOUT, ETIMEDOUT, "no reply");
	ap_timeline_poll(&r.tl, NULL, &why, &r.peak, 2, &r.ev);
	assert_false(r.tl.snap.up);
	assert_int_equal(r.tl.snap.poll_errors, 1);
	assert_int_equal(r.tl.snap.status.value[AP_FIELD_BACKLOG_LIMIT], 8192);
	assert_int_equal(r.tl.snap.max_since_start, 30);
	r.fake.fail_clears = true;
	close_at(&r, 3);
	assert_false(r.ev.window_closed);
	assert_int_equal(r.tl.snap.windows, 0);
	assert_int_equal(r.tl.snap.poll_errors, 2);
	r.fake.fail_clears = false;
	fake_peak_depth(&r.fake, 5);
	poll_at(&r, 4);
	assert_true(r.tl.snap.up);
	close_at(&r, 5);
	assert_true(r.ev.window_closed);
	assert_int_equal(r.tl.snap.windows, 1);
	assert_int_equal(r.tl.snap.last_window_peak, 30);
	assert_int_equal(r.tl.snap.max_since_start, 30);
	assert_int_equal(r.tl.snap.window_peaks.count, 1);
	assert_int_equal(r.tl.snap.window_peaks.sum, 30);
}

/* A source still getting ready has no value: neither a peak nor an error. */
static void not_ready_is_no_peak_and_no_error(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r, true, true);
	r.fake.not_ready = true;
	poll_at(&r, 1);
	assert_true(r.tl.snap.up);
	assert_false(r.tl.snap.have_peak);
	assert_false(r.ev.failed);
	assert_int_equal(r.tl.snap.poll_errors, 0);
	r.fake.not_ready = false;
	fake_peak_depth(&r.fake, 6);
	poll_at(&r, 2);
	assert_true(r.tl.snap.have_peak);
	assert_int_equal(r.tl.snap.peak_current, 6);
}

static void distribution_when_the_source_has_one(void **state)
{
	struct rig r;

	(void)state;
	rig_init_bpf(&r);
	poll_at(&r, 1);
	assert_true(r.tl.snap.have_distribution);
	assert_int_equal(r.tl.snap.distribution.enqueues, 2);
	assert_true(r.tl.snap.distribution.time_weighted_mean == 2.5);
}

/*
 * A source that stops giving readings (failing, or never ready again) is
 * counted poll by poll until it is down, and what it published before is
 * withdrawn, not republished as if current.
 */
static void a_silent_source_goes_down_and_its_distribution_stale(void **state)
{
	struct rig r;

	(void)state;
	rig_init_bpf(&r);
	poll_at(&r, 1);
	assert_true(r.tl.snap.have_distribution);
	assert_int_equal(r.tl.snap.peak_failing_polls, 0);
	r.fake.not_ready = true;
	for (int i = 0; i < AP_PEAK_UNHEALTHY_POLLS; i++) {
		poll_at(&r, 2 + i);
		assert_false(r.tl.snap.have_distribution);
		assert_false(r.tl.snap.have_peak);
	}
	assert_int_equal(r.tl.snap.peak_failing_polls, AP_PEAK_UNHEALTHY_POLLS);
	/* Failing reads count the same; a failed AUDIT_GET too. */
	r.fake.not_ready = false;
	r.fake.fail_reads = true;
	poll_at(&r, 20);
	ap_timeline_poll(&r.tl, NULL, &(struct ap_error){ .code = AP_ERR_TIMEOUT },
			 &r.peak, 21, &r.ev);
	assert_int_equal(r.tl.snap.peak_failing_polls, AP_PEAK_UNHEALTHY_POLLS + 2);
	/* One reading and it is up again, distribution and all. */
	r.fake.fail_reads = false;
	poll_at(&r, 22);
	assert_int_equal(r.tl.snap.peak_failing_polls, 0);
	assert_true(r.tl.snap.have_distribution);
}

/*
 * A record the probe missed lowers the window it fell in, never the
 * source: that window is still closed and published, marked a lower
 * bound, the misses are counted, and the next window is exact again.
 */
static void a_miss_lowers_one_window_not_the_source(void **state)
{
	struct rig r;

	(void)state;
	rig_init_bpf(&r);
	fake_peak_depth(&r.fake, 40);
	poll_at(&r, 1);
	r.fake.misses = 3;
	close_at(&r, 2);
	assert_true(r.ev.window_closed);
	assert_int_equal(r.ev.window_missed, 3);
	assert_int_equal(r.tl.snap.last_window_peak, 40);
	assert_false(r.tl.snap.last_window_exact);
	assert_int_equal(r.tl.snap.probe_missed, 3);
	assert_int_equal(r.tl.snap.windows, 1);
	fake_peak_depth(&r.fake, 7);
	poll_at(&r, 3);
	assert_true(r.tl.snap.have_peak);
	close_at(&r, 4);
	assert_true(r.ev.window_closed);
	assert_int_equal(r.ev.window_missed, 0);
	assert_true(r.tl.snap.last_window_exact);
	assert_int_equal(r.tl.snap.last_window_peak, 7);
	/* A count that drops (a wrong guess forgotten) is no miss. */
	r.fake.misses = 1;
	close_at(&r, 5);
	assert_int_equal(r.ev.window_missed, 0);
	assert_int_equal(r.tl.snap.probe_missed, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rise_is_dated_by_the_poll_that_saw_it),
		cmocka_unit_test(tail_peak_comes_from_read_and_clear),
		cmocka_unit_test(queue_held_across_the_end_is_the_next_windows_too),
		cmocka_unit_test(queue_held_at_the_clear_opens_the_next_window),
		cmocka_unit_test(foreign_reset_between_polls),
		cmocka_unit_test(foreign_reset_in_the_tail),
		cmocka_unit_test(read_only_never_clears),
		cmocka_unit_test(lower_bound_source_never_claims_exact),
		cmocka_unit_test(no_peak_source_no_windows),
		cmocka_unit_test(counters_survive_kernel_resets),
		cmocka_unit_test(failures_are_counted_not_hidden),
		cmocka_unit_test(faults_keep_values_and_lose_no_peak),
		cmocka_unit_test(not_ready_is_no_peak_and_no_error),
		cmocka_unit_test(distribution_when_the_source_has_one),
		cmocka_unit_test(a_silent_source_goes_down_and_its_distribution_stale),
		cmocka_unit_test(a_miss_lowers_one_window_not_the_source),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
