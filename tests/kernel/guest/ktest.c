// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-guest tests of the backlog_max_depth kernel patch.
 *
 *   ktest GROUP[,GROUP...]  runs the groups, in this order whatever the
 *                           order given, with the audit settings restored
 *                           after each:
 *     patched   tests 1-4 (and 3b) against a patched kernel (first: test 1
 *               checks the mark against the boot's own records, and the
 *               feature bit, and that a released auditctl's 44-byte
 *               AUDIT_SET still works; 3 and 3b that no reply polled during bursts
 *               shows backlog above its own mark; 2b the sums of RFC
 *               patch 2 where auditpeak_backlog_sums=yes)
 *     vanilla   test 5 against an unpatched kernel (with the 44-byte
 *               AUDIT_SET as in test 1)
 *     bpf       test 6 (ktest_bpf.c): the eBPF probe beside the native
 *               field, and test 7 (ktest_serve.c): serve's window peak,
 *               in a patched kernel built with BTF and TCP/IP
 *     trace     a Call Trace on purpose (sysrq t): the kernel log check
 *               that ends every run must catch it (it fails every other
 *               run that logs one)
 *
 * Output, one line per check: "ok - <name>: <detail>" or
 * "not ok - <name>: <detail>"; "# ..." lines are notes.  The last line is
 * "ktest: N passed, M failed"; exit status 1 if anything failed.
 *
 * The guest is a throw-away VM: the tests change audit settings freely but
 * still put them back at the end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/audit.h>

#include "auditpeak/abi.h"
#include "auditpeak/control.h"
#include "auditpeak/netlink.h"
#include "auditpeak/status.h"
#include "kmsg.h"
#include "ktest.h"
#include "rawnl.h"

struct ap_nl *ctl;
static int npass, nfail;
static int ncpus = 1;

/* ------------------------------------------------------------ reporting */

void __attribute__((format(printf, 3, 4)))
check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s: ", ok ? "ok" : "not ok", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		npass++;
	else
		nfail++;
}

void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void __attribute__((noreturn)) finish(void)
{
	printf("ktest: %d passed, %d failed\n", npass, nfail);
	fflush(stdout);
	exit(nfail ? 1 : 0);
}

void __attribute__((noreturn, format(printf, 1, 2))) fatal(const char *fmt, ...)
{
	va_list ap;

	printf("not ok - fatal: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	nfail++;
	finish();
}

/* ------------------------------------------------------------ helpers */

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

struct ap_status get(void)
{
	struct ap_status st;
	struct ap_error err;

	if (ap_get_status(ctl, &st, &err) < 0)
		fatal("AUDIT_GET: %s", err.msg);
	return st;
}

void set_field(enum ap_field f, uint32_t v)
{
	struct ap_error err;

	if (ap_set_field(ctl, f, v, &err) < 0)
		fatal("AUDIT_SET %s=%u: %s", ap_field_name(f), v, err.msg);
}

uint32_t reset_max(void)
{
	struct ap_error err;
	uint32_t old;

	if (ap_reset_counter(ctl, AP_FIELD_BACKLOG_MAX_DEPTH, &old, &err) < 0)
		fatal("reset backlog_max_depth: %s", err.msg);
	return old;
}

/* Poll until the main queue is empty; false on timeout. */
bool wait_drained(int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		struct ap_status st = get();

		if (BACKLOG(st) == 0)
			return true;
		if (now_ms() > end)
			return false;
		sleep_ms(10);
	}
}

/*
 * Wait until the main queue is empty and kauditd has gone back to sleep.
 * With a stuck fake daemon kauditd spends up to ~0.5 s on each of its hold
 * and retry queues before it touches the main queue, then ~0.1 s on the
 * first main-queue record; 0.9 s of an empty queue means it is asleep.
 */
void wait_quiet(void)
{
	for (int i = 0; i < 10; i++) {
		if (!wait_drained(20000))
			fatal("audit queue did not drain within 20 s");
		sleep_ms(900);
		if (BACKLOG(get()) == 0)
			return;
	}
	fatal("audit queue never became quiet");
}

/*
 * Before an attempt: an empty, quiet queue and a mark restarted on it.  A
 * failed attempt leaves its records queued (kauditd held off by the fake
 * daemon), and a reset then would start the mark at their number; the
 * reset's own records are drained again before the attempt.
 */
static void restart_mark(void)
{
	wait_quiet();
	reset_max();
	wait_quiet();
}

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ------------------------------------------------------------ workers */

/*
 * Fork @n workers, worker i pinned to CPU i, each ready to do @count[i]
 * units of @work (one AUDIT_USER record, or one audited getppid()) as soon
 * as crew_go() is called.  Workers open their sockets before waiting, so
 * the timed part is only the work itself.
 */
void crew_start(struct crew *c, int n, enum work work,
		       const unsigned int *count)
{
	int p[2];

	if (pipe(p) < 0)
		fatal("pipe: %s", strerror(errno));
	c->n = n;
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			fatal("fork: %s", strerror(errno));
		if (pid == 0) {
			char msg[96], b;
			int fd = -1, bad = 0;

			close(p[1]);
			pin_to_cpu(i);
			if (work == WORK_USER_MSG) {
				fd = rawnl_open(0);
				if (fd < 0)
					_exit(2);
			}
			if (work == WORK_NF_PACKET) {
				fd = socket(AF_INET, SOCK_DGRAM, 0);
				if (fd < 0)
					_exit(2);
			}
			if (read(p[0], &b, 1) != 1)
				_exit(3);
			for (unsigned int k = 0; k < count[i]; k++) {
				if (work == WORK_GETPPID) {
					syscall(SYS_getppid);
					continue;
				}
				if (work == WORK_NF_PACKET) {
					/* unconnected: the port unreachable
					 * that may come back is not an error
					 * of the next send */
					struct sockaddr_in to = {
						.sin_family = AF_INET,
						.sin_port = htons(NF_AUDIT_PORT),
						.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
					};

					if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to,
						   sizeof(to)) != 1)
						bad++;
					continue;
				}
				snprintf(msg, sizeof(msg),
					 "auditpeak ktest burst worker=%d n=%u",
					 i, k);
				/* no ack: the record is queued before
				 * sendmsg() returns, and the backlog
				 * readings count what arrived */
				if (rawnl_send(fd, AUDIT_USER, 0, msg,
					       strlen(msg) + 1) < 0)
					bad++;
			}
			_exit(bad ? 1 : 0);
		}
		c->pid[i] = pid;
	}
	close(p[0]);
	c->go = p[1];
}

void crew_go(struct crew *c)
{
	char go[NSENDERS] = { 0 };

	if (write(c->go, go, (size_t)c->n) != c->n)
		fatal("start pipe: %s", strerror(errno));
	close(c->go);
}

/* Non-blocking: true once every worker has exited. */
bool crew_done(struct crew *c, int *failed)
{
	for (int i = 0; i < c->n; i++) {
		int st;
		pid_t r;

		if (c->pid[i] == 0)
			continue;
		r = waitpid(c->pid[i], &st, WNOHANG);
		if (r == 0)
			continue;
		if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			(*failed)++;
		c->pid[i] = 0;
	}
	for (int i = 0; i < c->n; i++)
		if (c->pid[i])
			return false;
	return true;
}

int crew_wait(struct crew *c)
{
	int failed = 0;

	while (!crew_done(c, &failed))
		sleep_ms(1);
	return failed;
}

void split(unsigned int total, int n, unsigned int *count)
{
	for (int i = 0; i < n; i++)
		count[i] = total / n + ((unsigned int)i < total % n ? 1 : 0);
}

/* Queue one AUDIT_USER record (with ack) through the library. */
static void user_msg(const char *text)
{
	struct ap_error err;

	if (ap_send_user_message(ctl, text, &err) < 0)
		fatal("AUDIT_USER: %s", err.msg);
}

/* ------------------------------------------------------------ CLI */

/* Run /bin/auditpeak with @args; its output in @out.  Returns exit status. */
int run_capture(char *out, size_t cap, char *const argv[])
{
	int p[2], st;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p) < 0)
		fatal("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv(argv[0], argv);
		printf("exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while (len < cap - 1 && (n = read(p[0], out + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int run_cli(char *out, size_t cap, const char *a1, const char *a2)
{
	char *argv[] = { "/bin/auditpeak", (char *)a1, (char *)a2, NULL };
	int rc = run_capture(out, cap, argv);

	for (char *line = strtok(strdup(out), "\n"); line; line = strtok(NULL, "\n"))
		note("  auditpeak %s%s%s | %s", a1, a2 ? " " : "", a2 ? a2 : "",
		     line);
	return rc;
}

/* Value of "backlog_max_depth <n>" in CLI output; -1 if absent. */
static long cli_value(const char *out, const char *name)
{
	size_t nl = strlen(name);

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long v;

		if (strncmp(l, name, nl) == 0 && l[nl] == ' ' &&
		    sscanf(l + nl + 1, "%lu", &v) == 1)
			return (long)v;
	}
	return -1;
}

/* ------------------------------------------------------------ kmsg */

static void show_kernel_line(const char *line)
{
	note("kernel: %s", line);
}

/*
 * Count the audit records kauditd printed (it prints every record when no
 * daemon is registered) and the lines that mean trouble (kmsg.c).
 */
static void scan_kmsg(unsigned int *records, unsigned int *warnings, bool show)
{
	struct kmsg_counts c;

	if (kmsg_scan(&c, show ? show_kernel_line : NULL) < 0)
		fatal("open /dev/kmsg: %s", strerror(errno));
	*records = c.records;
	*warnings = c.warnings;
}

/* ------------------------------------------------------------ fake auditd */

/*
 * Hold kauditd off the main queue (docs/kauditd.md): register a socket of
 * ours as the audit daemon, with the smallest receive buffer, and fill it
 * without ever reading.  kauditd then moves records to its retry and hold
 * queues and, each time the main queue becomes non-empty, first spends
 * ~0.5 s retrying each of those before it touches the main queue again.
 */
int fake_auditd_start(void)
{
	struct audit_status s;
	char text[1000];
	int32_t ack = -1;
	int fd, rc, sender;

	fd = rawnl_open(1);
	if (fd < 0)
		fatal("fake auditd socket: %s", strerror(-fd));
	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_PID;
	s.pid = (uint32_t)getpid();
	/* the daemon's port id is the socket the registration comes from */
	rc = rawnl_request_ack(fd, AUDIT_SET, &s, sizeof(s), &ack, 3000);
	if (rc < 0 || ack != 0)
		fatal("register fake auditd: rc=%d ack=%d", rc, ack);

	sender = rawnl_open(0);
	if (sender < 0)
		fatal("sender socket: %s", strerror(-sender));
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	for (int i = 0; i < 40; i++) {
		if (rawnl_send(sender, AUDIT_USER, 0, text, sizeof(text)) < 0)
			fatal("fill fake auditd: %s", strerror(errno));
		sleep_ms(5);
	}
	close(sender);
	wait_quiet();
	return fd;
}

void fake_auditd_stop(int fd)
{
	/* we are the registered daemon's process, so we may unregister it */
	set_field(AP_FIELD_PID, 0);
	close(fd);
}

/* ------------------------------------------------------------ tests */

bool cmdline_yes(const char *name)
{
	const char *v = getenv(name);

	return v && strcmp(v, "yes") == 0;
}

/* Does this kernel carry RFC patch 2's sums?  tests/kernel/run says. */
static bool expect_sums(void)
{
	return cmdline_yes("auditpeak_backlog_sums");
}

/*
 * Userspace built on older headers sends a shorter struct audit_status:
 * every released auditctl sends 44 bytes (60 with the netlink header), and
 * Debian's audit-rules service sets backlog_wait_time with it at boot.
 * Whatever the kernel's own struct has grown to, that request must keep
 * working.  Sets the value the kernel has already, so nothing changes.
 */
#define RELEASED_STATUS_LEN 44 /* offsetofend(backlog_wait_time_actual) */

static int short_set_of_wait_time(int32_t *ack)
{
	struct audit_status s;
	int fd = rawnl_open(0), rc;

	if (fd < 0)
		fatal("socket: %s", strerror(-fd));
	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_BACKLOG_WAIT_TIME;
	s.backlog_wait_time = get().value[AP_FIELD_BACKLOG_WAIT_TIME];
	*ack = -1;
	rc = rawnl_request_ack(fd, AUDIT_SET, &s, RELEASED_STATUS_LEN, ack, 3000);
	close(fd);
	return rc;
}

static void test1_patched_get(void)
{
	struct ap_status st;
	unsigned int printed, warnings;
	char out[4096];
	long cli;
	int rc;

	/* before anything of ours queues records: what did boot queue? */
	scan_kmsg(&printed, &warnings, false);
	st = get();
	check(st.payload_len == (expect_sums() ? 64u : 48u),
	      "t1 GET payload is 48 bytes (64 with RFC patch 2's sums)",
	      "payload_len=%zu, sums expected: %s", st.payload_len,
	      expect_sums() ? "yes" : "no");
	check(st.has_backlog_sums == expect_sums(),
	      "t1 backlog_records/backlog_depth_sum where the kernel has patch 2, and only there",
	      "present=%d expected=%d (feature_bitmap 0x%x)", st.has_backlog_sums,
	      expect_sums(), st.value[AP_FIELD_FEATURE_BITMAP]);
	check(ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH),
	      "t1 backlog_max_depth present", "value=%u", MAXD(st));
	/*
	 * Booting with audit=1 queues at least the "state=initialized"
	 * record, so the mark is at least 1.  With no daemon kauditd prints
	 * every record it dequeues, so the queue can never have been deeper
	 * than the records printed plus those still queued.
	 */
	check(st.value[AP_FIELD_FEATURE_BITMAP] & AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH,
	      "t1 feature_bitmap has AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH (0x80)",
	      "feature_bitmap=0x%x", st.value[AP_FIELD_FEATURE_BITMAP]);
	check(MAXD(st) >= 1 && MAXD(st) <= printed + BACKLOG(st),
	      "t1 boot value consistent with the boot's records",
	      "backlog_max_depth=%u, records printed since boot=%u, backlog=%u",
	      MAXD(st), printed, BACKLOG(st));

	rc = run_cli(out, sizeof(out), "status", NULL);
	cli = cli_value(out, "backlog_max_depth");
	st = get();
	check(rc == 0 && cli == (long)MAXD(st), "t1 auditpeak status shows it",
	      "exit=%d cli=%ld kernel=%u", rc, cli, MAXD(st));
}

static void test2_plateau(int dfd)
{
	static const unsigned int sizes[] = { 4000, 2000, 1000, 500 };
	struct ap_status st0 = { 0 }, st1 = { 0 }, st2;
	unsigned int count[NSENDERS], n = 0;
	bool exact = false;
	int failed = 0;

	(void)dfd;
	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++) {
		struct crew c;
		uint64_t t0;

		n = sizes[a];
		restart_mark();
		split(n, NSENDERS, count);
		crew_start(&c, NSENDERS, WORK_USER_MSG, count);
		st0 = get();
		t0 = now_ms();
		crew_go(&c);
		failed = crew_wait(&c);
		st1 = get();
		note("t2 attempt N=%u: %llu ms, backlog %u -> %u, max %u -> %u",
		     n, (unsigned long long)(now_ms() - t0), BACKLOG(st0),
		     BACKLOG(st1), MAXD(st0), MAXD(st1));
		if (BACKLOG(st1) == BACKLOG(st0) + n) {
			exact = true;
			break;
		}
		note("t2 kauditd dequeued during the burst; retrying with fewer records");
	}
	check(failed == 0, "t2 senders succeeded", "failed workers=%d", failed);
	check(exact, "t2 plateau: backlog rose by exactly N",
	      "N=%u backlog %u -> %u", n, BACKLOG(st0), BACKLOG(st1));
	check(MAXD(st0) <= BACKLOG(st0) + n, "t2 mark before burst below plateau",
	      "max before=%u", MAXD(st0));
	check(MAXD(st1) - BACKLOG(st0) == n,
	      "t2 backlog_max_depth == N over the pre-burst depth",
	      "N=%u baseline=%u max=%u", n, BACKLOG(st0), MAXD(st1));
	if (!wait_drained(20000))
		fatal("t2 queue did not drain");
	st2 = get();
	check(MAXD(st2) == MAXD(st1) && BACKLOG(st2) == 0,
	      "t2 value survives the drain", "backlog=%u max=%u",
	      BACKLOG(st2), MAXD(st2));
}

/*
 * 2b (RFC patch 2): on a held queue, N records from one sender find the
 * queue at b0+1, b0+2, ..., b0+N, so backlog_records grows by exactly N and
 * backlog_depth_sum by exactly N*b0 + N(N+1)/2.  One sender: from several
 * CPUs two enqueues may read the same length after both went in.
 */
static void test2b_sums(void)
{
	static const unsigned int sizes[] = { 1000, 500, 250 };
	struct ap_status st0 = { 0 }, st1 = { 0 };
	uint64_t want = 0;
	unsigned int n = 0;
	bool exact = false;
	int failed = 0;

	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++) {
		unsigned int one[1];
		struct crew c;

		n = sizes[a];
		one[0] = n;
		restart_mark();
		crew_start(&c, 1, WORK_USER_MSG, one);
		st0 = get();
		crew_go(&c);
		failed = crew_wait(&c);
		st1 = get();
		if (BACKLOG(st1) == BACKLOG(st0) + n) {
			exact = true;
			break;
		}
		note("t2b kauditd dequeued during the burst; retrying with fewer records");
	}
	want = (uint64_t)n * BACKLOG(st0) + (uint64_t)n * (n + 1) / 2;
	note("t2b N=%u from one sender, backlog %u -> %u: records %llu -> %llu, depth sum %llu -> %llu",
	     n, BACKLOG(st0), BACKLOG(st1),
	     (unsigned long long)st0.backlog_records, (unsigned long long)st1.backlog_records,
	     (unsigned long long)st0.backlog_depth_sum, (unsigned long long)st1.backlog_depth_sum);
	check(failed == 0 && exact, "t2b plateau from one sender: backlog rose by exactly N",
	      "N=%u backlog %u -> %u", n, BACKLOG(st0), BACKLOG(st1));
	check(st1.backlog_records - st0.backlog_records == n,
	      "t2b backlog_records rose by exactly N", "N=%u rise=%llu", n,
	      (unsigned long long)(st1.backlog_records - st0.backlog_records));
	check(st1.backlog_depth_sum - st0.backlog_depth_sum == want,
	      "t2b backlog_depth_sum rose by exactly N*b0 + N(N+1)/2",
	      "b0=%u N=%u want=%llu rise=%llu, mean found %.1f", BACKLOG(st0), n,
	      (unsigned long long)want,
	      (unsigned long long)(st1.backlog_depth_sum - st0.backlog_depth_sum),
	      (double)(st1.backlog_depth_sum - st0.backlog_depth_sum) / n);
}

void rule(const char *test, uint16_t type)
{
	struct audit_rule_data r;
	char name[64];
	int32_t ack = -1;
	int fd = rawnl_open(0), rc;

	if (fd < 0)
		fatal("rule socket: %s", strerror(-fd));
	memset(&r, 0, sizeof(r));
	r.flags = AUDIT_FILTER_EXIT;
	r.action = AUDIT_ALWAYS;
	r.field_count = 1;
	r.fields[0] = AUDIT_ARCH;
	r.fieldflags[0] = AUDIT_EQUAL;
	r.values[0] = AUDIT_ARCH_X86_64;
	r.mask[AUDIT_WORD(SYS_getppid)] |= AUDIT_BIT(SYS_getppid);
	rc = rawnl_request_ack(fd, type, &r, sizeof(r), &ack, 3000);
	close(fd);
	snprintf(name, sizeof(name), "%s %s", test,
		 type == AUDIT_ADD_RULE ? "add exit,always getppid rule" :
					  "remove the rule");
	check(rc == 0 && ack == 0, name, "rc=%d ack=%d", rc, ack);
}

/* 3b: kernel-generated records from 4 CPUs at once, kauditd held off. */
static void test3b_concurrent(void)
{
	static const unsigned int sizes[] = { 200, 100, 50, 25 };
	struct ap_status st0 = { 0 }, st1 = { 0 };
	unsigned int count[NSENDERS], one[1] = { 1 }, k, m = 0;
	unsigned int sampled_max = 0, samples = 0, expect = 0, inverted = 0;
	bool exact = false;
	int failed = 0;
	struct crew c;

	rule("t3b", AUDIT_ADD_RULE);

	/* records per audited getppid() (SYSCALL, PROCTITLE, EOE, ...) */
	reset_max();
	wait_quiet();
	crew_start(&c, 1, WORK_GETPPID, one);
	st0 = get();
	crew_go(&c);
	failed += crew_wait(&c);
	st1 = get();
	k = BACKLOG(st1) - BACKLOG(st0);
	note("t3b one audited getppid() queues %u records", k);
	check(k >= 1 && k <= 8, "t3b calibrate records per syscall", "k=%u", k);

	for (size_t a = 0; a < sizeof(sizes) / sizeof(sizes[0]); a++) {
		uint64_t t0;

		m = sizes[a];
		expect = NSENDERS * m * k;
		sampled_max = samples = 0;
		restart_mark();
		for (int i = 0; i < NSENDERS; i++)
			count[i] = m;
		crew_start(&c, NSENDERS, WORK_GETPPID, count);
		st0 = get();
		t0 = now_ms();
		crew_go(&c);
		while (!crew_done(&c, &failed)) {
			struct ap_status s = get();

			samples++;
			if (BACKLOG(s) > sampled_max)
				sampled_max = BACKLOG(s);
			if (BACKLOG(s) > MAXD(s))
				inverted++;
		}
		st1 = get();
		note("t3b attempt %u syscalls x %d CPUs: %llu ms, backlog %u -> %u, max %u, %u polls saw up to %u",
		     m, NSENDERS, (unsigned long long)(now_ms() - t0),
		     BACKLOG(st0), BACKLOG(st1), MAXD(st1), samples,
		     sampled_max);
		if (BACKLOG(st1) == BACKLOG(st0) + expect) {
			exact = true;
			break;
		}
		note("t3b kauditd dequeued during the burst; retrying with fewer syscalls");
	}
	check(failed == 0, "t3b workers succeeded", "failed=%d", failed);
	check(exact, "t3b plateau: backlog rose by exactly 4*M*k",
	      "M=%u k=%u expected=%u rise=%u", m, k, expect,
	      BACKLOG(st1) - BACKLOG(st0));
	check(MAXD(st1) == BACKLOG(st1),
	      "t3b no lost update: max == queue length after concurrent burst",
	      "max=%u backlog=%u", MAXD(st1), BACKLOG(st1));
	check(MAXD(st1) >= sampled_max && MAXD(st1) >= BACKLOG(st1),
	      "t3b max >= every sampled backlog", "max=%u sampled max=%u (%u polls)",
	      MAXD(st1), sampled_max, samples);
	check(samples > 0 && inverted == 0,
	      "t3b no reply during the bursts shows backlog above its own mark",
	      "%u of %u replies", inverted, samples);
	rule("t3b", AUDIT_DEL_RULE);
}

int polled_bursts(int bursts, unsigned int records,
		  void (*poll)(const struct ap_status *st, void *arg), void *arg)
{
	unsigned int count[NSENDERS];
	int failed = 0;

	for (int burst = 0; burst < bursts; burst++) {
		struct crew c;

		split(records, NSENDERS, count);
		crew_start(&c, NSENDERS, WORK_USER_MSG, count);
		crew_go(&c);
		while (!crew_done(&c, &failed)) {
			struct ap_status st = get();

			poll(&st, arg);
		}
		sleep_ms(200);
	}
	return failed;
}

struct live_polls {
	unsigned int samples, sampled_max, below, inverted;
};

static void live_poll(const struct ap_status *st, void *arg)
{
	struct live_polls *lp = arg;

	lp->samples++;
	/* the mark only rises, so it can never be below what an earlier
	 * poll saw in the queue; nor below backlog in the same reply, which
	 * reports max(backlog, mark) because it reads backlog first */
	if (MAXD(*st) < lp->sampled_max)
		lp->below++;
	if (BACKLOG(*st) > MAXD(*st))
		lp->inverted++;
	if (BACKLOG(*st) > lp->sampled_max)
		lp->sampled_max = BACKLOG(*st);
}

/* 3: bursts with a live consumer (kauditd draining, no daemon). */
static void test3_live(void)
{
	const uint32_t limit = 100, slack = 1 + NSENDERS;
	struct live_polls lp = { 0 };
	unsigned int lost0, sampled_max, below;
	struct ap_status st;
	int failed;

	set_field(AP_FIELD_BACKLOG_LIMIT, limit);
	wait_quiet();
	reset_max();
	lost0 = LOST(get());
	failed = polled_bursts(3, 3000, live_poll, &lp);
	sampled_max = lp.sampled_max;
	below = lp.below;
	wait_drained(20000);
	st = get();
	note("t3 %u polls, deepest sampled backlog %u, kernel mark %u, limit %u, lost +%u",
	     lp.samples, sampled_max, MAXD(st), limit, LOST(st) - lost0);
	check(failed == 0, "t3 senders succeeded", "failed=%d", failed);
	check(MAXD(st) >= sampled_max, "t3 max >= every sampled backlog",
	      "max=%u sampled max=%u", MAXD(st), sampled_max);
	check(below == 0, "t3 polled max never behind an earlier polled backlog",
	      "violations=%u", below);
	check(lp.samples > 0 && lp.inverted == 0,
	      "t3 no reply under live bursts shows backlog above its own mark",
	      "%u of %u replies", lp.inverted, lp.samples);
	check(MAXD(st) >= 1 && MAXD(st) <= limit + slack,
	      "t3 max <= backlog_limit + slack", "max=%u limit=%u slack=%u",
	      MAXD(st), limit, slack);
	set_field(AP_FIELD_BACKLOG_LIMIT, 20000);
}

/*
 * Read the multicast group for up to 3 s: find the CONFIG_CHANGE record of
 * a backlog_max_depth reset, its old= value, and count the records of the
 * same audit event (same serial: CONFIG_CHANGE plus SYSCALL, PROCTITLE and
 * EOE when the resetting task is audited).
 */
static bool reset_record(int mc, uint32_t *old, unsigned int *event)
{
	char text[1024], serial[64] = "";
	uint64_t end = now_ms() + 3000;
	bool found = false;

	*old = 0;
	*event = 0;
	while (now_ms() < end) {
		char *p, *q;
		int type = rawnl_recv_record(mc, text, sizeof(text), 300);

		if (type == -ENOBUFS || type == 0)
			continue;
		if (type < 0)
			break;
		p = strstr(text, "op=set backlog_max_depth=0 old=");
		if (!found && type == AUDIT_CONFIG_CHANGE && p &&
		    sscanf(p, "op=set backlog_max_depth=0 old=%u", old) == 1) {
			found = true;
			/* "audit(<time>:<serial>): " */
			q = strchr(text, ')');
			if (q && (size_t)(q - text) < sizeof(serial)) {
				memcpy(serial, text, (size_t)(q - text));
				serial[q - text] = '\0';
			}
			note("t4 multicast: %s", text);
		}
		if (found && serial[0] && strncmp(text, serial, strlen(serial)) == 0) {
			(*event)++;
			if (type != AUDIT_CONFIG_CHANGE)
				note("t4 multicast, same event: type=%d", type);
		}
	}
	return found;
}

static void test4_reset(void)
{
	unsigned int count[1], samples = 0, regressions = 0;
	struct ap_status st, prev;
	char text[1024], out[4096];
	int failed = 0, mc, rc;
	uint32_t old, old2 = 0;
	unsigned int event = 0;
	bool found;
	long cli;
	struct crew c;

	/* monotonic between resets, while records come and go */
	wait_quiet();
	reset_max();
	prev = get();
	count[0] = 3000;
	crew_start(&c, 1, WORK_USER_MSG, count);
	crew_go(&c);
	while (!crew_done(&c, &failed)) {
		st = get();
		samples++;
		if (MAXD(st) < MAXD(prev))
			regressions++;
		prev = st;
	}
	check(regressions == 0 && failed == 0, "t4 monotonic between resets",
	      "%u polls, %u decreases, final max %u", samples, regressions,
	      MAXD(prev));

	/* reset returns exactly the last value read when quiet */
	mc = rawnl_open(1 << 20);
	if (mc < 0 || rawnl_join_readlog(mc) < 0)
		fatal("multicast socket: %s", strerror(errno));
	/* joining the group queues a listener record: let it go by */
	wait_quiet();
	while (rawnl_recv_record(mc, text, sizeof(text), 0) != 0)
		;
	st = get();
	old = reset_max();
	check(old == MAXD(st), "t4 reset returns the last value read",
	      "GET said %u, reset returned %u", MAXD(st), old);
	prev = get();
	found = reset_record(mc, &old2, &event);
	check(found && old2 == old, "t4 CONFIG_CHANGE backlog_max_depth=0 old=N",
	      "found=%d old=%u (reset returned %u)", found, old2, old);
	/*
	 * The reset queues its own CONFIG_CHANGE record right after zeroing
	 * and, when the task is audited, the SYSCALL/PROCTITLE/EOE records of
	 * the same event: nothing else ran, so the mark is at most that.
	 */
	check(MAXD(prev) >= 1 && MAXD(prev) <= BACKLOG(st) + event,
	      "t4 next GET shows only the reset's own records",
	      "max after reset=%u, queue before=%u, records in the reset's event=%u",
	      MAXD(prev), BACKLOG(st), event);

	/* the same through the CLI: status, then reset max-depth */
	user_msg("auditpeak ktest: one record before the CLI reset");
	wait_quiet();
	while (rawnl_recv_record(mc, text, sizeof(text), 0) != 0)
		;
	st = get();
	rc = run_cli(out, sizeof(out), "status", NULL);
	cli = cli_value(out, "backlog_max_depth");
	check(rc == 0 && cli == (long)MAXD(st), "t4 auditpeak status",
	      "exit=%d cli=%ld kernel=%u", rc, cli, MAXD(st));
	rc = run_cli(out, sizeof(out), "reset", "max-depth");
	cli = cli_value(out, "backlog_max_depth");
	check(rc == 0 && cli == (long)MAXD(st), "t4 auditpeak reset max-depth",
	      "exit=%d returned=%ld expected=%u", rc, cli, MAXD(st));
	prev = get();
	found = reset_record(mc, &old2, &event);
	check(found && old2 == MAXD(st), "t4 CLI reset's CONFIG_CHANGE old=N",
	      "found=%d old=%u expected=%u", found, old2, MAXD(st));
	check(MAXD(prev) >= 1 && MAXD(prev) <= BACKLOG(st) + event,
	      "t4 GET after CLI reset shows only the reset's own records",
	      "max=%u, queue before=%u, records in the reset's event=%u",
	      MAXD(prev), BACKLOG(st), event);
	close(mc);
}

static void test5_vanilla(void)
{
	struct ap_status st = get();
	struct audit_status s;
	struct ap_error err;
	char out[4096];
	int32_t ack = -1;
	uint32_t old;
	int fd, rc;

	check(st.payload_len == 44, "t5 unpatched GET payload is 44 bytes",
	      "payload_len=%zu", st.payload_len);
	check(!ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH),
	      "t5 backlog_max_depth unsupported", "present=0x%x", st.present);
	check(!(st.value[AP_FIELD_FEATURE_BITMAP] & AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH),
	      "t5 feature_bitmap lacks 0x80", "feature_bitmap=0x%x",
	      st.value[AP_FIELD_FEATURE_BITMAP]);

	fd = rawnl_open(0);
	if (fd < 0)
		fatal("socket: %s", strerror(-fd));
	memset(&s, 0, sizeof(s));
	s.mask = AUDIT_STATUS_BACKLOG_MAX_DEPTH;
	rc = rawnl_request_ack(fd, AUDIT_SET, &s, sizeof(s), &ack, 3000);
	close(fd);
	/* 6.12 and older ignore a mask bit they do not know and ack 0; 7.3
	 * refuses any bit outside AUDIT_STATUS_ALL with -EINVAL.  Neither
	 * carries a value. */
	check(rc == 0 && (ack == 0 || ack == -EINVAL),
	      "t5 reset mask 0x100 is acked without a value (0, or -EINVAL where the mask is checked)",
	      "rc=%d ack=%d: no value either way, so check support first",
	      rc, ack);

	rc = ap_reset_counter(ctl, AP_FIELD_BACKLOG_MAX_DEPTH, &old, &err);
	check(rc < 0 && err.code == AP_ERR_UNSUPPORTED,
	      "t5 library refuses the reset", "rc=%d code=%s: %s", rc,
	      ap_err_name(err.code), err.msg);

	rc = run_cli(out, sizeof(out), "status", NULL);
	check(rc == 0 && cli_value(out, "backlog_max_depth") < 0 &&
	      strstr(out, "backlog_max_depth unsupported"),
	      "t5 auditpeak status says unsupported", "exit=%d", rc);
	rc = run_cli(out, sizeof(out), "reset", "max-depth");
	check(rc != 0 && cli_value(out, "backlog_max_depth") < 0,
	      "t5 auditpeak reset max-depth fails", "exit=%d", rc);
}

/* Which groups argv[1] ("patched,bpf") asks for; unknown names are fatal. */
enum group { G_PATCHED = 1, G_VANILLA = 2, G_BPF = 4, G_TRACE = 8, G_SOAK = 16 };

static unsigned int parse_groups(const char *arg)
{
	static const struct {
		const char *name;
		enum group bit;
	} names[] = {
		{ "patched", G_PATCHED }, { "vanilla", G_VANILLA }, { "bpf", G_BPF },
		{ "trace", G_TRACE }, { "soak", G_SOAK },
	};
	unsigned int groups = 0;
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (char *g = strtok_r(buf, ",", &save); g; g = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strcmp(g, names[i].name) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return 0;
		groups |= names[i].bit;
	}
	return groups;
}

static void restore_settings(const struct ap_settings *saved)
{
	struct ap_error err;

	if (ap_settings_restore(ctl, saved, &err) < 0)
		note("restoring settings: %s", err.msg);
}

int main(int argc, char **argv)
{
	const char *arg = argc > 1 ? argv[1] : "";
	unsigned int groups = parse_groups(arg);
	struct ap_settings saved;
	struct ap_error err;
	struct utsname uts;
	unsigned int records, warnings;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	int32_t ack;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ncpus = n > 0 ? (int)n : 1;
	if (uname(&uts) < 0)
		snprintf(uts.release, sizeof(uts.release), "?");
	note("ktest %s: Linux %s, %d CPUs online", arg, uts.release, ncpus);
	if (!groups)
		fatal("usage: ktest GROUP[,GROUP...] with GROUP patched, vanilla, bpf, soak or trace (got '%s')",
		      arg);
	if (ap_nl_open(&ctl, &err) < 0)
		fatal("open audit netlink: %s", err.msg);
	ap_nl_set_timeout(ctl, 5000);
	if (ap_settings_capture(ctl, &saved, &err) < 0)
		fatal("capture settings: %s", err.msg);

	/* patched first: t1 checks the mark against the boot's own records */
	if (groups & G_PATCHED) {
		int dfd;

		test1_patched_get();
		rc = short_set_of_wait_time(&ack);
		check(rc == 0 && ack == 0,
		      "t1 a 44-byte AUDIT_SET of backlog_wait_time (every released auditctl's) is accepted",
		      "rc=%d ack=%d", rc, ack);
		set_field(AP_FIELD_ENABLED, 1);
		set_field(AP_FIELD_BACKLOG_LIMIT, 20000);
		dfd = fake_auditd_start();
		test2_plateau(dfd);
		if (expect_sums())
			test2b_sums();
		test3b_concurrent();
		fake_auditd_stop(dfd);
		wait_quiet();
		test3_live();
		test4_reset();
		restore_settings(&saved);
	}
	if (groups & G_VANILLA) {
		test5_vanilla();
		rc = short_set_of_wait_time(&ack);
		check(rc == 0 && ack == 0,
		      "t5 a 44-byte AUDIT_SET of backlog_wait_time (every released auditctl's) is accepted",
		      "rc=%d ack=%d", rc, ack);
		restore_settings(&saved);
	}
	if (groups & G_BPF) {
		test6_bpf_side_by_side();
		test7_serve();
		restore_settings(&saved);
	}
	if (groups & G_SOAK) {
		test8_soak();
		restore_settings(&saved);
	}

	if (groups & G_TRACE) {
		/* The check below, proven: a Call Trace on purpose (sysrq t
		 * dumps every task's stack) must be caught. */
		int fd = open("/proc/sysrq-trigger", O_WRONLY);
		bool written = fd >= 0 && write(fd, "t", 1) == 1;

		check(written, "trace: sysrq t written to /proc/sysrq-trigger",
		      "%s", written ? "done" : strerror(errno));
		if (fd >= 0)
			close(fd);
		scan_kmsg(&records, &warnings, false);
		check(warnings > 0,
		      "trace: the kernel log check catches a deliberate Call Trace",
		      "%u suspicious lines", warnings);
	} else {
		scan_kmsg(&records, &warnings, true);
		check(warnings == 0, "kernel log has no WARNING/BUG/Oops",
		      "%u suspicious lines", warnings);
	}
	ap_nl_close(ctl);
	finish();
}
