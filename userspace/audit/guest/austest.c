// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * In-guest tests of the patched audit-userspace (auditctl, libaudit,
 * audisp-statsd), run by the rig's init as auditpeak_prog=austest:
 *
 *   austest patched [statsd]   a kernel with the backlog_max_depth patch
 *                              (48-byte AUDIT_GET reply); with statsd, also
 *                              audisp-statsd (needs TCP/IP, ~25 s more)
 *   austest unpatched          a kernel without it (44 bytes)
 *
 * Programs in /bin: auditctl (patched, libaudit linked in), auditctl-debian12
 * (Debian 12's own /sbin/auditctl, 3.0.9), audisp-statsd (patched),
 * auditpeak (this project's CLI) and nlsendlog.so (logs the netlink message
 * types a program sends).  The plateaus come from libauditpeak's stalled
 * daemon and burst sender, the same ones `auditpeak load --stall` uses.
 *
 * Output: "ok - name: detail" / "not ok - name: detail" per check, "# ..."
 * notes, and last "austest: N passed, M failed"; exit 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/audit.h>

#include "auditpeak/burst.h"
#include "auditpeak/control.h"
#include "auditpeak/netlink.h"
#include "auditpeak/stall.h"
#include "auditpeak/status.h"
#include "kmsg.h"
#include "rawnl.h"

#define PLATEAU 500		/* records in each plateau */
#define PLATEAU_ATTEMPTS 3	/* bursts tried before a plateau fails */
#define STATSD_PORT 8125
#define STATSD_INTERVAL_S 10
#define STATSD_MSG_SIZE 512	/* the plugin's datagram buffer */
#define SEND_LOG "/tmp/nlsend.log"

static struct ap_nl *ctl;
static int npass, nfail;

/* "ok - name: detail" or "not ok - name: detail", counted */
static void __attribute__((format(printf, 3, 4)))
check(bool ok, const char *name, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("%s - %s: %s\n", ok ? "ok" : "not ok", name, detail);
	*(ok ? &npass : &nfail) += 1;
}

/* "# text": what the checks saw, for the log */
static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	printf("# %s\n", text);
}

static void __attribute__((noreturn)) finish(void)
{
	printf("austest: %d passed, %d failed\n", npass, nfail);
	fflush(stdout);
	exit(nfail ? 1 : 0);
}

static void __attribute__((noreturn)) give_up(const char *what, const struct ap_error *err)
{
	check(false, what, "%s", err ? err->msg : strerror(errno));
	finish();
}

static struct ap_status status_now(void)
{
	struct ap_status st;
	struct ap_error err;

	if (ap_get_status(ctl, &st, &err) < 0)
		give_up("AUDIT_GET", &err);
	return st;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The queue is empty (records go to the console without a daemon). */
static bool drained(int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	while (status_now().value[AP_FIELD_BACKLOG] != 0) {
		if (now_ms() > end)
			return false;
		usleep(10000);
	}
	return true;
}

/*
 * Run /bin/@argv[0] with stdout and stderr into @out; @env_preload, when
 * set, is put in LD_PRELOAD.  Returns the exit status (128 for a signal).
 */
static int run(char *out, size_t cap, const char *env_preload, char *const argv[])
{
	char path[64];
	size_t len = 0;
	ssize_t n;
	int p[2], st;
	pid_t pid;

	snprintf(path, sizeof(path), "/bin/%s", argv[0]);
	if (pipe(p) < 0)
		give_up("pipe", NULL);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		if (env_preload) {
			setenv("LD_PRELOAD", env_preload, 1);
			setenv("NLSENDLOG", SEND_LOG, 1);
		}
		execv(path, argv);
		printf("exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while (len + 1 < cap && (n = read(p[0], out + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/*
 * The line of @out that starts with @name followed by ' ' or ": ": true if
 * there is one; *@value is its number, or -1 when it holds no number.
 */
static bool line_of(const char *out, const char *name, long *value)
{
	size_t len = strlen(name);

	for (const char *l = out; *l; l++) {
		const char *v;

		if ((l != out && l[-1] != '\n') || strncmp(l, name, len) != 0 ||
		    (l[len] != ' ' && l[len] != ':'))
			continue;
		v = l + len + (l[len] == ':' ? 1 : 0);
		while (*v == ' ')
			v++;
		*value = *v >= '0' && *v <= '9' ? strtol(v, NULL, 10) : -1;
		return true;
	}
	*value = -1;
	return false;
}

/* The number on @name's line, -1 without a line or a number. */
static long field(const char *out, const char *name)
{
	long v;

	line_of(out, name, &v);
	return v;
}

/*
 * Make a plateau: a stalled daemon holds the queue while PLATEAU records
 * are sent inside its window, then the daemon goes and the queue drains.
 * Checks that the backlog rose by exactly PLATEAU and that the kernel's
 * mark was the plateau at that moment.  Stopping the daemon queues a few
 * records of its own (its unregistration's CONFIG_CHANGE, ...) on top of
 * the plateau before it drains, so the peak the queue reached is the mark
 * read after the drain: returns that.  The stalled daemon holds kauditd
 * off for a limited time; a burst that outlasts it (a slow or busy host)
 * sees part of the plateau drained, and is tried again after the drain,
 * up to PLATEAU_ATTEMPTS times.
 */
static uint32_t plateau(const char *test)
{
	struct ap_burst b = { .mode = AP_BURST_USER, .threads = 4, .count = PLATEAU };
	struct ap_status before, after;
	struct ap_stall *stall;
	struct ap_error err;
	uint64_t sent = 0;
	uint32_t peak;
	char name[96];
	bool held = false;

	for (int attempt = 1; !held; attempt++) {
		if (ap_stall_start(&stall, ctl, &err) < 0 || ap_stall_arm(stall, &err) < 0)
			give_up("stalled daemon", &err);
		before = status_now();
		if (ap_burst_send(&b, &sent, &err) < 0)
			give_up("burst", &err);
		after = status_now();
		if (ap_stall_stop(stall, &err) < 0)
			give_up("stop the stalled daemon", &err);
		held = sent == PLATEAU && after.value[AP_FIELD_BACKLOG] ==
		       before.value[AP_FIELD_BACKLOG] + PLATEAU;
		if (held || attempt == PLATEAU_ATTEMPTS)
			break;
		note("%s: attempt %d: backlog %u -> %u, part of the burst drained before the end; again",
		     test, attempt, before.value[AP_FIELD_BACKLOG], after.value[AP_FIELD_BACKLOG]);
		if (!drained(60000))
			give_up("queue did not drain in 60 s", NULL);
	}
	snprintf(name, sizeof(name), "%s: plateau of %d records, the mark on it", test, PLATEAU);
	check(held && after.value[AP_FIELD_BACKLOG_MAX_DEPTH] == after.value[AP_FIELD_BACKLOG],
	      name, "sent %llu, backlog %u -> %u, mark %u",
	      (unsigned long long)sent, before.value[AP_FIELD_BACKLOG],
	      after.value[AP_FIELD_BACKLOG], after.value[AP_FIELD_BACKLOG_MAX_DEPTH]);
	if (!drained(60000))
		give_up("queue did not drain in 60 s", NULL);
	peak = status_now().value[AP_FIELD_BACKLOG_MAX_DEPTH];
	note("%s: peak %u after the drain (%u records queued on top by the daemon's stop)",
	     test, peak, peak - after.value[AP_FIELD_BACKLOG]);
	return peak;
}

/* Netlink message types the last preloaded run sent, as "T,T,". */
static void sent_types(char *buf, size_t cap)
{
	int fd = open(SEND_LOG, O_RDONLY);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	unlink(SEND_LOG);
}

static bool sent_type(const char *types, int type)
{
	char t[16];

	snprintf(t, sizeof(t), "%d,", type);
	for (const char *p = types; (p = strstr(p, t)) != NULL; p++)
		if (p == types || p[-1] == ',')
			return true;
	return false;
}

/* ------------------------------------------------------------ auditctl -s */

static void test_status_lines(bool patched, uint32_t mark)
{
	char out[4096];
	char *s_args[] = { "auditctl", "-s", NULL };
	char *d_args[] = { "auditctl-debian12", "-s", NULL };
	char *p_args[] = { "auditpeak", "status", NULL };
	long ours, theirs;
	int rc;

	rc = run(out, sizeof(out), NULL, s_args);
	printf("%s", out);
	ours = field(out, "backlog_max_depth");
	check(rc == 0 && field(out, "backlog_wait_time_actual") >= 0,
	      "patched auditctl -s shows backlog_wait_time_actual", "exit=%d", rc);
	if (patched) {
		rc = run(out, sizeof(out), NULL, p_args);
		theirs = field(out, "backlog_max_depth");
		check(ours == (long)mark && theirs == ours,
		      "patched auditctl -s backlog_max_depth == auditpeak status's == the kernel's peak",
		      "auditctl %ld, auditpeak %ld (exit %d), kernel %u", ours,
		      theirs, rc, mark);
	} else {
		long v = -1;

		check(!line_of(out, "backlog_max_depth", &v),
		      "patched auditctl -s shows no backlog_max_depth (no fake 0)",
		      "value %ld", v);
	}

	rc = run(out, sizeof(out), NULL, d_args);
	printf("%s", out);
	if (patched)
		check(rc == 0 && field(out, "backlog_wait_time") >= 0 &&
		      field(out, "backlog_wait_time_actual") < 0,
		      "REGRESSION recorded: Debian 12's auditctl -s loses backlog_wait_time_actual on the patched kernel",
		      "exit=%d, backlog_wait_time_actual line %s", rc,
		      field(out, "backlog_wait_time_actual") < 0 ? "missing" : "present");
	else
		check(rc == 0 && field(out, "backlog_wait_time_actual") >= 0,
		      "Debian 12's auditctl -s shows backlog_wait_time_actual on the unpatched kernel",
		      "exit=%d", rc);
}

/* ------------------------------------------------------------ reset */

/* The old= of the next CONFIG_CHANGE record for backlog_max_depth. */
static long config_change_old(int rl)
{
	char text[1024];
	uint64_t end = now_ms() + 10000;

	while (now_ms() < end) {
		int type = rawnl_recv_record(rl, text, sizeof(text), 1000);
		const char *o;

		if (type == AUDIT_CONFIG_CHANGE && strstr(text, "backlog_max_depth=") &&
		    (o = strstr(text, " old=")) != NULL) {
			note("%s", text);
			return strtol(o + 5, NULL, 10);
		}
	}
	return -1;
}

static void test_reset(bool patched, uint32_t mark)
{
	char out[1024], types[256];
	char *args[] = { "auditctl", "--reset_backlog_max_depth", NULL };
	long printed, old;
	int rl, rc;

	rl = rawnl_open(0);
	if (rl < 0 || rawnl_join_readlog(rl) < 0)
		give_up("readlog socket", NULL);
	unlink(SEND_LOG);
	rc = run(out, sizeof(out), "/bin/nlsendlog.so", args);
	printf("%s", out);
	sent_types(types, sizeof(types));
	note("auditctl --reset_backlog_max_depth sent netlink types %s", types);
	printed = field(out, "backlog_max_depth");
	if (patched) {
		old = config_change_old(rl);
		check(rc == 0 && printed == (long)mark && old == printed,
		      "auditctl --reset_backlog_max_depth returns the peak, as CONFIG_CHANGE old=",
		      "exit %d, printed %ld, CONFIG_CHANGE old=%ld, peak %u",
		      rc, printed, old, mark);
		check(sent_type(types, AUDIT_GET) && sent_type(types, AUDIT_SET),
		      "the reset asks for the status first, then sends AUDIT_SET",
		      "types %s", types);
		check(status_now().value[AP_FIELD_BACKLOG_MAX_DEPTH] < mark,
		      "the kernel's mark was cleared", "now %u",
		      status_now().value[AP_FIELD_BACKLOG_MAX_DEPTH]);
	} else {
		check(rc != 0 && printed < 0 && strstr(out, "not supported"),
		      "auditctl --reset_backlog_max_depth refuses on the unpatched kernel",
		      "exit %d: %s", rc, out);
		check(sent_type(types, AUDIT_GET) && !sent_type(types, AUDIT_SET),
		      "the refused reset sent AUDIT_GET and no AUDIT_SET",
		      "types %s", types);
		check(config_change_old(rl) < 0, "no CONFIG_CHANGE for backlog_max_depth",
		      "none within 10 s");
	}
	close(rl);
}

/* ------------------------------------------------------------ statsd */

struct statsd_run {
	pid_t pid;
	int feed;	/* the plugin's stdin: open and idle, as from auditd */
	int udp;	/* our statsd listener */
};

static void statsd_start(struct statsd_run *r)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(STATSD_PORT) };
	struct timeval tv = { .tv_sec = 3 * STATSD_INTERVAL_S };
	int p[2];
	FILE *f;

	mkdir("/etc", 0755);
	mkdir("/etc/audit", 0750);
	f = fopen("/etc/audit/audisp-statsd.conf", "w");
	if (!f)
		give_up("write audisp-statsd.conf", NULL);
	fprintf(f, "address = 127.0.0.1\nport = %d\ninterval = %ds\n",
		STATSD_PORT, STATSD_INTERVAL_S);
	fclose(f);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->udp = socket(AF_INET, SOCK_DGRAM, 0);
	if (r->udp < 0 || bind(r->udp, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(r->udp, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		give_up("statsd listener on 127.0.0.1:8125", NULL);
	if (pipe(p) < 0)
		give_up("pipe", NULL);
	unlink(SEND_LOG);
	r->pid = fork();
	if (r->pid == 0) {
		dup2(p[0], STDIN_FILENO);
		close(p[1]);
		/* what it sends to the kernel, for test_statsd_since_boot */
		setenv("LD_PRELOAD", "/bin/nlsendlog.so", 1);
		setenv("NLSENDLOG", SEND_LOG, 1);
		execl("/bin/audisp-statsd", "audisp-statsd", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	r->feed = p[1];
}

/*
 * The kernel.backlog_max_depth of the next report: the plugin sends its
 * gauges and its counters in a datagram each, so skip to the next datagram
 * with gauges (kernel.backlog).  -1 if that has no backlog_max_depth, -2 if
 * nothing arrived within three intervals.  *@longest is the longest
 * datagram seen so far.
 */
static long statsd_next(const struct statsd_run *r, char *msg, size_t cap, size_t *longest)
{
	const char *g;

	for (;;) {
		ssize_t n = recv(r->udp, msg, cap - 1, 0);

		if (n <= 0)
			return -2;
		msg[n] = '\0';
		if ((size_t)n > *longest)
			*longest = (size_t)n;
		if (strstr(msg, "kernel.backlog:"))
			break;
	}
	g = strstr(msg, "kernel.backlog_max_depth:");
	return g ? strtol(g + strlen("kernel.backlog_max_depth:"), NULL, 10) : -1;
}

static void statsd_stop(struct statsd_run *r)
{
	/* the plugin heeds SIGTERM from its parent, which we are */
	kill(r->pid, SIGTERM);
	close(r->feed);
	waitpid(r->pid, NULL, 0);
	close(r->udp);
}

/*
 * Each interval sends the kernel's mark as it is, since boot or the last
 * reset: a metrics plugin only reads it, and never sends AUDIT_SET.
 */
static void test_statsd_since_boot(uint32_t mark)
{
	struct statsd_run r;
	char msg[4096], types[256];
	size_t longest = 0;
	long g1, g2;

	statsd_start(&r);
	g1 = statsd_next(&r, msg, sizeof(msg), &longest);
	g2 = statsd_next(&r, msg, sizeof(msg), &longest);
	statsd_stop(&r);
	sent_types(types, sizeof(types));
	note("statsd datagram: %s", msg);
	check(g1 == (long)mark && g2 == (long)mark,
	      "audisp-statsd sends kernel.backlog_max_depth, the kernel's since-boot mark",
	      "gauges %ld, %ld; mark %u", g1, g2, mark);
	check(sent_type(types, AUDIT_GET) && !sent_type(types, AUDIT_SET) &&
	      status_now().value[AP_FIELD_BACKLOG_MAX_DEPTH] == mark,
	      "audisp-statsd only reads: AUDIT_GET, no AUDIT_SET, the mark unchanged",
	      "types %s; mark %u -> %u", types, mark,
	      status_now().value[AP_FIELD_BACKLOG_MAX_DEPTH]);
	check(longest > 0 && longest < STATSD_MSG_SIZE,
	      "audisp-statsd's datagrams stay under its 512-byte buffer",
	      "longest %zu bytes", longest);
}

static void show_kernel_line(const char *line)
{
	note("kernel: %s", line);
}

/* The guest boots `quiet`: a WARN never reaches the console, so read it. */
static void kernel_log_clean(void)
{
	struct kmsg_counts c;
	int rc = kmsg_scan(&c, show_kernel_line);

	check(rc == 0 && c.warnings == 0, "kernel log has no WARNING/BUG/Oops",
	      "%u suspicious lines%s", c.warnings,
	      rc < 0 ? " (cannot read /dev/kmsg)" : "");
}

int main(int argc, char **argv)
{
	const char *kernel = argc > 1 ? argv[1] : "";
	bool patched = strcmp(kernel, "patched") == 0;
	bool statsd = patched && argc > 2 && strcmp(argv[2], "statsd") == 0;
	struct ap_settings saved;
	struct ap_status st;
	struct ap_error err;
	uint32_t old, mark = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!patched && strcmp(kernel, "unpatched") != 0) {
		printf("usage: austest patched [statsd] | unpatched\n");
		return 2;
	}
	if (ap_nl_open(&ctl, &err) < 0)
		give_up("open audit netlink", &err);
	ap_nl_set_timeout(ctl, 5000);
	if (ap_settings_capture(ctl, &saved, &err) < 0)
		give_up("capture settings", &err);
	if (ap_set_field(ctl, AP_FIELD_ENABLED, 1, &err) < 0 ||
	    ap_set_field(ctl, AP_FIELD_BACKLOG_LIMIT, 20000, &err) < 0)
		give_up("audit on, backlog_limit 20000", &err);

	st = status_now();
	/* 7.3's series adds RFC patch 2's two __u64 (64 bytes) */
	check(patched ? st.payload_len == (st.has_backlog_sums ? 64u : 48u) :
			st.payload_len == 44u,
	      patched ? "the patched kernel's status reply is 48 bytes (64 with the sums)" :
			"the unpatched kernel's status reply is 44 bytes",
	      "payload %zu", st.payload_len);

	if (patched) {
		if (ap_reset_counter(ctl, AP_FIELD_BACKLOG_MAX_DEPTH, &old, &err) < 0)
			give_up("clear the mark", &err);
		if (!drained(20000))
			give_up("queue did not drain", NULL);
		mark = plateau("auditctl");
	}
	test_status_lines(patched, mark);
	if (statsd)
		test_statsd_since_boot(mark);
	test_reset(patched, mark);

	if (ap_settings_restore(ctl, &saved, &err) < 0)
		note("restoring settings: %s", err.msg);
	ap_nl_close(ctl);
	kernel_log_clean();
	finish();
}
