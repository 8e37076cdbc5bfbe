// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auditpeak watch: a live view of the queue, like top.  One loop waits on
 * the refresh timer and the keyboard; SIGINT, SIGTERM and SIGHUP stop it
 * and SIGWINCH redraws (observe/loop.h), so the terminal is always
 * restored on the main path, never from a signal handler.  The windows
 * are the observation layer's timeline (observe/observer.h decides who
 * may close them).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_observe.h"
#include "cli/watch_frame.h"
#include "cli/watch_term.h"
#include "commands.h"
#include "observe/loop.h"
#include "observe/observer.h"

#define FRAME_MAX 8192

struct watch_options {
	struct ap_observer_config obs;
	bool once;
};

struct watcher {
	struct ap_observer obs;
	struct watch_view view;
	struct watch_term term;
	uint64_t next_window_ms;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: auditpeak watch [OPTIONS]\n"
		"Live view of the audit queue: backlog, window peak, peak since start, limit,\n"
		"headroom, lost, wait time and recent window peaks.  q quits.\n"
		"The view is redrawn every --interval.\n\n"
		"  --once               print one plain frame after one --interval and exit\n");
	cli_observer_usage(out, "watch");
	fprintf(out, "See auditpeak-watch(8).\n");
}

/* -1: go on; otherwise the exit code. */
static int parse_options(int argc, char **argv, struct watch_options *o)
{
	enum { O_ONCE = 256 };
	static const struct option opts[] = {
		{ "once", no_argument, NULL, O_ONCE },
		CLI_OBSERVER_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		r = cli_observer_option("watch", c, optarg, &o->obs);
		if (r < 0)
			return -r;
		if (r > 0)
			continue;
		switch (c) {
		case O_ONCE:
			o->once = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("watch", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("watch", "unexpected argument '%s'",
				       argv[optind]);
	if (cli_observer_check("watch", &o->obs))
		return AP_ERR_USAGE;
	return -1;
}

static void show(struct watcher *w)
{
	char frame[FRAME_MAX];
	uint64_t now = ap_now_mono_ms();
	struct watch_frame_in in = {
		.tl = &w->obs.tl,
		.view = &w->view,
		.owner_note = w->obs.owner_note,
		.window_left = w->next_window_ms > now ?
			(w->next_window_ms - now) / 1000.0 : 0,
		.width = watch_term_width(),
		.utf8 = w->term.utf8,
	};

	watch_frame_render(frame, sizeof(frame), &in);
	watch_term_show(&w->term, frame);
}

static void tick(struct watcher *w, uint64_t window_ms)
{
	struct ap_timeline_events ev;
	uint64_t now;

	ap_observer_poll(&w->obs, &ev);
	watch_view_count(&w->view, &w->obs.tl.snap);
	now = ap_now_mono_ms();
	if (now >= w->next_window_ms) {
		ap_observer_close_window(&w->obs, &ev);
		if (ev.window_closed)
			watch_view_push(&w->view, w->obs.tl.snap.last_window_peak);
		while (w->next_window_ms <= now)
			w->next_window_ms += window_ms;
	}
}

/* Returns false when a key or signal asks us to stop. */
static bool handle_key(void)
{
	char c;
	ssize_t n = read(STDIN_FILENO, &c, 1);

	if (n == 0)
		return false; /* the terminal went away */
	return !(n == 1 && (c == 'q' || c == 'Q'));
}

static int loop(struct watcher *w, const struct watch_options *o,
		const struct ap_signals *sig)
{
	struct pollfd fds[2];
	uint64_t expirations;
	int tfd = ap_interval_timer(o->obs.interval_ms, false);
	nfds_t n = 1;

	if (tfd < 0)
		return -1;
	fds[0] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	if (w->term.keys)
		fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	while (!ap_stop_signal) {
		if (ap_wait(sig, fds, n, -1) < 0) {
			if (errno != EINTR)
				break;
			/* A signal: the loop test stops, or SIGWINCH redraws
			 * at the new width. */
			if (ap_resize_signal) {
				ap_resize_signal = 0;
				show(w);
			}
			continue;
		}
		if (n > 1 && (fds[1].revents & (POLLIN | POLLHUP)) &&
		    !handle_key())
			break;
		if ((fds[0].revents & POLLIN) &&
		    read(tfd, &expirations, sizeof(expirations)) > 0)
			tick(w, o->obs.window_ms);
		/* Every wake-up redraws: a resize shows at once. */
		show(w);
	}
	close(tfd);
	return 0;
}

static int run(const struct watch_options *o)
{
	static struct watcher w; /* the frame history is large for a stack */
	struct ap_signals sig;
	struct ap_error err;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	if (ap_signals_catch(AP_SIGNALS_HANGUP_STOPS | AP_SIGNALS_RESIZE,
			     &sig) < 0) {
		ap_fail(&err, AP_ERR_SYSTEM, errno, "signals: %s", strerror(errno));
		return cli_report(&err);
	}
	if (ap_observer_open(&w.obs, &o->obs, &err) < 0)
		return cli_report(&err);
	w.next_window_ms = ap_now_mono_ms() + o->obs.window_ms;
	watch_term_open(&w.term, !o->once);
	tick(&w, o->obs.window_ms);
	if (o->once) {
		/* One interval of evidence, so the peak has something to
		 * show; a signal cuts it short. */
		ap_wait(&sig, NULL, 0, (int64_t)o->obs.interval_ms);
		tick(&w, o->obs.window_ms);
		show(&w);
	} else {
		show(&w);
		if (loop(&w, o, &sig) < 0) {
			ap_fail(&err, AP_ERR_SYSTEM, errno, "timer: %s",
				strerror(errno));
			rc = -1;
		}
	}
	watch_term_restore(&w.term);
	ap_observer_close(&w.obs);
	return rc < 0 ? cli_report(&err) : 0;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_options o = { 0 };
	int rc;

	cli_observer_defaults("watch", &o.obs);
	rc = parse_options(argc, argv, &o);

	return rc >= 0 ? rc : run(&o);
}
