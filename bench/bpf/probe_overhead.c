// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the bpf backend's probe costs.
 *
 * An audited syscall loop (getppid under the marker rule, 3 audit records
 * per call here) runs alternately without and with the probe attached;
 * each run's ns per call is kept and the medians compared.  The
 * difference divided by the records per call (counted by the probe) is
 * the cost per audit record; the same loop without the rule shows what the
 * always-on tracepoints cost a syscall that writes no record.
 *
 * Wall-clock differences are noisy on a shared machine, so the probe's
 * own run time is also read from the kernel's BPF statistics
 * (BPF_ENABLE_STATS, on only while this runs): invocations and ns per
 * invocation of each probe program, and invocations per audit record.
 * That excludes the tracepoint's dispatch, which the wall clock includes.
 *
 * Usage: probe-overhead CALLS_PER_RUN RUNS
 * Changes audit settings (enabled, rate_limit, backlog_limit) and puts
 * them back; adds and removes the marker rule.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "auditpeak/control.h"
#include "auditpeak/peak.h"
#include "auditpeak/rule.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct loop {
	long calls;
	double ns_per_call;
};

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

struct result {
	double without, with;
	double records_per_call;
	uint64_t free_cnt, free_ns, switch_cnt, switch_ns;
};

/* Add up run_cnt / run_time_ns of the loaded programs called @name. */
static void prog_stats(const char *name, uint64_t *cnt, uint64_t *ns)
{
	__u32 id = 0;

	*cnt = *ns = 0;
	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    strcmp(info.name, name) == 0) {
			*cnt += info.run_cnt;
			*ns += info.run_time_ns;
		}
		close(fd);
	}
}

/* Alternate runs without and with the probe; medians of ns per call. */
static int measure(long calls, int runs, struct result *r)
{
	double *without = calloc((size_t)runs, sizeof(double));
	double *with = calloc((size_t)runs, sizeof(double));
	struct ap_peak_config cfg;
	struct ap_error err;
	uint64_t enqueues = 0;

	ap_peak_config_defaults(&cfg);
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < runs; i++) {
		struct ap_depth_distribution d;
		struct ap_peak p;

		without[i] = loop_ns_per_call(calls);
		if (ap_peak_open(&p, AP_PEAK_BPF, &cfg, &err) < 0) {
			fprintf(stderr, "probe-overhead: %s\n", err.msg);
			free(without);
			free(with);
			return -1;
		}
		/* Validate the queue address before timing. */
		ap_marker_syscall();
		usleep(10000);
		ap_peak_distribution(&p, &d, NULL);
		{
			uint64_t c0, n0, s0, t0, c1, n1, s1, t1;

			prog_stats("on_ab_free", &c0, &n0);
			prog_stats("on_sched_switch", &s0, &t0);
			with[i] = loop_ns_per_call(calls);
			prog_stats("on_ab_free", &c1, &n1);
			prog_stats("on_sched_switch", &s1, &t1);
			r->free_cnt += c1 - c0;
			r->free_ns += n1 - n0;
			r->switch_cnt += s1 - s0;
			r->switch_ns += t1 - t0;
		}
		if (ap_peak_distribution(&p, &d, &err) == 0)
			enqueues += d.enqueues;
		ap_peak_close(&p);
	}
	r->without = median(without, runs);
	r->with = median(with, runs);
	r->records_per_call = (double)enqueues / ((double)calls * runs);
	free(without);
	free(with);
	return 0;
}

int main(int argc, char **argv)
{
	struct ap_marker_rule rule = { 0 };
	struct ap_settings saved;
	struct result audited, plain;
	struct ap_error err;
	struct ap_nl *nl;
	long calls;
	int runs, rc = 1, stats_fd;

	if (argc != 3) {
		fprintf(stderr, "usage: probe-overhead CALLS_PER_RUN RUNS\n");
		return 2;
	}
	calls = atol(argv[1]);
	runs = atoi(argv[2]);
	if (ap_nl_open(&nl, &err) < 0 || ap_settings_capture(nl, &saved, &err) < 0) {
		fprintf(stderr, "probe-overhead: %s\n", err.msg);
		return 1;
	}
	/* Per-program run time, for as long as this fd is open. */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		fprintf(stderr, "probe-overhead: no BPF run-time statistics: %s\n",
			strerror(errno));
	if (ap_set_field(nl, AP_FIELD_ENABLED, 1, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_RATE_LIMIT, 0, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_BACKLOG_LIMIT, 1000000, &err) < 0)
		goto out;
	if (measure(calls, runs, &plain) < 0)
		goto out;
	if (ap_marker_rule_add(nl, &rule, (uint32_t)getpid(), &err) < 0)
		goto out;
	if (measure(calls, runs, &audited) < 0)
		goto out;
	printf("plain %s loop: %.1f ns/call without the probe, %.1f with (%+.1f ns, %+.2f %%)\n",
	       ap_marker_syscall_name(), plain.without, plain.with,
	       plain.with - plain.without,
	       100 * (plain.with - plain.without) / plain.without);
	printf("audited %s loop: %.1f ns/call without the probe, %.1f with (%+.1f ns, %+.2f %%); %.2f records/call\n",
	       ap_marker_syscall_name(), audited.without, audited.with,
	       audited.with - audited.without,
	       100 * (audited.with - audited.without) / audited.without,
	       audited.records_per_call);
	if (audited.records_per_call > 0)
		printf("per audit record (wall clock): %+.1f ns\n",
		       (audited.with - audited.without) / audited.records_per_call);
	if (audited.free_cnt && audited.records_per_call > 0) {
		double records = audited.records_per_call * (double)calls * runs;

		printf("kmem_cache_free program: %.2f runs per audited call, %.1f ns per run, %.1f ns of probe time per record\n",
		       (double)audited.free_cnt / ((double)calls * runs),
		       (double)audited.free_ns / (double)audited.free_cnt,
		       (double)(audited.free_ns + audited.switch_ns) / records);
		printf("sched_switch program: %" PRIu64 " runs, %.1f ns per run\n",
		       audited.switch_cnt,
		       audited.switch_cnt ? (double)audited.switch_ns / (double)audited.switch_cnt : 0.0);
	}
	if (plain.free_cnt)
		printf("plain loop: kmem_cache_free program %.3f runs per call, %.1f ns per run\n",
		       (double)plain.free_cnt / ((double)calls * runs),
		       (double)plain.free_ns / (double)plain.free_cnt);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "probe-overhead: %s\n", err.msg);
	ap_marker_rule_delete(nl, &rule, NULL);
	ap_settings_restore(nl, &saved, NULL);
	ap_nl_close(nl);
	if (stats_fd >= 0)
		close(stats_fd);
	return rc;
}
