// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditpeak/control.h"
#include "http.h"
#include "log.h"
#include "observe/lock_file.h"
#include "observe/loop.h"
#include "observe/observer.h"
#include "observe/state_file.h"
#include "observe/timeline.h"
#include "privileges.h"
#include "publish.h"
#include "serve.h"
#include "statsd.h"

struct server {
	const struct ap_serve_config *cfg;
	struct ap_nl *nl;          /* our own AUDIT_GET channel */
	struct ap_peak peak;       /* ops NULL: no peak source */
	int owner_lock;            /* -1: read-only */
	int state_lock;            /* -1: no state file */
	char boot_id[AP_BOOT_ID_MAX];
	struct ap_timeline tl;
	struct ap_publisher pub;
	bool published;
	struct ap_http *http;
	struct ap_statsd *statsd;
	uint64_t lost_at_last_push;
	bool was_up;
};

static int fatal(const struct ap_error *err)
{
	ap_log("%s", err->msg);
	return err->code == AP_OK ? AP_ERR_SYSTEM : (int)err->code;
}

/* Counts at 1, 2, 4, 8...: a steady cause is logged, never floods. */
static bool worth_logging(uint64_t count)
{
	return count && (count & (count - 1)) == 0;
}

static int open_peak(struct server *s, struct ap_error *err)
{
	char note[AP_OBSERVER_NOTE_MAX];
	struct ap_peak_config pc;

	ap_observer_peak_config(&s->cfg->obs, &pc);
	/* Its thread starts after the privilege drop (see drop_privileges). */
	pc.defer_threads = true;
	if (ap_observer_open_peak(&s->peak, s->cfg->obs.backend, &pc, note,
				  sizeof(note), err) < 0)
		return -1;
	ap_log("%s", note);
	return 0;
}

static void take_ownership(struct server *s)
{
	struct ap_error err;
	pid_t holder;

	s->owner_lock = -1;
	if (!s->cfg->obs.reset) {
		ap_log("read-only (--no-reset): windows are not reset by this instance");
		return;
	}
	s->owner_lock = ap_lock_take(s->cfg->obs.lock_path, &holder, &err);
	if (s->owner_lock >= 0)
		ap_log("owner of window resets (lock %s)",
		       s->cfg->obs.lock_path);
	else
		ap_log("read-only: %s; this instance will not reset anything",
		       err.msg);
}

/* The state file gets its own lock: two instances never overwrite it. */
static void open_state(struct server *s)
{
	struct ap_state_load_report rep;
	struct ap_error err;
	char lock[4096], skipped[1024];
	pid_t holder;
	int rc;

	s->state_lock = -1;
	if (!s->cfg->state_path)
		return;
	snprintf(lock, sizeof(lock), "%s.lock", s->cfg->state_path);
	s->state_lock = ap_lock_take(lock, &holder, &err);
	if (s->state_lock < 0) {
		ap_log("no state file: %s; cumulative values will not survive a restart",
		       err.msg);
		return;
	}
	ap_boot_id(s->boot_id);
	rc = ap_state_load(s->cfg->state_path, &s->tl, s->boot_id, &rep, &err);
	if (rc < 0)
		ap_log("starting from zero: %s", err.msg);
	else if (rc == 0)
		ap_log("restored cumulative values from %s", s->cfg->state_path);
	if (rc == 0) {
		ap_state_load_describe(s->cfg->state_path, &rep, skipped,
				       sizeof(skipped));
		if (skipped[0])
			ap_log("%s", skipped);
	}
}

static void save_state(struct server *s)
{
	struct ap_error err;

	if (s->state_lock >= 0 &&
	    ap_state_save(s->cfg->state_path, &s->tl, s->boot_id, &err) < 0)
		ap_log("%s", err.msg);
}

static void init_snapshot(struct server *s)
{
	char hz_note[AP_OBSERVER_NOTE_MAX];

	ap_observer_start_timeline(&s->tl, &s->peak, s->owner_lock >= 0,
				   s->cfg->obs.interval_ms, s->cfg->obs.window_ms,
				   hz_note, sizeof(hz_note));
	ap_log("%s", hz_note);
}

static void log_events(struct server *s, const struct ap_timeline_events *ev)
{
	const struct ap_exporter_snapshot *snap = &s->tl.snap;

	for (int w = 0; w < AP_WATCH_COUNT; w++)
		if (ev->foreign_reset[w] &&
		    worth_logging(snap->foreign_resets[w]))
			ap_log("warning: %s dropped without a reset by this instance: someone else reset it (%llu times so far)%s",
			       ap_watched_name(w),
			       (unsigned long long)snap->foreign_resets[w],
			       w == AP_WATCH_MAX_DEPTH ? "" : "; the exported total keeps counting");
	if (ev->window_missed && worth_logging(snap->probe_missed))
		ap_log("warning: the peak source missed %llu records in the window just closed (%llu so far): that window is published as a lower bound",
		       (unsigned long long)ev->window_missed,
		       (unsigned long long)snap->probe_missed);
	if (ev->failed && worth_logging(snap->poll_errors))
		ap_log("poll failed (%llu failures so far): %s",
		       (unsigned long long)snap->poll_errors, ev->error.msg);
}

static void poll_once(struct server *s)
{
	struct ap_timeline_events ev;
	struct ap_status st;
	struct ap_error err;
	bool ok = ap_get_status(s->nl, &st, &err) == 0;

	ap_timeline_poll(&s->tl, ok ? &st : NULL, &err, &s->peak, ap_now_unix(),
			 &ev);
	log_events(s, &ev);
	if (ok && !s->was_up && s->tl.snap.polls > 1)
		ap_log("polls succeed again");
	s->was_up = ok;
}

static void push_statsd(struct server *s, bool window_closed)
{
	const struct ap_exporter_snapshot *snap = &s->tl.snap;
	struct ap_statsd_values v = {
		.have_window_peak = window_closed,
		.window_peak = snap->last_window_peak,
		.window_peak_exact = snap->last_window_exact,
		.have_status = snap->up,
		.backlog = snap->status.value[AP_FIELD_BACKLOG],
		.backlog_limit = snap->status.value[AP_FIELD_BACKLOG_LIMIT],
		.lost_delta = snap->lost_total - s->lost_at_last_push,
	};
	struct ap_statsd_batch batch;
	struct ap_error err;

	if (!s->statsd)
		return;
	if (ap_statsd_build(&v, s->cfg->statsd_prefix, s->cfg->statsd_tags,
			    &batch, &err) < 0 ||
	    ap_statsd_send(s->statsd, &batch, &err) < 0) {
		/* Keep the delta: the next push carries it. */
		ap_log("%s", err.msg);
		return;
	}
	s->lost_at_last_push = snap->lost_total;
}

/* True when a window was closed (the read-and-clear worked). */
static bool close_window(struct server *s)
{
	struct ap_timeline_events ev;

	ap_timeline_close_window(&s->tl, &s->peak, ap_now_unix(), &ev);
	log_events(s, &ev);
	push_statsd(s, ev.window_closed);
	save_state(s);
	return ev.window_closed;
}

/*
 * A restart (systemctl restart, a package upgrade) must not lose the
 * window in flight: it is closed now, shorter than the others, and saved
 * with the rest, so a burst just before the stop is in the histogram, the
 * max since start and the last window after the restart.
 */
static void close_final_window(struct server *s)
{
	if (!s->tl.snap.owner || !s->peak.ops)
		return;
	poll_once(s);
	if (close_window(s))
		ap_log("closed the window in flight: peak %u%s",
		       s->tl.snap.last_window_peak,
		       s->tl.snap.last_window_exact ? "" : " (lower bound)");
}

static void publish(struct server *s)
{
	if (!s->published)
		ap_publisher_init(&s->pub, &s->tl.snap);
	else
		ap_publish(&s->pub, &s->tl.snap);
	s->published = true;
}

static int loop(struct server *s, const struct ap_signals *sig)
{
	uint64_t next_window, expirations;
	struct pollfd fd;
	int tfd = ap_interval_timer(s->cfg->obs.interval_ms, true);

	if (tfd < 0) {
		ap_log("timer: %s", strerror(errno));
		return AP_ERR_SYSTEM;
	}
	next_window = ap_now_mono_ms() + s->cfg->obs.window_ms;
	fd = (struct pollfd){ .fd = tfd, .events = POLLIN };
	while (!ap_stop_signal) {
		if (ap_hangup_signal) {
			ap_hangup_signal = 0;
			ap_log_reopen();
			ap_log("log reopened (SIGHUP)");
		}
		if (ap_wait(sig, &fd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			ap_log("poll: %s", strerror(errno));
			break;
		}
		if (!(fd.revents & POLLIN) ||
		    read(tfd, &expirations, sizeof(expirations)) < 0)
			continue;
		poll_once(s);
		if (ap_now_mono_ms() >= next_window) {
			/* The new window starts with the queue as it is now. */
			if (close_window(s))
				poll_once(s);
			/* A stall longer than a window makes one long window. */
			while (next_window <= ap_now_mono_ms())
				next_window += s->cfg->obs.window_ms;
		}
		publish(s);
	}
	close(tfd);
	return 0;
}

/* Everything a run holds, released whatever state setup reached. */
static void teardown(struct server *s)
{
	ap_http_stop(s->http);
	ap_statsd_close(s->statsd);
	if (s->published)
		ap_publisher_destroy(&s->pub);
	ap_peak_close(&s->peak);
	if (s->nl)
		ap_nl_close(s->nl);
	ap_lock_release(s->state_lock);
	ap_lock_release(s->owner_lock);
}

/*
 * What the run needs, found by testing each backend after the drop: every
 * AUDIT_GET and read-and-clear needs CAP_AUDIT_CONTROL.  The bpf backend
 * reads what its probe keeps through memory it mapped while privileged
 * (no bpf() call: Linux 5.10 refuses every one from a process without
 * CAP_BPF or CAP_SYS_ADMIN while unprivileged BPF is off, as on Debian);
 * its remaining calls (its programs' miss counters, a test run of its own
 * program while the queue's address is not yet validated, closing links)
 * check no capability on the fds it holds from 5.11 on, and the address is
 * validated at open, with retries, before the drop.
 */
static const cap_value_t keep_caps[] = { CAP_AUDIT_CONTROL };

static int drop_privileges(struct ap_error *err)
{
	char summary[256];

	if (ap_privileges_drop(keep_caps, sizeof(keep_caps) / sizeof(keep_caps[0]),
			       summary, sizeof(summary), err) < 0)
		return -1;
	ap_log("%s", summary);
	return 0;
}

static int setup(struct server *s, struct ap_error *err)
{
	const struct ap_http_options http_opts = {
		.tls_cert = s->cfg->tls_cert,
		.tls_key = s->cfg->tls_key,
		.auth_file = s->cfg->auth_file,
	};
	struct ap_status st;

	if (ap_nl_open(&s->nl, err) < 0)
		return -1;
	ap_nl_set_timeout(s->nl, s->cfg->obs.timeout_ms);
	/* Fail at start on what will not fix itself: no audit, no permission. */
	if (ap_get_status(s->nl, &st, err) < 0 || open_peak(s, err) < 0)
		return -1;
	take_ownership(s);
	init_snapshot(s);
	open_state(s);
	s->lost_at_last_push = s->tl.snap.lost_total;
	publish(s);
	if (s->cfg->statsd_target &&
	    ap_statsd_open(&s->statsd, s->cfg->statsd_target, err) < 0)
		return -1;
	if (ap_http_prepare(&s->http, (const struct sockaddr *)&s->cfg->listen,
			    s->cfg->listen_len, &s->pub, &http_opts, err) < 0)
		return -1;
	/* Everything privileged is done; threads start after this, reduced. */
	if (drop_privileges(err) < 0 || ap_peak_start(&s->peak, err) < 0 ||
	    ap_http_start(s->http, err) < 0)
		return -1;
	ap_log("listening on port %u (%s%s: /metrics, /healthz); poll every %llums, window %llums%s%s",
	       ap_http_port(s->http), s->cfg->tls_cert ? "HTTPS" : "HTTP",
	       s->cfg->auth_file ? " with basic auth" : "",
	       (unsigned long long)s->cfg->obs.interval_ms,
	       (unsigned long long)s->cfg->obs.window_ms,
	       s->statsd ? "; statsd to " : "",
	       s->statsd ? s->cfg->statsd_target : "");
	return 0;
}

int ap_serve_run(const struct ap_serve_config *cfg)
{
	struct server s = { .cfg = cfg, .owner_lock = -1, .state_lock = -1 };
	struct ap_signals sig;
	struct ap_error err;
	int rc;

	if (ap_log_open(cfg->log_path, &err) < 0) {
		fprintf(stderr, "auditpeak serve: %s\n", err.msg);
		return AP_ERR_USAGE;
	}
	/* Before any thread starts, so HTTP threads inherit the mask. */
	if (ap_signals_catch(AP_SIGNALS_HANGUP_FLAG, &sig) < 0) {
		ap_log("signals: %s", strerror(errno));
		ap_log_close();
		return AP_ERR_SYSTEM;
	}
	if (setup(&s, &err) < 0) {
		rc = fatal(&err);
	} else {
		rc = loop(&s, &sig);
		if (ap_stop_signal)
			ap_log("stopping on %s", strsignal(ap_stop_signal));
		/* Stop scrapes first, then write what they saw last. */
		ap_http_stop(s.http);
		s.http = NULL;
		close_final_window(&s);
		save_state(&s);
	}
	teardown(&s);
	ap_log_close();
	return rc;
}
