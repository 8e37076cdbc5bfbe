// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test 6, in the bpf flavor (the patched kernel built with BTF, BPF and
 * tracing): libauditpeak's eBPF probe and the native backlog_max_depth on
 * the same bursts, on Linux 6.12.
 *
 * Plateaus (the stalled fake daemon keeps kauditd off the main queue) give
 * a truth both must report exactly: user messages from 4 senders, then
 * kernel-generated records from 4 CPUs at once.  Read-and-clear must
 * return the same old value from both.  With kauditd draining (no daemon)
 * the two sample at slightly different instants, so there both must be at
 * least every backlog a concurrent poller saw, and the gap is noted.
 * Both attach paths run: the best one (fexit where the kernel allows BPF
 * trampolines) and the tracepoint the probe falls back to elsewhere.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/audit.h>

#include "auditpeak/peak.h"
#include "ktest.h"

static uint32_t probe_read(struct ap_peak *p, const struct ap_status *st)
{
	struct ap_error err;
	uint32_t max;

	if (ap_peak_read(p, st, &max, &err) < 0)
		fatal("t6 read the probe: %s", err.msg);
	return max;
}

static struct ap_depth_distribution probe_distribution(struct ap_peak *p)
{
	struct ap_depth_distribution d;
	struct ap_error err;

	if (ap_peak_distribution(p, &d, &err) < 0)
		fatal("t6 the probe's distribution: %s", err.msg);
	return d;
}

/*
 * Record sizes over one plateau: fexit sees every queued skb, so it sizes
 * exactly the records the plateau queued; the tracepoint sees none before
 * Linux 6.17 (audit_log_end() has cleared ab->skb), so it sizes nothing.
 */
static void check_sizes(const char *path, bool fexit, unsigned int queued,
			const struct ap_depth_distribution *d0,
			const struct ap_depth_distribution *d1)
{
	uint64_t sized = d1->records_sized - d0->records_sized;
	uint64_t bytes = d1->record_bytes - d0->record_bytes;
	uint64_t mean = sized ? bytes / sized : 0;
	char name[200];

	snprintf(name, sizeof(name), fexit ?
		 "t6 %s sizes every queued record's skb" :
		 "t6 %s sizes none (no skb in the buffer before 6.17)", path);
	check(fexit ? sized == queued && mean >= 1024 && mean <= 65536 : sized == 0,
	      name, "%llu of %u records sized, mean truesize %llu bytes",
	      (unsigned long long)sized, queued, (unsigned long long)mean);
}

static uint32_t probe_clear(struct ap_peak *p)
{
	struct ap_error err;
	uint32_t old;

	if (ap_peak_read_and_clear(p, &old, &err) < 0)
		fatal("t6 read-and-clear the probe: %s", err.msg);
	return old;
}

/*
 * Bursts of sizes[0], sizes[1], ... units of @work split over NSENDERS
 * crews until one leaves the queue at its peak (kauditd took nothing):
 * then the native mark, the probe and the backlog must all be equal.
 */
static void plateau(struct ap_peak *p, const char *path, const char *what,
		    enum work work, const unsigned int *sizes, size_t n_sizes)
{
	struct ap_status st0 = { 0 }, st1 = { 0 };
	struct ap_depth_distribution d0, d1;
	unsigned int count[NSENDERS], n = 0;
	uint32_t probe = 0;
	bool still = false;
	int failed = 0;
	char name[96];

	for (size_t a = 0; a < n_sizes && !still; a++) {
		struct crew c;

		n = sizes[a];
		/*
		 * Clear both on an empty queue (a reset while the last
		 * attempt's records are still queued would be followed by
		 * the reset's own records on top of them), then drain the
		 * reset's records before the burst.
		 */
		wait_quiet();
		reset_max();
		probe_clear(p);
		wait_quiet();
		split(n, NSENDERS, count);
		crew_start(&c, NSENDERS, work, count);
		d0 = probe_distribution(p);
		st0 = get();
		crew_go(&c);
		failed += crew_wait(&c);
		st1 = get();
		d1 = probe_distribution(p);
		probe = probe_read(p, &st1);
		note("t6 %s %s: %u units, backlog %u -> %u, native %u, probe %u",
		     path, what, n, BACKLOG(st0), BACKLOG(st1), MAXD(st1), probe);
		still = BACKLOG(st0) == 0 && MAXD(st1) == BACKLOG(st1);
		if (!still)
			note("t6 kauditd dequeued during the burst; retrying with fewer");
	}
	snprintf(name, sizeof(name), "t6 %s %s: workers succeeded", path, what);
	check(failed == 0, name, "failed=%d", failed);
	snprintf(name, sizeof(name), "t6 %s %s plateau: probe == native == backlog",
		 path, what);
	check(still && probe == MAXD(st1) && BACKLOG(st1) >= n, name,
	      "probe=%u native=%u backlog=%u units=%u", probe, MAXD(st1),
	      BACKLOG(st1), n);
	snprintf(name, sizeof(name), "%.30s %.60s", path, what);
	check_sizes(name, strncmp(p->detail, "fexit/", 6) == 0,
		    BACKLOG(st1) - BACKLOG(st0), &d0, &d1);
}

/* Both marks hold the last plateau: clear both, same old value. */
static void read_and_clear(struct ap_peak *p, const char *path)
{
	struct ap_status st;
	uint32_t probe_old, native_old;
	char name[96];

	if (!wait_drained(20000))
		fatal("t6 queue did not drain");
	probe_old = probe_clear(p);
	native_old = reset_max();
	snprintf(name, sizeof(name), "t6 %s read-and-clear returns the same old value",
		 path);
	check(probe_old == native_old && probe_old > 0, name,
	      "probe %u, native %u", probe_old, native_old);
	/* From now on both count from the reset's own CONFIG_CHANGE record. */
	wait_quiet();
	st = get();
	snprintf(name, sizeof(name), "t6 %s after the clear both restart alike", path);
	check(probe_read(p, &st) == MAXD(st), name, "probe %u, native %u",
	      probe_read(p, &st), MAXD(st));
}

static bool open_probe(struct ap_peak *p, bool tracepoint_only,
		       const char *path)
{
	struct ap_peak_config cfg;
	struct ap_error err;
	char name[96];
	int rc;

	ap_peak_config_defaults(&cfg);
	cfg.timeout_ms = 5000;
	cfg.bpf_path = tracepoint_only ? AP_BPF_PATH_TRACEPOINT : AP_BPF_PATH_AUTO;
	rc = ap_peak_open(p, AP_PEAK_BPF, &cfg, &err);
	if (rc == 0 && ap_peak_start(p, &err) < 0) {
		ap_peak_close(p);
		rc = -1;
	}
	snprintf(name, sizeof(name), "t6 %s: the probe loads on this kernel", path);
	check(rc == 0, name, "%s", rc == 0 ? p->detail : err.msg);
	return rc == 0;
}

/* With fexit allowed, the best path must be fexit; report either way. */
static void attach_paths(struct ap_peak *p)
{
	note("t6 best attach path: %s", p->detail);
	check(strncmp(p->detail, "fexit/", 6) == 0,
	      "t6 best path is fexit (trampolines work in this kernel)", "%s",
	      p->detail);
}

static void side_by_side(bool tracepoint_only)
{
	static const unsigned int user_sizes[] = { 2000, 1000, 500 };
	static const unsigned int syscall_sizes[] = { 400, 200, 100, 50 };
	const char *path = tracepoint_only ? "tracepoint" : "best";
	struct ap_peak p;

	if (!open_probe(&p, tracepoint_only, path))
		return;
	if (!tracepoint_only)
		attach_paths(&p);
	plateau(&p, path, "user messages from 4 senders", WORK_USER_MSG,
		user_sizes, sizeof(user_sizes) / sizeof(user_sizes[0]));
	rule("t6", AUDIT_ADD_RULE);
	plateau(&p, path, "getppid records from 4 CPUs", WORK_GETPPID,
		syscall_sizes, sizeof(syscall_sizes) / sizeof(syscall_sizes[0]));
	rule("t6", AUDIT_DEL_RULE);
	read_and_clear(&p, path);
	ap_peak_close(&p);
}

struct deepest_poll {
	unsigned int polls, backlog;
};

static void deepest(const struct ap_status *st, void *arg)
{
	struct deepest_poll *d = arg;

	d->polls++;
	if (BACKLOG(*st) > d->backlog)
		d->backlog = BACKLOG(*st);
}

/* kauditd draining: neither mark may be below a backlog a poller saw. */
static void live(void)
{
	struct deepest_poll polled = { 0, 0 };
	unsigned int polls, polled_max;
	struct ap_peak p;
	struct ap_status st;
	uint32_t probe;
	int failed;

	if (!open_probe(&p, false, "live"))
		return;
	reset_max();
	probe_clear(&p);
	failed = polled_bursts(3, 3000, deepest, &polled);
	polls = polled.polls;
	polled_max = polled.backlog;
	wait_drained(20000);
	st = get();
	probe = probe_read(&p, &st);
	note("t6 live: %u polls saw up to %u; native %u, probe %u (gap %d)",
	     polls, polled_max, MAXD(st), probe, (int)probe - (int)MAXD(st));
	check(failed == 0, "t6 live: workers succeeded", "failed=%d", failed);
	check(MAXD(st) >= polled_max && probe >= polled_max,
	      "t6 live: probe and native >= every polled backlog",
	      "probe %u, native %u, polled %u", probe, MAXD(st), polled_max);
	ap_peak_close(&p);
}

void test6_bpf_side_by_side(void)
{
	int fd;

	set_field(AP_FIELD_ENABLED, 1);
	set_field(AP_FIELD_BACKLOG_LIMIT, 20000);
	fd = fake_auditd_start();
	side_by_side(false);
	side_by_side(true);
	fake_auditd_stop(fd);
	wait_quiet();
	live();
}
