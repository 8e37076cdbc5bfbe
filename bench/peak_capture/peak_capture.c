// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Peak capture, end to end: what the real `auditpeak serve --backend bpf`
 * published for each of its windows, against the kernel's own
 * backlog_max_depth read-and-cleared at the same window boundaries, and
 * what `backlog` pollers saw of the same queue.  Runs inside the patched +
 * BTF QEMU guest (the rig's bpf flavor), where the kernel field is an
 * independent truth: serve's bpf probe never reads or clears it.
 * bench/peak_capture/run boots it once per workload; analyze.py makes the
 * table and the plot.
 *
 *   peak-capture BURST_MS RATE WINDOWS [WINDOW_S]
 *
 * What runs at once:
 *   - a consumer registered as the audit daemon (bench/lib/audit_consumer.c),
 *     so kauditd drains the queue as with auditd;
 *   - /bin/auditpeak serve --backend bpf, polling every 1 s and closing a
 *     window every WINDOW_S seconds (default 2) on its own timer, with a
 *     state file;
 *   - the truth: serve writes its state file (temporary file, rename) right
 *     after each window's read-and-clear; we see the new file within 1 ms
 *     and read-and-clear the kernel field at once (AUDIT_SET, mask 0x100).
 *     Serve's clear happens after the end time it publishes and before the
 *     rename, ours inside [truth_before, truth_after], so the two windows'
 *     ends differ by less than truth_after - serve_end (printed per window);
 *   - the published value: /metrics scraped over loopback right after, until
 *     auditpeak_resets_total moves (auditpeak_last_window_peak, _exact and
 *     _end_timestamp_seconds);
 *   - the workload: one burst per window, RATE records/s for BURST_MS as
 *     AUDIT_USER records (one sender: the kernel takes them one at a time
 *     under its audit command lock anyway), paced in 5 ms chunks, at a
 *     random offset that keeps it GUARD_START after the window's start and
 *     GUARD_END before its end: the queue is back at its baseline
 *     (the truth reset's own CONFIG_CHANGE record) around every boundary, so
 *     the few ms between the two clears can only move baseline records from
 *     one window to the other;
 *   - a poller: AUDIT_GET every 10 ms, keeping `backlog` (what existing
 *     tools read); analyze.py simulates 1 s and 15 s pollers from it.
 *
 * Everything is kept in memory and printed at the end, times in ns of
 * CLOCK_MONOTONIC from the program's start (serve's Unix end times are
 * converted with the offset between the two clocks taken at the start):
 *   W k resets serve_end serve_peak exact truth truth_before truth_after
 *   P t backlog
 *   B window start end sent
 * Window 0 is serve's first, which began before the bursts and the truth's
 * first clear: analysis starts at window 1.  The guest is thrown away
 * afterwards, so audit settings are not restored.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auditpeak/clock.h"
#include "auditpeak/control.h"

#include "../lib/audit_consumer.h"

#define MS 1000000LL
#define POLL_NS (10 * MS)        /* the real poller's period */
#define CHUNK_NS (5 * MS)        /* burst pacing chunk */
#define GUARD_START_NS (500 * MS)
#define GUARD_END_NS (1000 * MS)
#define BENCH_BACKLOG_LIMIT 1000000
#define SERVE_PORT 9814
#define SERVE_DIR "/tmp/auditpeak"
#define STATE_PATH SERVE_DIR "/serve.state"
#define STATE_POLL_NS (1 * MS)
#define FIRST_WINDOW_TIMEOUT_MS 120000 /* serve loads BTF and the probe under TCG */

static volatile sig_atomic_t stop;

static int64_t now_ns(void)
{
	return (int64_t)ap_now_mono_ns();
}

static void sleep_until_ns(int64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000LL,
			       .tv_nsec = t % 1000000000LL };

	while (!stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
					NULL) == EINTR)
		;
}

/* ------------------------------------------------------------ poller */

struct poll_sample {
	int64_t t;
	uint32_t backlog;
};

struct poller {
	struct ap_nl *nl;
	struct poll_sample *s;
	size_t n, cap;
	struct ap_error err;
	int rc;
};

/* What a `backlog` poller sees: the queue length at the instant it asks.
 * A poll held up (AUDIT_GET waits for the audit command lock, which a
 * burst of AUDIT_USER records holds) skips the ticks it missed. */
static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	int64_t start = now_ns(), t = start;

	while (!stop && p->n < p->cap) {
		struct ap_status st;
		int64_t now;

		sleep_until_ns(t);
		if (ap_get_status(p->nl, &st, &p->err) < 0) {
			p->rc = -1;
			break;
		}
		now = now_ns();
		p->s[p->n++] = (struct poll_sample){ now, st.value[AP_FIELD_BACKLOG] };
		t = start + ((now - start) / POLL_NS + 1) * POLL_NS;
	}
	return NULL;
}

/* ------------------------------------------------------------ bursts */

struct burst_rec {
	int window;
	int64_t start, end;
	uint64_t sent;
};

struct burster {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int window;          /* the window that just began (0: none yet) */
	int64_t window_start;
	bool done;
	int burst_ms;
	uint64_t rate;
	int64_t window_ns;
	struct ap_nl *nl;
	struct burst_rec *rec;
	size_t n, cap;
	struct ap_error err;
	int rc;
};

static int send_burst(struct burster *b, int64_t t, struct burst_rec *r)
{
	int64_t burst_ns = (int64_t)b->burst_ms * MS;
	int64_t chunks = burst_ns / CHUNK_NS > 0 ? burst_ns / CHUNK_NS : 1;
	uint64_t per_chunk = b->rate * (uint64_t)b->burst_ms / 1000 / (uint64_t)chunks;

	sleep_until_ns(t);
	r->start = now_ns();
	for (int64_t c = 0; c < chunks && !stop; c++) {
		sleep_until_ns(t + c * CHUNK_NS);
		for (uint64_t i = 0; i < (per_chunk ? per_chunk : 1); i++, r->sent++)
			if (ap_send_user_message(b->nl, "auditpeak peak-capture",
						 &b->err) < 0)
				return -1;
	}
	r->end = now_ns();
	return 0;
}

/*
 * One burst per window, inside its guards, at a random offset.  Under TCG
 * on a busy host a burst can take several times BURST_MS: the room for the
 * offset leaves space for the longer of the two, the last burst's length.
 */
static void *burst_thread(void *arg)
{
	struct burster *b = arg;
	int64_t length = (int64_t)b->burst_ms * MS;
	int last = 0;

	for (;;) {
		struct burst_rec r = { 0 };
		int64_t start, room = b->window_ns - GUARD_START_NS - GUARD_END_NS - length;

		pthread_mutex_lock(&b->mu);
		while (b->window == last && !b->done)
			pthread_cond_wait(&b->cv, &b->mu);
		if (b->done) {
			pthread_mutex_unlock(&b->mu);
			break;
		}
		last = r.window = b->window;
		start = b->window_start;
		pthread_mutex_unlock(&b->mu);
		start += GUARD_START_NS +
			 (room > 0 ? (int64_t)(drand48() * (double)room) : 0);
		if (send_burst(b, start, &r) < 0) {
			b->rc = -1;
			stop = 1;
			break;
		}
		if (r.end - r.start > length)
			length = r.end - r.start;
		if (b->n < b->cap)
			b->rec[b->n++] = r;
	}
	return NULL;
}

static void burster_new_window(struct burster *b, int window, int64_t start)
{
	pthread_mutex_lock(&b->mu);
	b->window = window;
	b->window_start = start;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

static void burster_finish(struct burster *b)
{
	pthread_mutex_lock(&b->mu);
	b->done = true;
	pthread_cond_signal(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

/* ------------------------------------------------------------ serve */

static pid_t start_serve(int64_t window_ns)
{
	char window[32];
	pid_t pid;

	snprintf(window, sizeof(window), "%llds", (long long)(window_ns / 1000000000LL));
	pid = fork();
	if (pid == 0) {
		execl("/bin/auditpeak", "auditpeak", "serve", "--backend", "bpf",
		      "--interval", "1s", "--window", window,
		      "--listen", "127.0.0.1:9814",
		      "--lock", SERVE_DIR "/owner.lock",
		      "--state", STATE_PATH,
		      "--log", SERVE_DIR "/serve.log", (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void stop_serve(pid_t pid)
{
	char line[512];
	FILE *f;

	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	f = fopen(SERVE_DIR "/serve.log", "r");
	while (f && fgets(line, sizeof(line), f))
		printf("# serve: %s", line);
	if (f)
		fclose(f);
}

/* GET /metrics over loopback into @page; 0 on a 200 answer. */
static int scrape(char *page, size_t cap)
{
	static const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(SERVE_PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), code = 0;
	size_t n = 0;
	ssize_t r;

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		close(fd);
		return -1;
	}
	while (n + 1 < cap && (r = read(fd, page + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	page[n] = '\0';
	return sscanf(page, "HTTP/%*s %d", &code) == 1 && code == 200 ? 0 : -1;
}

/* The value of the unlabelled sample @name in @page; NAN if absent. */
static double sample_value(const char *page, const char *name)
{
	size_t len = strlen(name);

	for (const char *l = page; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, name, len) == 0 && l[len] == ' ')
			return strtod(l + len + 1, NULL);
	return __builtin_nan("");
}

struct published {
	double resets, peak, exact, end;
};

/* Scrape every 10 ms, @tries times at most, until serve has published a
 * window after @after resets. */
static int read_published(double after, struct published *pub, int tries)
{
	static char page[256 * 1024];

	for (int i = 0; i < tries && !stop; i++) {
		if (scrape(page, sizeof(page)) == 0) {
			double resets = sample_value(page, "auditpeak_resets_total");

			if (resets > after) { /* false for NAN: not published yet */
				pub->resets = resets;
				pub->peak = sample_value(page, "auditpeak_last_window_peak");
				pub->exact = sample_value(page, "auditpeak_last_window_peak_exact");
				pub->end = sample_value(page, "auditpeak_last_window_end_timestamp_seconds");
				return pub->peak == pub->peak ? 0 : -1; /* NAN: no peak */
			}
		}
		usleep(10000);
	}
	return -1;
}

/*
 * Block until serve has renamed a new state file into place (a window
 * closed): the file's inode changes.  Polled every STATE_POLL_NS with
 * stat(), because the guest kernels have no inotify; that adds at most
 * STATE_POLL_NS to the distance between serve's clear and ours.
 */
static int wait_window_close(pid_t serve, ino_t *last, int timeout_ms)
{
	int64_t end = now_ns() + (int64_t)timeout_ms * MS, t = now_ns();

	while (!stop && now_ns() < end) {
		struct stat st;

		if (stat(STATE_PATH, &st) == 0 && st.st_ino != *last) {
			*last = st.st_ino;
			return 0;
		}
		if (waitpid(serve, NULL, WNOHANG) == serve) {
			fprintf(stderr, "peak-capture: serve exited\n");
			return -1;
		}
		t += STATE_POLL_NS;
		sleep_until_ns(t);
	}
	return -1;
}

/* ------------------------------------------------------------ run */

struct window_rec {
	int64_t serve_end, truth_before, truth_after;
	double resets, peak, exact;
	uint32_t truth;
};

static int run(struct ap_nl *nl, int burst_ms, uint64_t rate, int windows,
	       int64_t window_ns, int64_t t0, struct ap_error *err)
{
	/* Unix time minus monotonic time: the guest runs no clock adjustment. */
	double unix_offset_ns = ap_now_unix() * 1e9 - (double)now_ns();
	size_t polls = (size_t)(windows + 30) * (size_t)(window_ns / POLL_NS) + 1000;
	struct poller p = { .cap = polls, .s = calloc(polls, sizeof(*p.s)) };
	struct burster b = { .mu = PTHREAD_MUTEX_INITIALIZER,
			     .cv = PTHREAD_COND_INITIALIZER, .burst_ms = burst_ms,
			     .rate = rate, .window_ns = window_ns,
			     .cap = (size_t)windows + 1,
			     .rec = calloc((size_t)windows + 1, sizeof(*b.rec)) };
	struct window_rec *w = calloc((size_t)windows + 1, sizeof(*w));
	struct published pub = { .resets = 0 };
	pthread_t pt, bt;
	int64_t first_deadline;
	pid_t serve = -1;
	ino_t state_ino = 0;
	int rc = -1, k = 0;
	uint32_t old;

	if (!p.s || !b.rec || !w)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	mkdir(SERVE_DIR, 0755);
	unlink(STATE_PATH);
	if (ap_nl_open(&p.nl, err) < 0 || ap_nl_open(&b.nl, err) < 0)
		return -1;
	/* The kernel's mark starts this run clean (serve's first window is
	 * not compared anyway). */
	if (ap_reset_counter(nl, AP_FIELD_BACKLOG_MAX_DEPTH, &old, err) < 0)
		return -1;
	serve = start_serve(window_ns);
	if (serve < 0)
		return ap_fail(err, AP_ERR_SYSTEM, errno, "fork serve");
	pthread_create(&pt, NULL, poll_thread, &p);
	pthread_create(&bt, NULL, burst_thread, &b);
	/*
	 * Window 0 ends at serve's first close that publishes a peak (a bpf
	 * source still learning the queue's address closes none); the truth
	 * is cleared at every close, so window 1 starts aligned.
	 */
	first_deadline = now_ns() + FIRST_WINDOW_TIMEOUT_MS * MS;
	for (k = 0; k <= windows && !stop;) {
		struct window_rec *r = &w[k];
		int timeout = k == 0 ? FIRST_WINDOW_TIMEOUT_MS : (int)(3 * window_ns / MS);

		if (wait_window_close(serve, &state_ino, timeout) < 0) {
			ap_fail(err, AP_ERR_TIMEOUT, ETIMEDOUT,
				"serve closed no window %d within %d ms", k, timeout);
			break;
		}
		r->truth_before = now_ns();
		if (ap_reset_counter(nl, AP_FIELD_BACKLOG_MAX_DEPTH, &r->truth, err) < 0)
			break;
		r->truth_after = now_ns();
		if (read_published(pub.resets, &pub, k == 0 ? 50 : 200) < 0) {
			if (k == 0 && now_ns() < first_deadline)
				continue;
			ap_fail(err, AP_ERR_PROTOCOL, EPROTO,
				"serve published no window peak after window %d", k);
			break;
		}
		r->resets = pub.resets;
		r->peak = pub.peak;
		r->exact = pub.exact;
		r->serve_end = (int64_t)(pub.end * 1e9 - unix_offset_ns);
		if (k < windows)
			burster_new_window(&b, k + 1, r->truth_after);
		k++;
	}
	if (k > windows)
		rc = 0;
	burster_finish(&b);
	pthread_join(bt, NULL);
	stop = 1;
	pthread_join(pt, NULL);
	stop_serve(serve);
	if (rc == 0 && b.rc < 0) {
		*err = b.err;
		rc = -1;
	}
	if (rc == 0 && p.rc < 0) {
		*err = p.err;
		rc = -1;
	}
	printf("# burst_ms=%d rate=%" PRIu64 " windows=%d window_ms=%lld guard_start_ms=%lld guard_end_ms=%lld\n",
	       burst_ms, rate, windows, (long long)(window_ns / MS),
	       GUARD_START_NS / MS, GUARD_END_NS / MS);
	for (int i = 0; i < k && i <= windows; i++)
		printf("W %d %.0f %" PRId64 " %.0f %.0f %" PRIu32 " %" PRId64 " %" PRId64 "\n",
		       i, w[i].resets, w[i].serve_end - t0, w[i].peak, w[i].exact,
		       w[i].truth, w[i].truth_before - t0, w[i].truth_after - t0);
	for (size_t i = 0; i < p.n; i++)
		printf("P %" PRId64 " %" PRIu32 "\n", p.s[i].t - t0, p.s[i].backlog);
	for (size_t i = 0; i < b.n; i++)
		printf("B %d %" PRId64 " %" PRId64 " %" PRIu64 "\n", b.rec[i].window,
		       b.rec[i].start - t0, b.rec[i].end - t0, b.rec[i].sent);
	ap_nl_close(p.nl);
	ap_nl_close(b.nl);
	free(p.s);
	free(b.rec);
	free(w);
	return rc;
}

int main(int argc, char **argv)
{
	struct ap_error err;
	struct ap_nl *nl = NULL;
	pid_t consumer = -1;
	int64_t t0 = now_ns();
	int rc = -1;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: %s BURST_MS RATE WINDOWS [WINDOW_S]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	signal(SIGPIPE, SIG_IGN);
	srand48((long)t0);
	if (ap_nl_open(&nl, &err) < 0)
		goto out;
	if (ap_set_field(nl, AP_FIELD_ENABLED, 1, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_RATE_LIMIT, 0, &err) < 0 ||
	    ap_set_field(nl, AP_FIELD_BACKLOG_LIMIT, BENCH_BACKLOG_LIMIT, &err) < 0)
		goto out;
	consumer = bench_consumer_start();
	if (consumer < 0) {
		ap_fail(&err, AP_ERR_SYSTEM, errno, "cannot start the consumer");
		goto out;
	}
	rc = run(nl, atoi(argv[1]), strtoull(argv[2], NULL, 10), atoi(argv[3]),
		 (argc > 4 ? atoll(argv[4]) : 2) * 1000000000LL, t0, &err);
out:
	bench_consumer_stop(consumer);
	if (rc < 0)
		fprintf(stderr, "peak-capture: %s\n", err.msg);
	ap_nl_close(nl);
	fflush(stdout);
	return rc < 0 ? 1 : 0;
}
