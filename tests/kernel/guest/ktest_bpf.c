// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test 6: libauditpeak's eBPF probe on every attach path the running
 * kernel offers (fexit, kretprobe, tracepoint), beside the native
 * backlog_max_depth where the kernel has it (the patched kernels) and
 * against the plateau's own truth everywhere (Debian's prebuilt kernels).
 *
 * Plateaus (the stalled fake daemon keeps kauditd off the main queue) give
 * a truth the probe must report exactly: N user messages from 4 senders on
 * 4 CPUs raise `backlog` by exactly N, and the probe, cleared on an empty
 * queue just before, must read exactly the backlog after the burst (and
 * the native field, where there is one).  Then kernel-generated records
 * from 4 CPUs at once.  Read-and-clear returns the maximum.  3000
 * open/close calls with no audit rule queue no record: the probe must
 * count no enqueue and leave its histogram as it was.  With kauditd
 * draining (no daemon) the probe must be at least every backlog a
 * concurrent poller saw.  A path the kernel does not offer must refuse
 * with its reason, never load and publish something else.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
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

/* Whether this kernel has backlog_max_depth (the patched kernels). */
static bool native;

/*
 * Record sizes over one plateau: every path sizes the record it just saw
 * queued (the queue's tail, which on a still queue is that record).  Held
 * against the records the probe saw queued, which must cover the queue's
 * growth: kauditd may take some early in a burst and still leave the
 * mark at the final backlog, so the growth alone can be fewer.
 */
static void check_sizes(const char *path, unsigned int queued,
			const struct ap_depth_distribution *d0,
			const struct ap_depth_distribution *d1)
{
	uint64_t sized = d1->records_sized - d0->records_sized;
	uint64_t seen = d1->enqueues - d0->enqueues;
	uint64_t bytes = d1->record_bytes - d0->record_bytes;
	uint64_t mean = sized ? bytes / sized : 0;
	char name[200];

	snprintf(name, sizeof(name), "t6 %s sizes every queued record's skb", path);
	check(sized == seen && seen >= queued && mean >= 256 && mean <= 65536,
	      name, "%llu of %llu records seen queued sized (queue grew by %u), mean truesize %llu bytes",
	      (unsigned long long)sized, (unsigned long long)seen, queued,
	      (unsigned long long)mean);
}

/*
 * When the queue grew by exactly the records sent (one per user message,
 * none taken by kauditd), the probe counted exactly those: no record
 * missed (an attach point callers go past), none counted twice or made
 * up (audit_log_end(NULL) taken for an enqueue).
 */
static void check_count(const char *path, unsigned int sent, unsigned int queued,
			const struct ap_depth_distribution *d0,
			const struct ap_depth_distribution *d1)
{
	uint64_t seen = d1->enqueues - d0->enqueues;
	char name[200];

	snprintf(name, sizeof(name), "t6 %s: enqueues counted == records queued", path);
	check(queued == sent && seen == sent, name,
	      "%llu enqueues counted, %u records sent, queue grew by %u",
	      (unsigned long long)seen, sent, queued);
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
 * then the probe, the backlog (and the native mark) must all be equal.
 * For user messages (one record each) that is also exactly N records.
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
	char name[160];

	for (size_t a = 0; a < n_sizes && !still; a++) {
		struct crew c;

		n = sizes[a];
		/*
		 * Clear on an empty queue (a reset while the last attempt's
		 * records are still queued would be followed by the reset's
		 * own records on top of them), then drain the reset's records
		 * before the burst.
		 */
		wait_quiet();
		if (native)
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
		note("t6 %s %s: %u units, backlog %u -> %u, native %s%u, probe %u",
		     path, what, n, BACKLOG(st0), BACKLOG(st1),
		     native ? "" : "(none) ", native ? MAXD(st1) : 0, probe);
		/*
		 * Still: nothing was queued before and nothing dequeued during
		 * the burst.  Without the native field, that is the backlog
		 * having grown by at least the units (exactly, for user
		 * messages, with the native field too) while the probe's peak
		 * is no higher.
		 */
		still = BACKLOG(st0) == 0 &&
			(native ? MAXD(st1) == BACKLOG(st1) &&
				  (work != WORK_USER_MSG || BACKLOG(st1) == n) :
				  work == WORK_USER_MSG ? BACKLOG(st1) == n :
							  BACKLOG(st1) >= n && probe <= BACKLOG(st1));
		if (!still)
			note("t6 kauditd dequeued during the burst; retrying with fewer");
	}
	snprintf(name, sizeof(name), "t6 %s %s: workers succeeded", path, what);
	check(failed == 0, name, "failed=%d", failed);
	snprintf(name, sizeof(name), native ?
		 "t6 %s %s plateau: probe == native == backlog" :
		 "t6 %s %s plateau: probe == backlog", path, what);
	check(still && probe == BACKLOG(st1) && BACKLOG(st1) >= n &&
	      (!native || probe == MAXD(st1)), name,
	      "probe=%u native=%u backlog=%u units=%u", probe,
	      native ? MAXD(st1) : 0, BACKLOG(st1), n);
	snprintf(name, sizeof(name), "%.30s %.60s", path, what);
	check_sizes(name, BACKLOG(st1) - BACKLOG(st0), &d0, &d1);
	if (work == WORK_USER_MSG)
		check_count(name, n, BACKLOG(st1) - BACKLOG(st0), &d0, &d1);
}

/* The mark holds the last plateau: read-and-clear returns it. */
static void read_and_clear(struct ap_peak *p, const char *path)
{
	struct ap_status st;
	uint32_t max, probe_old, native_old = 0;
	char name[96];

	if (!wait_drained(20000))
		fatal("t6 queue did not drain");
	st = get();
	max = probe_read(p, &st);
	probe_old = probe_clear(p);
	if (native)
		native_old = reset_max();
	snprintf(name, sizeof(name), "t6 %s read-and-clear returns the maximum",
		 path);
	check(probe_old == max && probe_old > 0 && (!native || probe_old == native_old),
	      name, "probe %u (read before: %u), native %u", probe_old, max,
	      native_old);
	wait_quiet();
	st = get();
	snprintf(name, sizeof(name), "t6 %s after the clear it restarts", path);
	if (native)
		check(probe_read(p, &st) == MAXD(st), name, "probe %u, native %u",
		      probe_read(p, &st), MAXD(st));
	else
		check(probe_read(p, &st) < max, name, "probe %u, old maximum %u",
		      probe_read(p, &st), max);
}

/*
 * Slab churn with no audit record: open/close allocates and frees file
 * objects (on Debian's kernels in the slab cache audit buffers share).
 */
static void churn(struct ap_peak *p, const char *path)
{
	struct ap_depth_distribution d0, d1;
	bool same = true;
	char name[96];

	wait_quiet();
	d0 = probe_distribution(p);
	for (int i = 0; i < 3000; i++) {
		int fd = open("/proc/self/stat", O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
	d1 = probe_distribution(p);
	for (int i = 0; i < AP_DEPTH_BUCKETS; i++)
		same = same && d0.bucket[i] == d1.bucket[i];
	snprintf(name, sizeof(name),
		 "t6 %s: 3000 open/close, no audit record: 0 enqueues, histogram unchanged",
		 path);
	check(d1.enqueues == d0.enqueues && same, name, "enqueues %llu -> %llu",
	      (unsigned long long)d0.enqueues, (unsigned long long)d1.enqueues);
}

static const struct {
	enum ap_bpf_path path;
	const char *name;
} paths[] = {
	{ AP_BPF_PATH_FEXIT, "fexit" },
	{ AP_BPF_PATH_KPROBE, "kretprobe" },
	{ AP_BPF_PATH_TRACEPOINT, "tracepoint" },
};

bool path_expected(const char *name)
{
	const char *list = getenv("auditpeak_expect_paths");
	size_t n = strlen(name);

	for (const char *s = list ? list : ""; *s;) {
		size_t len = strcspn(s, ",");

		if (len == n && strncmp(s, name, n) == 0)
			return true;
		s += len + (s[len] == ',');
	}
	return false;
}

const char *first_expected_path(void)
{
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (path_expected(paths[i].name))
			return paths[i].name;
	return NULL;
}

/*
 * Open @path, keeping @extras (AP_BPF_EXTRA_*).  A path this kernel is
 * expected to offer must attach; any other refusal must say why (and is
 * noted, not failed).
 */
static bool open_probe(struct ap_peak *p, enum ap_bpf_path path,
		       unsigned int extras, const char *name)
{
	struct ap_peak_config cfg;
	struct ap_error err;
	char check_name[96];

	ap_peak_config_defaults(&cfg);
	cfg.timeout_ms = 5000;
	cfg.bpf_path = path;
	cfg.bpf_extras = extras;
	if (ap_peak_open(p, AP_PEAK_BPF, &cfg, &err) == 0) {
		if (ap_peak_start(p, &err) == 0) {
			note("t6 %s attached: %s", name, p->detail);
			return true;
		}
		ap_peak_close(p);
	}
	note("t6 %s not offered: %s", name, err.msg);
	if (path_expected(name)) {
		snprintf(check_name, sizeof(check_name),
			 "t6 %s attaches (this kernel offers it)", name);
		check(false, check_name, "refused: %s (%s, errno %d)", err.msg,
		      ap_err_name(err.code), err.sys_errno);
		return false;
	}
	snprintf(check_name, sizeof(check_name),
		 "t6 %s refused with a reason, as unsupported", name);
	check(err.code == AP_ERR_UNSUPPORTED && strstr(err.msg, "bpf: ") == err.msg &&
	      strlen(err.msg) > 20, check_name, "%s", err.msg);
	return false;
}

static int run_path(enum ap_bpf_path path, const char *name)
{
	static const unsigned int user_sizes[] = { 2000, 1000, 500 };
	static const unsigned int syscall_sizes[] = { 400, 200, 100, 50 };
	struct ap_peak p;

	/* Everything the probe can keep, so each program twin is checked. */
	if (!open_probe(&p, path, AP_BPF_EXTRAS_ALL, name))
		return 0;
	churn(&p, name);
	plateau(&p, name, "user messages from 4 senders", WORK_USER_MSG,
		user_sizes, sizeof(user_sizes) / sizeof(user_sizes[0]));
	rule("t6", AUDIT_ADD_RULE);
	plateau(&p, name, "getppid records from 4 CPUs", WORK_GETPPID,
		syscall_sizes, sizeof(syscall_sizes) / sizeof(syscall_sizes[0]));
	rule("t6", AUDIT_DEL_RULE);
	read_and_clear(&p, name);
	ap_peak_close(&p);
	return 1;
}

/* auto takes the best path that attached above. */
static void auto_is_best(const char *best)
{
	static const unsigned int count[1] = { 100 };
	struct ap_depth_distribution d0, d1;
	struct ap_peak p;
	uint64_t in_buckets = 0;
	struct crew c;
	int failed;

	/* As serve opens it: no extras. */
	if (!open_probe(&p, AP_BPF_PATH_AUTO, 0, "auto"))
		return;
	check(best && strncmp(p.detail, best, strlen(best)) == 0,
	      "t6 auto picks the best path the kernel offers", "best %s; auto: %s",
	      best ? best : "none", p.detail);
	d0 = probe_distribution(&p);
	crew_start(&c, 1, WORK_USER_MSG, count);
	crew_go(&c);
	failed = crew_wait(&c);
	wait_quiet();
	d1 = probe_distribution(&p);
	for (int i = 0; i < AP_DEPTH_BUCKETS; i++)
		in_buckets += d1.bucket[i];
	check(failed == 0 && d1.extras == 0 && isnan(d1.time_weighted_mean) && d1.records_sized == 0 &&
	      d1.record_bytes == 0 && d1.enqueues - d0.enqueues >= 100 && in_buckets == 0 &&
	      strstr(p.detail, "; extras: none") != NULL &&
	      (strstr(p.detail, "drains: not sampled") != NULL) ==
	      (strncmp(p.detail, "kretprobe/", 10) != 0),
	      "t6 auto, no extras asked: enqueues counted, no histogram, mean or sizes; drains probed on the kretprobe path only",
	      "extras %u, mean %f, %llu records sized, %llu enqueues; %s", d1.extras,
	      d1.time_weighted_mean, (unsigned long long)d1.records_sized,
	      (unsigned long long)(d1.enqueues - d0.enqueues), p.detail);
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

/* kauditd draining: the probe may not be below a backlog a poller saw. */
static void live(void)
{
	struct deepest_poll polled = { 0, 0 };
	unsigned int polls, polled_max;
	struct ap_peak p;
	struct ap_status st;
	uint32_t probe;
	int failed;

	if (!open_probe(&p, AP_BPF_PATH_AUTO, 0, "live"))
		return;
	if (native)
		reset_max();
	probe_clear(&p);
	failed = polled_bursts(3, 3000, deepest, &polled);
	polls = polled.polls;
	polled_max = polled.backlog;
	wait_drained(20000);
	st = get();
	probe = probe_read(&p, &st);
	note("t6 live: %u polls saw up to %u; native %u, probe %u", polls,
	     polled_max, native ? MAXD(st) : 0, probe);
	check(failed == 0, "t6 live: workers succeeded", "failed=%d", failed);
	check(probe >= polled_max && (!native || MAXD(st) >= polled_max),
	      "t6 live: probe (and native) >= every polled backlog",
	      "probe %u, native %u, polled %u", probe, native ? MAXD(st) : 0,
	      polled_max);
	ap_peak_close(&p);
}

void test6_bpf_side_by_side(void)
{
	const char *best = NULL;
	int attached = 0;
	int fd;

	native = get().payload_len >= 48;
	note("t6 kernel %s backlog_max_depth", native ? "has" : "lacks");
	check(first_expected_path() != NULL,
	      "t6 knows which attach paths this kernel must offer",
	      "auditpeak_expect_paths=%s", getenv("auditpeak_expect_paths") ?
	      getenv("auditpeak_expect_paths") : "(not on the command line)");
	set_field(AP_FIELD_ENABLED, 1);
	set_field(AP_FIELD_BACKLOG_LIMIT, 20000);
	fd = fake_auditd_start();
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (run_path(paths[i].path, paths[i].name)) {
			attached++;
			if (!best)
				best = paths[i].path == AP_BPF_PATH_FEXIT ? "fexit/" :
				       paths[i].path == AP_BPF_PATH_KPROBE ? "kretprobe/" :
									     "raw_tp/";
		}
	}
	check(attached > 0, "t6 at least one attach path works here", "%d of 3",
	      attached);
	fake_auditd_stop(fd);
	wait_quiet();
	auto_is_best(best);
	live();
}
