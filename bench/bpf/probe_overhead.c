// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One measurement for bench/bpf/run: CPU ns per call of a plain getppid loop
 * and of an audited one (the marker rule; 3 records per call on 6.18).
 * The script runs this alternately without and with the probe held by
 * another process, so opening and closing the probe (BTF parsing, program
 * loading, deferred frees) never falls inside a timed loop.
 *
 * Usage: probe-overhead CALLS [audited]
 * Prints "plain_ns audited_ns"; with "audited", times only the audited
 * loop (for profiling it alone) and prints its ns per call.  Sets enabled, rate_limit and
 * backlog_limit for the run and puts them back; adds and removes the rule.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditpeak/control.h"
#include "auditpeak/rule.h"

struct loop {
	long calls;
	double ns_per_call;
};

/*
 * The loop thread's CPU time (user + kernel, BPF run in its context
 * included), not wall time: on a shared machine wall time mostly measures
 * how long the scheduler kept the thread waiting.
 */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *run_loop(void *arg)
{
	struct loop *l = arg;
	double t0 = now_ns();

	for (long i = 0; i < l->calls; i++)
		ap_marker_syscall();
	l->ns_per_call = (now_ns() - t0) / (double)l->calls;
	return NULL;
}

/*
 * On a fresh thread: only tasks created after audit was first enabled
 * have an audit context, so an older thread's calls may not be audited.
 */
static double loop_ns_per_call(long calls)
{
	struct loop l = { .calls = calls };
	pthread_t t;

	if (pthread_create(&t, NULL, run_loop, &l) != 0)
		return 0;
	pthread_join(t, NULL);
	return l.ns_per_call;
}

int main(int argc, char **argv)
{
	struct ap_marker_rule rule = { 0 };
	struct ap_settings saved;
	struct ap_error err;
	struct ap_nl *nl;
	double plain, audited;
	bool audited_only = argc == 3 && strcmp(argv[2], "audited") == 0;
	long calls;
	int rc = 1;

	if ((argc != 2 && !audited_only) || (calls = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: probe-overhead CALLS [audited]\n");
		return 2;
	}
	if (ap_nl_open(&nl, &err) < 0 || ap_settings_capture(nl, &saved, &err) < 0) {
		fprintf(stderr, "probe-overhead: %s\n", err.msg);
		return 1;
	}
	if (ap_set_field(nl, AP_FIELD_ENABLED, 1, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_RATE_LIMIT, 0, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_BACKLOG_LIMIT, 1000000, &err) < 0)
		goto out;
	/*
	 * A few records first, so a probe holder has learned the audit
	 * buffer cache and the queue address (its next read, within 100 ms,
	 * validates and detaches the learner) before anything is timed.
	 */
	for (int i = 0; i < 10; i++)
		if (ap_send_user_message(nl, "probe-overhead warm-up", &err) < 0)
			goto out;
	usleep(300000);
	plain = audited_only ? 0 : loop_ns_per_call(calls);
	if (ap_marker_rule_add(nl, &rule, (uint32_t)getpid(), &err) < 0)
		goto out;
	audited = loop_ns_per_call(calls);
	if (audited_only)
		printf("%.1f\n", audited);
	else
		printf("%.1f %.1f\n", plain, audited);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "probe-overhead: %s\n", err.msg);
	ap_marker_rule_delete(nl, &rule, NULL);
	ap_settings_restore(nl, &saved, NULL);
	ap_nl_close(nl);
	return rc;
}
