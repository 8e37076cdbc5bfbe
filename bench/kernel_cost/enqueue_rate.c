// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enqueue throughput of the audit queue, for the patch's cost: run inside
 * the patched and the unpatched QEMU guest by bench/kernel_cost/run, which
 * alternates boots and compares medians.
 *
 *   enqueue-rate CALLS RUNS [THREADS]
 *
 * Each run times one burst of CALLS audited marker syscalls (rule.h: one
 * getppid() = 3 records, SYSCALL, PROCTITLE, EOE) from THREADS threads
 * (ap_burst_send): the kernel builds and enqueues the records itself on
 * every vCPU at once, so the patch's high-water-mark update runs
 * concurrently, as it would on a busy machine.  A consumer child registered
 * as the audit daemon reads everything with a large receive buffer, so
 * kauditd drains the queue as with a real auditd and the queue neither
 * grows without bound nor hits backlog_limit (senders would then sleep in
 * audit_log_start and we would time the limit, not the enqueue).
 *
 * Prints "R <records per second>" per run and "L <lost>" (must stay 0:
 * lost records would make the rate meaningless).
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auditpeak/burst.h"
#include "auditpeak/control.h"
#include "auditpeak/rule.h"

#define RECORDS_PER_CALL 3
#define CONSUMER_RCVBUF (8 << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The draining daemon: registered on its own socket, reads until killed. */
static pid_t start_consumer(void)
{
	int ready[2];
	pid_t pid;
	char c = 0;

	if (pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		static char buf[1 << 16];
		struct ap_error err;
		struct ap_nl *nl;
		int fd, size = CONSUMER_RCVBUF;

		close(ready[0]);
		if (ap_nl_open_fd(&nl, &fd, &err) < 0)
			_exit(1);
		/* SO_RCVBUFFORCE ignores rmem_max (we are root in the guest). */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		if (ap_set_field(nl, AP_FIELD_PID, (uint32_t)getpid(), &err) < 0)
			_exit(1);
		c = 1;
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		close(ready[1]);
		for (;;)
			if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR &&
			    errno != ENOBUFS)
				_exit(1);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1 || c != 1) {
		close(ready[0]);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	close(ready[0]);
	return pid;
}

static int bench(struct ap_nl *nl, uint64_t calls, int runs,
		 unsigned int threads, struct ap_error *err)
{
	struct ap_burst b = { .mode = AP_BURST_SYSCALL, .threads = threads,
			      .count = calls };
	struct ap_status before, after;

	if (ap_get_status(nl, &before, err) < 0)
		return -1;
	/* One untimed warm-up run: page faults, first audit contexts. */
	for (int r = -1; r < runs; r++) {
		uint64_t sent;
		double t0 = now_s(), dt;

		if (ap_burst_send(&b, &sent, err) < 0)
			return -1;
		dt = now_s() - t0;
		if (r >= 0)
			printf("R %.0f\n", (double)(sent * RECORDS_PER_CALL) / dt);
	}
	if (ap_get_status(nl, &after, err) < 0)
		return -1;
	printf("L %" PRIu32 "\n",
	       after.value[AP_FIELD_LOST] - before.value[AP_FIELD_LOST]);
	return 0;
}

int main(int argc, char **argv)
{
	struct ap_marker_rule rule = { 0 };
	struct ap_error err;
	struct ap_nl *nl = NULL;
	pid_t consumer = -1;
	int rc = -1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s CALLS RUNS [THREADS]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* The guest is thrown away afterwards: settings are not restored. */
	if (ap_nl_open(&nl, &err) < 0)
		goto out;
	if (ap_set_field(nl, AP_FIELD_ENABLED, 1, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_RATE_LIMIT, 0, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_BACKLOG_LIMIT, 1000000, &err) < 0)
		goto out;
	consumer = start_consumer();
	if (consumer < 0) {
		ap_fail(&err, AP_ERR_SYSTEM, errno, "cannot start the consumer");
		goto out;
	}
	/* The rule matches this process; the burst's threads share its pid. */
	if (ap_marker_rule_add(nl, &rule, (uint32_t)getpid(), &err) < 0)
		goto out;
	rc = bench(nl, strtoull(argv[1], NULL, 10), atoi(argv[2]),
		   argc > 3 ? (unsigned int)atoi(argv[3]) : 4, &err);
	ap_marker_rule_delete(nl, &rule, NULL);
out:
	if (consumer > 0) {
		kill(consumer, SIGKILL);
		waitpid(consumer, NULL, 0);
	}
	if (rc < 0)
		fprintf(stderr, "enqueue-rate: %s\n", err.msg);
	ap_nl_close(nl);
	return rc < 0 ? 1 : 0;
}
