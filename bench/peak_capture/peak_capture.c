// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Peak capture: how much of the audit queue's true peak a `backlog` poller
 * sees, next to an exact peak backend.  Runs on the host (bpf backend) and
 * inside the patched QEMU guest (kernel backend); bench/peak_capture/run
 * drives both and bench/peak_capture/analyze.py turns the trace into the
 * table and the plot.
 *
 *   peak-capture BACKEND BURST_MS RATE SECONDS [THREADS]
 *
 * Three things run at once for SECONDS:
 *   - the workload: once per second, at a random offset, a micro-burst of
 *     RATE records/s lasting BURST_MS, as AUDIT_USER records from THREADS
 *     senders (ap_burst_send, paced in 5 ms chunks so the burst really
 *     lasts BURST_MS instead of going out as fast as possible);
 *   - the truth: the exact backend read-and-cleared every 10 ms, so the
 *     trace holds the exact maximum of every 10 ms slot (read-and-clear is
 *     an atomic swap, so the slots partition time and any window's exact
 *     peak is the max of its slots: what auditpeak's window read-and-clear
 *     would return for that window);
 *   - a poller: AUDIT_GET every 10 ms, keeping `backlog` (what existing
 *     tools read).  Slower pollers (1 s, 15 s) are simulated from this
 *     series with random phases by the analysis, so they are judged on
 *     exactly the same queue.
 * Samples are kept in memory and printed at the end ("T t_ns value",
 * "P t_ns value", "B t_ns sent"), so no I/O disturbs the run.
 *
 * Audit settings are captured first and restored on every way out (a
 * SIGINT/SIGTERM only stops the run): enabled 1, rate_limit 0 and a large
 * backlog_limit while it runs, so the queue is never capped and senders
 * never wait.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditpeak/burst.h"
#include "auditpeak/control.h"
#include "auditpeak/peak.h"

#define SLOT_NS 10000000LL  /* truth and poll period: 10 ms */
#define CHUNK_NS 5000000LL  /* burst pacing chunk: 5 ms */
#define BENCH_BACKLOG_LIMIT 1000000

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The next tick of a period-@period clock started at @start that is still
 * ahead: a poller that was held up (AUDIT_GET waits for the audit command
 * lock, which a burst of AUDIT_USER records holds) skips the ticks it
 * missed, like a timer, instead of firing them all at once.
 */
static int64_t next_tick(int64_t start, int64_t period, int64_t after)
{
	int64_t now = now_ns();

	if (after < now)
		after = now;
	return start + ((after - start) / period + 1) * period;
}

static void sleep_until_ns(int64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000LL,
			       .tv_nsec = t % 1000000000LL };

	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					NULL) == EINTR)
		;
}

struct sample {
	int64_t t;
	uint32_t v;
};

struct series {
	struct sample *s;
	size_t n, cap;
};

static void series_add(struct series *se, int64_t t, uint32_t v)
{
	if (se->n < se->cap)
		se->s[se->n++] = (struct sample){ t, v };
}

static void series_print(const struct series *se, char tag, int64_t t0)
{
	for (size_t i = 0; i < se->n; i++)
		printf("%c %" PRId64 " %" PRIu32 "\n", tag, se->s[i].t - t0,
		       se->s[i].v);
}

struct ticker {
	int64_t start, end;
	struct series out;
	struct ap_peak *peak; /* truth thread */
	struct ap_nl *nl;     /* poller thread */
	struct ap_error err;
	int rc;
	unsigned int foreign_daemon; /* polls that saw a registered daemon */
};

/* Exact max of every slot: read-and-clear at each slot boundary. */
static void *truth_thread(void *arg)
{
	struct ticker *k = arg;

	for (int64_t t = k->start + SLOT_NS; t <= k->end && !stop;
	     t = next_tick(k->start, SLOT_NS, t)) {
		uint32_t old;

		sleep_until_ns(t);
		if (ap_peak_read_and_clear(k->peak, &old, &k->err) < 0) {
			k->rc = -1;
			stop = 1;
			break;
		}
		series_add(&k->out, now_ns(), old);
	}
	return NULL;
}

/* What a `backlog` poller sees: the queue length at the instant it asks. */
static void *poll_thread(void *arg)
{
	struct ticker *k = arg;

	/* Half a slot off the truth's ticks, so the two never contend. */
	for (int64_t t = k->start + SLOT_NS / 2; t <= k->end && !stop;
	     t = next_tick(k->start + SLOT_NS / 2, SLOT_NS, t)) {
		struct ap_status st;

		sleep_until_ns(t);
		if (ap_get_status(k->nl, &st, &k->err) < 0) {
			k->rc = -1;
			stop = 1;
			break;
		}
		series_add(&k->out, now_ns(), st.value[AP_FIELD_BACKLOG]);
		/* On a shared host someone else's load may fill the queue too:
		 * the comparison stays fair (same queue), but say so. */
		if (st.value[AP_FIELD_PID] != 0)
			k->foreign_daemon++;
	}
	return NULL;
}

/* One burst a second at a random offset: RATE records/s for BURST_MS. */
static int workload(int64_t start, int seconds, int burst_ms, uint64_t rate,
		    unsigned int threads, struct series *bursts,
		    struct ap_error *err)
{
	int64_t burst_ns = (int64_t)burst_ms * 1000000LL;
	int64_t chunks = burst_ns / CHUNK_NS > 0 ? burst_ns / CHUNK_NS : 1;
	uint64_t per_chunk = rate * (uint64_t)burst_ms / 1000 / (uint64_t)chunks;
	struct ap_burst b = { .mode = AP_BURST_USER, .threads = threads,
			      .count = per_chunk ? per_chunk : 1,
			      .stop = &stop };

	/* The last second is left quiet so its tail drains before the end. */
	for (int s = 0; s < seconds - 1 && !stop; s++) {
		int64_t room = 1000000000LL - burst_ns;
		int64_t t = start + (int64_t)s * 1000000000LL +
			    (room > 0 ? (int64_t)(drand48() * (double)room) : 0);
		uint64_t total = 0;

		sleep_until_ns(t);
		series_add(bursts, now_ns(), 0);
		for (int64_t c = 0; c < chunks && !stop; c++) {
			uint64_t sent;

			sleep_until_ns(t + c * CHUNK_NS);
			if (ap_burst_send(&b, &sent, err) < 0)
				return -1;
			total += sent;
		}
		series_add(bursts, now_ns(), (uint32_t)total);
	}
	return 0;
}

/* The exact backend, validated (the bpf one learns the queue's address
 * from the first records it sees) and cleared. */
static int open_truth(struct ap_peak *p, const char *backend, struct ap_nl *nl,
		      struct ap_error *err)
{
	struct ap_peak_config cfg;
	enum ap_peak_kind kind;
	uint32_t v;

	if (ap_peak_kind_parse(backend, &kind) < 0 ||
	    (kind != AP_PEAK_KERNEL && kind != AP_PEAK_BPF))
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "backend must be kernel or bpf (exact), not '%s'",
			       backend);
	ap_peak_config_defaults(&cfg);
	if (ap_peak_open(p, kind, &cfg, err) < 0)
		return -1;
	for (int i = 0; i < 100; i++) {
		if (ap_peak_read(p, NULL, &v, err) == 0)
			return ap_peak_read_and_clear(p, &v, err);
		if (err->sys_errno != EAGAIN)
			break;
		if (ap_send_user_message(nl, "auditpeak bench warm-up", err) < 0)
			break;
		usleep(50000);
	}
	ap_peak_close(p);
	return -1;
}

static int run(struct ap_nl *nl, const char *backend, int burst_ms,
	       uint64_t rate, int seconds, unsigned int threads,
	       struct ap_error *err)
{
	size_t slots = (size_t)seconds * (1000000000LL / SLOT_NS) + 16;
	struct ap_peak peak = { 0 };
	struct ticker truth = { 0 }, poll = { 0 };
	struct series bursts = { calloc(2 * (size_t)seconds + 4, sizeof(struct sample)),
				 0, 2 * (size_t)seconds + 4 };
	pthread_t tt, pt;
	int64_t t0;
	int rc;

	truth.out = (struct series){ calloc(slots, sizeof(struct sample)), 0, slots };
	poll.out = (struct series){ calloc(slots, sizeof(struct sample)), 0, slots };
	if (!truth.out.s || !poll.out.s || !bursts.s)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	if (open_truth(&peak, backend, nl, err) < 0)
		return -1;
	truth.peak = &peak;
	if (ap_nl_open(&poll.nl, err) < 0) {
		ap_peak_close(&peak);
		return -1;
	}
	t0 = now_ns() + 100000000LL;
	truth.start = poll.start = t0;
	truth.end = poll.end = t0 + (int64_t)seconds * 1000000000LL;
	pthread_create(&tt, NULL, truth_thread, &truth);
	pthread_create(&pt, NULL, poll_thread, &poll);
	rc = workload(t0, seconds, burst_ms, rate, threads, &bursts, err);
	if (rc < 0)
		stop = 1;
	pthread_join(tt, NULL);
	pthread_join(pt, NULL);
	ap_nl_close(poll.nl);
	ap_peak_close(&peak);
	if (rc == 0 && truth.rc < 0) {
		*err = truth.err;
		rc = -1;
	}
	if (rc == 0 && poll.rc < 0) {
		*err = poll.err;
		rc = -1;
	}
	printf("# backend=%s burst_ms=%d rate=%" PRIu64 " seconds=%d threads=%u foreign_daemon_polls=%u\n",
	       backend, burst_ms, rate, seconds, threads, poll.foreign_daemon);
	series_print(&truth.out, 'T', t0);
	series_print(&poll.out, 'P', t0);
	series_print(&bursts, 'B', t0);
	free(truth.out.s);
	free(poll.out.s);
	free(bursts.s);
	return rc;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct ap_settings saved;
	struct ap_error err, rerr;
	struct ap_nl *nl;
	int rc;

	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: %s kernel|bpf BURST_MS RATE SECONDS [THREADS]\n",
			argv[0]);
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	srand48((long)now_ns());
	if (ap_nl_open(&nl, &err) < 0 || ap_settings_capture(nl, &saved, &err) < 0) {
		fprintf(stderr, "peak-capture: %s\n", err.msg);
		return 1;
	}
	rc = ap_set_field(nl, AP_FIELD_ENABLED, 1, &err);
	if (rc == 0)
		rc = ap_set_field(nl, AP_FIELD_RATE_LIMIT, 0, &err);
	if (rc == 0)
		rc = ap_set_field(nl, AP_FIELD_BACKLOG_LIMIT, BENCH_BACKLOG_LIMIT, &err);
	if (rc == 0)
		rc = run(nl, argv[1], atoi(argv[2]), strtoull(argv[3], NULL, 10),
			 atoi(argv[4]), argc > 5 ? (unsigned int)atoi(argv[5]) : 2,
			 &err);
	if (ap_settings_restore(nl, &saved, &rerr) < 0) {
		if (rc == 0)
			err = rerr;
		fprintf(stderr, "peak-capture: restoring audit settings: %s\n", rerr.msg);
		rc = -1;
	}
	ap_nl_close(nl);
	if (rc < 0)
		fprintf(stderr, "peak-capture: %s\n", err.msg);
	fflush(stdout);
	return rc < 0 ? 1 : 0;
}
