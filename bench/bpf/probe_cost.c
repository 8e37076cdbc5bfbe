// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * probe-cost: what the bpf peak source's probe costs, measured by the
 * kernel itself.  For each loop it reads the CPU time the loop took (all
 * its threads, user + kernel, the probe's programs included) and the run
 * time the kernel's BPF statistics (BPF_ENABLE_STATS) give the probe's
 * programs over the same interval: the probe's share of the loop is the
 * second over the first.  That share is an upper bound: it includes probe
 * runs caused by anything else on the machine meanwhile (kauditd's drains,
 * other processes' slab frees on the tracepoint path) and bpf_stats' own
 * two clock reads per run.
 *
 *   probe-cost PATH[:EXTRAS] ITERATIONS
 *     PATH: auto, fexit, kretprobe or tracepoint (the probe's attach path)
 *     EXTRAS: none (the default), mean, sizes or all (--bpf-extras)
 *
 * Loops, each ITERATIONS times, no audit rule unless said:
 *   pingpong   one byte each way over a socketpair between two threads
 *   openclose  open and close /proc/self/stat (slab allocations and frees,
 *              in the cache audit buffers share on Debian's kernels)
 *   yield      two threads on one CPU taking turns (sched_yield): context
 *              switches
 *   audited    getppid under a rule for this process: 3 audit records a call
 * Each loop runs without the probe, then with it (CPU ns per iteration
 * both ways: a cross-check only, on a shared machine it swings more than
 * the probe costs).  One line per loop:
 *   LOOP ITER ns/iter-without ns/iter-with probe-ns probe-runs share%
 *   ns-per-run [records ns-per-record]
 * and, under it, "# LOOP program NAME*: RUNS runs, NS ns/run" for each of
 * the probe's programs that ran (under QEMU -icount, ns / 16 are
 * instructions: bench/bpf/icount).
 * Sets enabled, rate_limit and backlog_limit and puts them back; adds and
 * removes its rule.  As root.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "auditpeak/control.h"
#include "auditpeak/peak.h"
#include "auditpeak/rule.h"

/* The probe's programs (kernel names are cut at 15 characters). */
static const char *const probe_programs[] = {
	"on_log_end", "on_send_queue", "on_sched_switc", "on_ab_free", "on_ab_alloc",
};

#define N_PROGRAMS (sizeof(probe_programs) / sizeof(probe_programs[0]))

struct prog_stats {
	unsigned long long run_ns, runs, enqueue_runs;
	/* per program of probe_programs, for where the run time goes */
	unsigned long long prog_ns[N_PROGRAMS], prog_runs[N_PROGRAMS];
};

/* The index in probe_programs of the program named @name, or -1. */
static int probe_index(const char *name)
{
	for (size_t i = 0; i < N_PROGRAMS; i++)
		if (strncmp(name, probe_programs[i], strlen(probe_programs[i])) == 0)
			return (int)i;
	return -1;
}

/* Sum the run time and count of every loaded probe program. */
static struct prog_stats probe_stats(void)
{
	struct prog_stats s = { 0 };
	__u32 id = 0;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);
		int i;

		if (fd < 0)
			continue;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    (i = probe_index(info.name)) >= 0) {
			s.run_ns += info.run_time_ns;
			s.runs += info.run_cnt;
			s.prog_ns[i] += info.run_time_ns;
			s.prog_runs[i] += info.run_cnt;
			/* on_log_end*, on_ab_free: the per-record programs */
			if (i == 0 || i == 3)
				s.enqueue_runs += info.run_cnt;
		}
		close(fd);
	}
	return s;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long iterations;

static void *echo(void *arg)
{
	int fd = *(int *)arg;
	char c;

	while (read(fd, &c, 1) == 1 && write(fd, &c, 1) == 1)
		;
	return NULL;
}

static void pingpong(void)
{
	int sv[2];
	pthread_t t;
	char c = 'x';

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0 ||
	    pthread_create(&t, NULL, echo, &sv[1]) != 0)
		exit(1);
	for (long i = 0; i < iterations; i++)
		if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
			exit(1);
	close(sv[0]);
	pthread_join(t, NULL);
	close(sv[1]);
}

static void openclose(void)
{
	for (long i = 0; i < iterations; i++) {
		int fd = open("/proc/self/stat", O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
}

static void *yielder(void *arg)
{
	cpu_set_t one;

	(void)arg;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	for (long i = 0; i < iterations; i++)
		sched_yield();
	return NULL;
}

static void yield(void)
{
	pthread_t a, b;

	pthread_create(&a, NULL, yielder, NULL);
	pthread_create(&b, NULL, yielder, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
}

/* On a fresh thread: only tasks created after audit was enabled are audited. */
static void *audited_thread(void *arg)
{
	(void)arg;
	for (long i = 0; i < iterations; i++)
		ap_marker_syscall();
	return NULL;
}

static void audited(void)
{
	pthread_t t;

	pthread_create(&t, NULL, audited_thread, NULL);
	pthread_join(t, NULL);
}

static const struct {
	const char *name;
	void (*run)(void);
	bool audited;
} loops[] = {
	{ "pingpong", pingpong, false },
	{ "openclose", openclose, false },
	{ "yield", yield, false },
	{ "audited", audited, true },
};
#define N_LOOPS (sizeof(loops) / sizeof(loops[0]))
#define RECORDS_PER_AUDITED_CALL 3 /* SYSCALL, PROCTITLE, EOE */

static double timed(size_t i, struct prog_stats *delta)
{
	struct prog_stats s0 = probe_stats(), s1;
	double t0 = cpu_ns(), t;

	loops[i].run();
	t = cpu_ns() - t0;
	s1 = probe_stats();
	delta->run_ns = s1.run_ns - s0.run_ns;
	delta->runs = s1.runs - s0.runs;
	delta->enqueue_runs = s1.enqueue_runs - s0.enqueue_runs;
	for (size_t i = 0; i < N_PROGRAMS; i++) {
		delta->prog_ns[i] = s1.prog_ns[i] - s0.prog_ns[i];
		delta->prog_runs[i] = s1.prog_runs[i] - s0.prog_runs[i];
	}
	return t;
}

int main(int argc, char **argv)
{
	struct ap_marker_rule rule = { 0 };
	struct ap_peak_config cfg;
	struct ap_settings saved;
	struct ap_error err;
	struct ap_peak peak;
	struct ap_nl *nl;
	double without[N_LOOPS];
	int stats_fd, rc = 1;
	bool opened = false;
	uint32_t max;

	ap_peak_config_defaults(&cfg);
	if (argc != 3 || ap_bpf_spec_parse(argv[1], &cfg) < 0 ||
	    (iterations = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: probe-cost auto|fexit|kretprobe|tracepoint[:none|mean|sizes|all] ITERATIONS\n");
		return 2;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		perror("probe-cost: BPF_ENABLE_STATS");
		return 1;
	}
	if (ap_nl_open(&nl, &err) < 0 || ap_settings_capture(nl, &saved, &err) < 0) {
		fprintf(stderr, "probe-cost: %s\n", err.msg);
		return 1;
	}
	if (ap_set_field(nl, AP_FIELD_ENABLED, 1, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_RATE_LIMIT, 0, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_BACKLOG_LIMIT, 1000000, &err) < 0)
		goto out;
	for (size_t i = 0; i < N_LOOPS; i++) {
		struct prog_stats d;

		if (loops[i].audited &&
		    ap_marker_rule_add(nl, &rule, (uint32_t)getpid(), &err) < 0)
			goto out;
		without[i] = timed(i, &d);
		if (loops[i].audited && ap_marker_rule_delete(nl, &rule, &err) < 0)
			goto out;
	}
	if (ap_peak_open(&peak, AP_PEAK_BPF, &cfg, &err) < 0)
		goto out;
	opened = true;
	printf("# probe: %s\n", peak.detail);
	/* A record, so the queue address is validated before timing. */
	if (ap_send_user_message(nl, "probe-cost warm-up", &err) < 0)
		goto out;
	for (int i = 0; i < 50 && ap_peak_read(&peak, NULL, &max, &err) < 0; i++)
		usleep(100000);
	printf("# loop iterations ns/iter-without ns/iter-with probe-ns probe-runs share%% ns/run [records ns/record]\n");
	for (size_t i = 0; i < N_LOOPS; i++) {
		struct prog_stats d;
		double with;

		if (loops[i].audited &&
		    ap_marker_rule_add(nl, &rule, (uint32_t)getpid(), &err) < 0)
			goto out;
		with = timed(i, &d);
		if (loops[i].audited && ap_marker_rule_delete(nl, &rule, &err) < 0)
			goto out;
		printf("%s %ld %.1f %.1f %llu %llu %.3f %.1f", loops[i].name,
		       iterations, without[i] / (double)iterations,
		       with / (double)iterations, d.run_ns, d.runs,
		       100.0 * (double)d.run_ns / with,
		       d.runs ? (double)d.run_ns / (double)d.runs : 0.0);
		if (loops[i].audited)
			printf(" %ld %.1f", iterations * RECORDS_PER_AUDITED_CALL,
			       (double)d.run_ns / (double)(iterations * RECORDS_PER_AUDITED_CALL));
		printf("\n");
		for (size_t p = 0; p < N_PROGRAMS; p++)
			if (d.prog_runs[p])
				printf("# %s program %s*: %llu runs, %.1f ns/run\n",
				       loops[i].name, probe_programs[p], d.prog_runs[p],
				       (double)d.prog_ns[p] / (double)d.prog_runs[p]);
	}
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "probe-cost: %s\n", err.msg);
	if (opened)
		ap_peak_close(&peak);
	ap_marker_rule_delete(nl, &rule, NULL);
	ap_settings_restore(nl, &saved, NULL);
	ap_nl_close(nl);
	close(stats_fd);
	return rc;
}
