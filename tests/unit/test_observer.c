// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The observer's window end over a scripted kernel and a fake peak source:
 * the poll it makes right after the read-and-clear reports its failure to
 * the caller (advise prints it) instead of dropping it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fake_transport.h"
#include "fixtures.h"
#include "observe/observer.h"

struct rig {
	struct fake_peer peer;
	struct fake_peak fake;
	struct ap_observer obs;
	struct ap_timeline_events ev;
};

/* An owner over an exact source, on a kernel that answers AUDIT_GET (its
 * backlog reads 1007, below the peaks the tests queue). */
static void rig_open(struct rig *r)
{
	struct ap_exporter_snapshot cfg = { 0 };

	memset(r, 0, sizeof(*r));
	r->peer.on_send = fake_kernel;
	r->peer.status_len = 44;
	r->obs.nl = fake_open(&r->peer);
	assert_non_null(r->obs.nl);
	r->obs.owner_lock = -1;
	fake_peak_attach(&r->obs.peak, &r->fake, true);
	strcpy(cfg.peak_source, r->obs.peak.ops->name);
	cfg.peak_exact = true;
	cfg.owner = true;
	ap_timeline_init(&r->obs.tl, &cfg);
	/* a first, healthy poll opens the window */
	ap_observer_poll(&r->obs, &r->ev);
	assert_false(r->ev.failed);
}

/* A 5000-record peak, then the window end with sends failing as @send_error
 * (0: not): the window closes with that peak either way. */
static void close_after_peak(struct rig *r, int send_error)
{
	rig_open(r);
	fake_peak_depth(&r->fake, 5000);
	r->peer.send_error = send_error;
	ap_observer_close_window(&r->obs, &r->ev);
	assert_true(r->ev.window_closed);
	assert_int_equal(r->obs.tl.snap.last_window_peak, 5000);
}

static void window_end_then_healthy_poll_is_no_failure(void **state)
{
	struct rig r;

	(void)state;
	close_after_peak(&r, 0);
	assert_false(r.ev.failed);
	/* the poll after the clear was made: a GET beside the first one */
	assert_int_equal(r.peer.sends, 2);
	ap_observer_close(&r.obs);
}

static void failed_poll_after_the_clear_reaches_the_caller(void **state)
{
	struct rig r;

	(void)state;
	close_after_peak(&r, -ENOBUFS);
	/* the failure is told */
	assert_true(r.ev.failed);
	assert_non_null(strstr(r.ev.error.msg, strerror(ENOBUFS)));
	assert_true(r.obs.tl.snap.poll_errors >= 1);
	ap_observer_close(&r.obs);
}

static void failed_clear_is_the_failure_told(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r);
	r.fake.fail_clears = true;
	ap_observer_close_window(&r.obs, &r.ev);
	assert_false(r.ev.window_closed);
	assert_true(r.ev.failed);
	/* no window closed: no poll after it */
	assert_int_equal(r.peer.sends, 1);
	ap_observer_close(&r.obs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(window_end_then_healthy_poll_is_no_failure),
		cmocka_unit_test(failed_poll_after_the_clear_reaches_the_caller),
		cmocka_unit_test(failed_clear_is_the_failure_told),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
