// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest time per audit record, for the kernel patch's cost: run inside
 * the patched and the unpatched QEMU guest by bench/kernel_cost/run, under
 * QEMU's -icount, where the guest's clock counts executed instructions
 * (shift=4: 16 ns each) instead of following the host, so a run's time is
 * the work the guest did, whatever else the host was doing.
 *
 *   record-cost [--probe PATH[:EXTRAS]] RECORDS RUNS PROCS...
 *
 * For each PROCS value (e.g. 1 4), in each of two modes, RUNS timed runs
 * after one untimed warm-up (page faults, first audit contexts):
 *   user     AUDIT_USER messages over netlink (one record each; each
 *            message waits for its ack);
 *   syscall  calls of the marker syscall under a marker rule (rule.h:
 *            SYSCALL, PROCTITLE, EOE = 3 records a call), the records
 *            built and queued by the kernel on the caller's CPU.
 * RECORDS records in all, split over PROCS child processes that start
 * together (one marker rule per child, its pid).  A run's time goes from
 * the start signal until every child is done and the kernel's queue is
 * empty again, so kauditd's dequeue and send are inside it; a consumer
 * registered as the audit daemon (bench/lib/audit_consumer.c) reads
 * everything, as auditd would.
 *
 * Prints "R MODE PROCS RUN NS_PER_RECORD RECORDS NS" per timed run and
 * "L LOST" at the end (must be 0: a lost record is one not queued, and
 * the time per record would be meaningless).  The guest is thrown away
 * afterwards: audit settings are not restored.
 *
 * With --probe PATH[:EXTRAS] (auto, fexit, kretprobe, tracepoint; then
 * none, the default, mean, sizes or all: what the probe keeps besides the
 * maximum and the histogram, see --bpf-extras) the same runs are repeated
 * with auditpeak's eBPF probe attached as `serve` attaches it (the
 * library's bpf peak source on that path), for its cost per record
 * (bench/bpf/icount): each run without the probe, then with it ("B ..."
 * lines shaped like the "R" ones), detached again between runs; "P DETAIL"
 * once, when it is first loaded and has validated the queue.  Both states
 * also time work that writes no audit record, OPENCLOSE_PAIRS opens and
 * closes of /proc/self/stat per run (slab allocations in the cache audit
 * buffers use on Debian's kernels): "O off|on RUN NS_PER_PAIR".
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auditpeak/burst.h"
#include "auditpeak/clock.h"
#include "auditpeak/control.h"
#include "auditpeak/peak.h"
#include "auditpeak/rule.h"

#include "../lib/audit_consumer.h"

#define RECORDS_PER_CALL 3 /* SYSCALL, PROCTITLE, EOE */
#define MAX_PROCS 64
#define OPENCLOSE_PAIRS 20000

struct crew {
	pid_t pid[MAX_PROCS];
	struct ap_marker_rule rule[MAX_PROCS];
	int n;
	int go;   /* write end: closing it starts everyone */
	int done; /* read end: one byte per finished child */
};

/* A child: ready its socket, wait for the start, send @count, report. */
static void child(enum ap_burst_mode mode, uint64_t count, int go, int done)
{
	struct ap_error err;
	struct ap_nl *nl = NULL;
	char c;

	if (mode == AP_BURST_USER && ap_nl_open(&nl, &err) < 0)
		_exit(1);
	if (read(go, &c, 1) != 0)
		_exit(1);
	for (uint64_t i = 0; i < count; i++) {
		if (mode == AP_BURST_SYSCALL)
			ap_marker_syscall();
		else if (ap_send_user_message(nl, "auditpeak record-cost", &err) < 0)
			_exit(1);
	}
	c = 1;
	if (write(done, &c, 1) != 1)
		_exit(1);
	/* Closed, so a sibling that died shows as end of file, not a hang. */
	close(done);
	pause(); /* killed by the parent: exit costs stay out of the timing */
	_exit(0);
}

static void crew_stop(struct ap_nl *nl, struct crew *c)
{
	for (int i = 0; i < c->n; i++) {
		ap_marker_rule_delete(nl, &c->rule[i], NULL);
		kill(c->pid[i], SIGKILL);
		waitpid(c->pid[i], NULL, 0);
	}
	c->n = 0;
	if (c->go >= 0)
		close(c->go);
	if (c->done >= 0)
		close(c->done);
}

static int crew_start(struct ap_nl *nl, struct crew *c, enum ap_burst_mode mode,
		      uint64_t calls, int procs, struct ap_error *err)
{
	int go[2], done[2];

	memset(c, 0, sizeof(*c));
	c->go = c->done = -1;
	if (pipe(go) < 0 || pipe(done) < 0)
		return ap_fail(err, AP_ERR_SYSTEM, errno, "pipe");
	c->go = go[1];
	c->done = done[0];
	for (int i = 0; i < procs; i++) {
		/* The first (calls % procs) children send one more. */
		uint64_t count = calls / (uint64_t)procs + ((uint64_t)i < calls % (uint64_t)procs);
		pid_t pid = fork();

		if (pid == 0) {
			close(go[1]);
			close(done[0]);
			child(mode, count, go[0], done[1]);
		}
		if (pid < 0) {
			ap_fail(err, AP_ERR_SYSTEM, errno, "fork");
			break;
		}
		c->pid[c->n++] = pid;
		if (mode == AP_BURST_SYSCALL &&
		    ap_marker_rule_add(nl, &c->rule[i], (uint32_t)pid, err) < 0)
			break;
	}
	close(go[0]);
	close(done[1]);
	if (c->n == procs && (mode != AP_BURST_SYSCALL || c->rule[procs - 1].installed))
		return 0;
	crew_stop(nl, c);
	return -1;
}

/*
 * Until the kernel's queue is empty: kauditd has handed everything over.
 * Yielding, not sleeping: a sleep would idle the guest until its next
 * timer tick, and under -icount sleep=off the clock jumps to that tick,
 * which would put up to a tick of noise into every run's end.
 */
static int wait_drained(struct ap_nl *nl, struct ap_error *err)
{
	struct ap_status st;

	for (;;) {
		if (ap_get_status(nl, &st, err) < 0)
			return -1;
		if (st.value[AP_FIELD_BACKLOG] == 0)
			return 0;
		sched_yield();
	}
}

/* One run: guest ns from the start signal to the drained queue. */
static int timed_run(struct ap_nl *nl, enum ap_burst_mode mode, uint64_t calls,
		     int procs, int64_t *ns, struct ap_error *err)
{
	struct crew c;
	int64_t t0;
	int rc = 0;
	char byte;

	if (crew_start(nl, &c, mode, calls, procs, err) < 0)
		return -1;
	t0 = (int64_t)ap_now_mono_ns();
	close(c.go);
	c.go = -1;
	for (int i = 0; i < procs && rc == 0; i++)
		if (read(c.done, &byte, 1) != 1)
			rc = ap_fail(err, AP_ERR_SYSTEM, errno ? errno : EPIPE,
				     "a sender died");
	if (rc == 0)
		rc = wait_drained(nl, err);
	*ns = (int64_t)ap_now_mono_ns() - t0;
	crew_stop(nl, &c);
	return rc;
}

/*
 * Every mode for every sender count: runs FIRST..LAST, a negative one
 * untimed (a warm-up), one line "TAG MODE PROCS RUN NS_PER_RECORD RECORDS
 * NS" for each timed one.
 */
static int measure(struct ap_nl *nl, char tag, uint64_t records, int first,
		   int last, char **procs, int n_procs, struct ap_error *err)
{
	static const enum ap_burst_mode modes[] = { AP_BURST_USER, AP_BURST_SYSCALL };

	for (int a = 0; a < n_procs; a++) {
		int n = atoi(procs[a]);

		if (n < 1 || n > MAX_PROCS)
			return ap_fail(err, AP_ERR_USAGE, EINVAL, "PROCS must be 1..%d", MAX_PROCS);
		for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			uint64_t per = modes[m] == AP_BURST_SYSCALL ? RECORDS_PER_CALL : 1;
			uint64_t calls = records / per;

			for (int r = first; r <= last; r++) {
				int64_t ns;

				if (timed_run(nl, modes[m], calls, n, &ns, err) < 0)
					return -1;
				if (r >= 0)
					printf("%c %s %d %d %.2f %" PRIu64 " %" PRId64 "\n",
					       tag, ap_burst_mode_name(modes[m]), n, r,
					       (double)ns / (double)(calls * per),
					       calls * per, ns);
			}
		}
	}
	return 0;
}

/*
 * Work that writes no audit record, runs FIRST..LAST as above: "O STATE
 * RUN NS_PER_PAIR" for each timed one.
 */
static int measure_openclose(const char *state, int first, int last,
			     struct ap_error *err)
{
	for (int r = first; r <= last; r++) {
		int64_t t0 = (int64_t)ap_now_mono_ns();

		for (int i = 0; i < OPENCLOSE_PAIRS; i++) {
			int fd = open("/proc/self/stat", O_RDONLY);

			if (fd < 0)
				return ap_fail(err, AP_ERR_SYSTEM, errno, "open /proc/self/stat");
			close(fd);
		}
		if (r >= 0)
			printf("O %s %d %.2f\n", state, r,
			       (double)((int64_t)ap_now_mono_ns() - t0) / OPENCLOSE_PAIRS);
	}
	return 0;
}

/*
 * Attach the probe as serve does and wait until it reads: the first read
 * validates the queue's address, which needs a record queued.
 */
static int probe_attach(struct ap_peak *peak, struct ap_nl *nl, const char *path,
			bool say, struct ap_error *err)
{
	struct ap_peak_config cfg;
	uint32_t max;

	ap_peak_config_defaults(&cfg);
	if (ap_bpf_spec_parse(path, &cfg) < 0)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "--probe %s: auto, fexit, kretprobe or tracepoint, then :EXTRAS (none, mean, sizes, all) if any",
			       path);
	if (ap_peak_open(peak, AP_PEAK_BPF, &cfg, err) < 0)
		return -1;
	for (int i = 0; i < 50; i++) {
		if (ap_send_user_message(nl, "auditpeak record-cost probe warm-up", err) < 0)
			break;
		if (wait_drained(nl, err) < 0)
			break;
		if (ap_peak_read(peak, NULL, &max, err) == 0) {
			if (say)
				printf("P %s\n", peak->detail);
			return 0;
		}
	}
	ap_peak_close(peak);
	return -1;
}

int main(int argc, char **argv)
{
	struct ap_status before, after;
	struct ap_error err;
	struct ap_nl *nl = NULL;
	struct ap_peak peak;
	const char *probe = NULL;
	bool attached = false;
	pid_t consumer = -1;
	uint64_t records;
	int runs, rc = -1;

	if (argc > 2 && strcmp(argv[1], "--probe") == 0) {
		probe = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: record-cost [--probe PATH[:EXTRAS]] RECORDS RUNS PROCS...\n");
		return 2;
	}
	records = strtoull(argv[1], NULL, 10);
	runs = atoi(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ap_nl_open(&nl, &err) < 0)
		goto out;
	if (ap_set_field(nl, AP_FIELD_ENABLED, 1, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_RATE_LIMIT, 0, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_BACKLOG_LIMIT, 1000000, &err) < 0)
		goto out;
	consumer = bench_consumer_start();
	if (consumer < 0) {
		ap_fail(&err, AP_ERR_SYSTEM, errno, "cannot start the consumer");
		goto out;
	}
	if (ap_get_status(nl, &before, &err) < 0)
		goto out;
	if (!probe && measure(nl, 'R', records, -1, runs - 1, argv + 3, argc - 3, &err) < 0)
		goto out;
	/*
	 * With the probe, rounds alternate: no probe, then attached, then
	 * detached again for the next round, so a drift over the boot (caches
	 * warming, the log growing) falls on both sides alike.
	 */
	for (int r = -1; probe && r < runs; r++) {
		if (measure(nl, 'R', records, r, r, argv + 3, argc - 3, &err) < 0 ||
		    measure_openclose("off", r, r, &err) < 0 ||
		    probe_attach(&peak, nl, probe, r < 0, &err) < 0)
			goto out;
		attached = true;
		if (measure(nl, 'B', records, r, r, argv + 3, argc - 3, &err) < 0 ||
		    measure_openclose("on", r, r, &err) < 0)
			goto out;
		ap_peak_close(&peak);
		attached = false;
	}
	if (ap_get_status(nl, &after, &err) < 0)
		goto out;
	printf("L %" PRIu32 "\n",
	       after.value[AP_FIELD_LOST] - before.value[AP_FIELD_LOST]);
	rc = 0;
out:
	if (attached)
		ap_peak_close(&peak);
	bench_consumer_stop(consumer);
	if (rc < 0)
		fprintf(stderr, "record-cost: %s\n", err.msg);
	ap_nl_close(nl);
	return rc < 0 ? 1 : 0;
}
