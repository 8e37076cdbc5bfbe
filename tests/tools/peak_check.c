// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * peak-check: ground-truth checks of the peak backends on the host kernel.
 * Prints one "ok:"/"FAIL:" line per check and exits non-zero on any FAIL.
 * The caller (tests/integration/bpf_*.sh) saves and restores the audit
 * settings; this tool sets what it needs and removes its rule and daemon
 * registration on every path.
 *
 *   peak-check plateau MODE THREADS N...
 *       A stalled daemon holds the queue still; each burst of N records
 *       must raise `backlog` by exactly N (the plateau) and the bpf
 *       maximum, cleared just before, must equal the backlog after it.
 *   peak-check live SECONDS THREADS
 *       kauditd drains as fast as it can while syscall bursts run: the bpf
 *       maximum must be >= every concurrent AUDIT_GET backlog sample and
 *       >= the sample backend's maximum.
 *   peak-check reset
 *       read-and-clear behaves as the kernel field's: it returns the
 *       maximum, reading has no side effect, and after a clear the value is
 *       the depth at the next enqueue, even below the old maximum.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditpeak/burst.h"
#include "auditpeak/clock.h"
#include "auditpeak/control.h"
#include "auditpeak/peak.h"
#include "auditpeak/rule.h"
#include "auditpeak/stall.h"

#define PLATEAU_ATTEMPTS 4
/* Above every burst, so nothing is lost or waits. */
#define BACKLOG_LIMIT 100000

static int failures;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "ok: " : "FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures += !ok;
}

static void die(const char *what, const struct ap_error *err)
{
	printf("FAIL: %s: %s\n", what, err->msg);
	failures++;
}

static uint32_t backlog(struct ap_nl *nl)
{
	struct ap_status st;
	struct ap_error err;

	if (ap_get_status(nl, &st, &err) < 0) {
		die("AUDIT_GET", &err);
		return UINT32_MAX;
	}
	return st.value[AP_FIELD_BACKLOG];
}

struct env {
	struct ap_nl *nl;
	struct ap_peak bpf;
	struct ap_marker_rule rule;
	struct ap_stall *stall;
};

static int env_open(struct env *e, bool rule, bool stall)
{
	struct ap_peak_config cfg;
	struct ap_error err;

	memset(e, 0, sizeof(*e));
	ap_peak_config_defaults(&cfg);
	if (ap_nl_open(&e->nl, &err) < 0 ||
	    ap_set_field(e->nl, AP_FIELD_ENABLED, 1, &err) < 0 ||
	    ap_set_field(e->nl, AP_FIELD_RATE_LIMIT, 0, &err) < 0 ||
	    ap_set_field(e->nl, AP_FIELD_BACKLOG_LIMIT, BACKLOG_LIMIT, &err) < 0) {
		die("audit setup", &err);
		return -1;
	}
	if (ap_peak_open(&e->bpf, AP_PEAK_BPF, &cfg, &err) < 0) {
		die("opening the bpf backend", &err);
		return -1;
	}
	if (rule && ap_marker_rule_add(e->nl, &e->rule, (uint32_t)getpid(), &err) < 0) {
		die("adding the marker rule", &err);
		return -1;
	}
	if (stall && ap_stall_start(&e->stall, e->nl, &err) < 0) {
		die("starting the stalled daemon", &err);
		return -1;
	}
	return 0;
}

static void env_close(struct env *e)
{
	struct ap_error err;

	if (ap_stall_stop(e->stall, &err) < 0)
		die("unregistering the stalled daemon", &err);
	if (ap_marker_rule_delete(e->nl, &e->rule, &err) < 0)
		die("deleting the marker rule", &err);
	if (e->bpf.ops)
		ap_peak_close(&e->bpf);
	ap_nl_close(e->nl);
}

/* One burst inside a stall window; 1 if the plateau held, 0 if not, -1 error. */
static int plateau_once(struct env *e, const struct ap_burst *b,
			uint32_t *before, uint32_t *after, uint32_t *max)
{
	struct ap_error err;
	uint64_t sent;
	uint32_t old;

	if (ap_stall_arm(e->stall, &err) < 0) {
		die("arming the stall", &err);
		return -1;
	}
	if (ap_peak_read_and_clear(&e->bpf, &old, &err) < 0) {
		die("clearing the bpf maximum", &err);
		return -1;
	}
	*before = backlog(e->nl);
	if (ap_burst_send(b, &sent, &err) < 0) {
		die("sending the burst", &err);
		return -1;
	}
	*after = backlog(e->nl);
	if (ap_peak_read(&e->bpf, NULL, max, &err) < 0) {
		die("reading the bpf maximum", &err);
		return -1;
	}
	if (b->mode == AP_BURST_USER)
		return *after - *before == b->count;
	/* Syscalls write several records each: the queue must have grown by
	 * a whole multiple of the calls. */
	return *after > *before && (*after - *before) % b->count == 0;
}

static int cmd_plateau(int argc, char **argv)
{
	struct ap_burst b = { 0 };
	struct env e;

	if (argc < 3 || ap_burst_mode_parse(argv[0], &b.mode) < 0) {
		fprintf(stderr, "usage: peak-check plateau user|syscall THREADS N...\n");
		return 2;
	}
	b.threads = (unsigned int)atoi(argv[1]);
	if (env_open(&e, b.mode == AP_BURST_SYSCALL, true) == 0) {
		for (int i = 2; i < argc; i++) {
			uint32_t before = 0, after = 0, max = 0;
			int held = 0;

			b.count = strtoull(argv[i], NULL, 10);
			for (int a = 0; a < PLATEAU_ATTEMPTS && held == 0; a++) {
				held = plateau_once(&e, &b, &before, &after, &max);
				printf("# %s burst of %" PRIu64 " from %u threads: backlog %u -> %u, bpf max %u%s\n",
				       ap_burst_mode_name(b.mode), b.count,
				       b.threads, before, after, max,
				       held == 0 ? " (plateau broke, again)" : "");
			}
			if (held < 0)
				break;
			check(held == 1, "%s burst of %" PRIu64 ": the queue held still (backlog rose by %u)",
			      ap_burst_mode_name(b.mode), b.count, after - before);
			check(max == after, "bpf max == backlog after the burst (%u == %u)",
			      max, after);
			if (b.mode == AP_BURST_USER)
				check(max - before == b.count,
				      "bpf max - pre-burst depth == N (%u - %u == %" PRIu64 ")",
				      max, before, b.count);
		}
	}
	env_close(&e);
	return failures ? 1 : 0;
}

struct live_bursts {
	struct ap_burst burst;
	double seconds;
	volatile int done;
	uint64_t sent;
	struct ap_error err;
	int rc;
};

static double now_s(void)
{
	return (double)ap_now_mono_ns() / 1e9;
}

static void *run_bursts(void *arg)
{
	struct live_bursts *l = arg;
	double end = now_s() + l->seconds;

	while (l->rc == 0 && now_s() < end) {
		uint64_t sent;

		l->rc = ap_burst_send(&l->burst, &sent, &l->err);
		l->sent += sent;
		usleep(20000);
	}
	__atomic_store_n(&l->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static int cmd_live(int argc, char **argv)
{
	struct live_bursts l = { .burst = { .mode = AP_BURST_SYSCALL, .count = 3000 } };
	struct ap_peak_config cfg;
	struct ap_peak sample = { 0 };
	struct ap_error err;
	uint32_t polled_max = 0, bpf_max = 0, sample_max = 0;
	uint64_t polls = 0;
	pthread_t tid;
	struct env e;

	if (argc != 2) {
		fprintf(stderr, "usage: peak-check live SECONDS THREADS\n");
		return 2;
	}
	l.seconds = atof(argv[0]);
	l.burst.threads = (unsigned int)atoi(argv[1]);
	ap_peak_config_defaults(&cfg);
	if (env_open(&e, true, false) == 0 &&
	    ap_peak_open(&sample, AP_PEAK_SAMPLE, &cfg, &err) == 0) {
		pthread_create(&tid, NULL, run_bursts, &l);
		/* Concurrent AUDIT_GET polling, as fast as it goes. */
		while (!__atomic_load_n(&l.done, __ATOMIC_SEQ_CST)) {
			uint32_t v = backlog(e.nl);

			if (v == UINT32_MAX)
				break;
			if (v > polled_max)
				polled_max = v;
			polls++;
		}
		pthread_join(tid, NULL);
		if (l.rc < 0)
			die("bursts", &l.err);
		if (ap_peak_read(&sample, NULL, &sample_max, &err) < 0)
			die("reading the sample backend", &err);
		if (ap_peak_read(&e.bpf, NULL, &bpf_max, &err) < 0)
			die("reading the bpf backend", &err);
		printf("# %" PRIu64 " audited syscalls in %.1f s from %u threads; %" PRIu64 " AUDIT_GET polls, max %u; sample backend max %u; bpf max %u\n",
		       l.sent, l.seconds, l.burst.threads, polls, polled_max,
		       sample_max, bpf_max);
		check(polled_max > 0, "the queue was seen non-empty (polled max %u)", polled_max);
		check(bpf_max >= polled_max, "bpf max %u >= every concurrent AUDIT_GET sample (max %u)",
		      bpf_max, polled_max);
		check(bpf_max >= sample_max, "bpf max %u >= sample backend max %u",
		      bpf_max, sample_max);
	} else if (!sample.ops && e.nl) {
		die("opening the sample backend", &err);
	}
	if (sample.ops)
		ap_peak_close(&sample);
	env_close(&e);
	return failures ? 1 : 0;
}

static int cmd_reset(void)
{
	struct ap_burst b = { .mode = AP_BURST_USER, .threads = 1, .count = 500 };
	uint32_t before, after, max, again, old, next, depth;
	struct ap_error err;
	uint64_t sent;
	struct env e;

	if (env_open(&e, false, true) < 0)
		goto out;
	for (int a = 0; a < PLATEAU_ATTEMPTS; a++) {
		if (plateau_once(&e, &b, &before, &after, &max) != 0)
			break;
	}
	if (ap_peak_read(&e.bpf, NULL, &again, &err) < 0) {
		die("bpf read", &err);
		goto out;
	}
	check(again == max, "reading has no side effect (%u, then %u)", max, again);
	/* Let kauditd move the burst off the main queue, then clear. */
	if (ap_stall_arm(e.stall, &err) < 0 ||
	    ap_peak_read_and_clear(&e.bpf, &old, &err) < 0 ||
	    ap_peak_read(&e.bpf, NULL, &next, &err) < 0) {
		die("bpf read-and-clear", &err);
		goto out;
	}
	check(old == max, "read-and-clear returns the maximum (%u == %u)", old, max);
	check(next == 0, "after the clear, with no enqueue since: 0 (got %u)", next);
	b.count = 1;
	depth = backlog(e.nl);
	if (ap_burst_send(&b, &sent, &err) < 0 ||
	    ap_peak_read(&e.bpf, NULL, &next, &err) < 0) {
		die("one record after the clear", &err);
		goto out;
	}
	after = backlog(e.nl);
	printf("# after the clear: backlog %u -> %u, bpf max %u\n", depth, after, next);
	check(after == depth + 1 && next == after,
	      "after the clear the maximum is the depth at the next enqueue (%u == %u), like the kernel field",
	      next, after);
	check(next < old, "which may be below the old maximum (%u < %u)", next, old);
out:
	env_close(&e);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "plateau") == 0)
		return cmd_plateau(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "live") == 0)
		return cmd_live(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "reset") == 0)
		return cmd_reset();
	fprintf(stderr, "usage: peak-check plateau MODE THREADS N... | live SECONDS THREADS | reset\n");
	return 2;
}
