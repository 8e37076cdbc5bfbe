// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auditpeak load: bursts of audit records, to see the queue fill.
 *
 * Every setting it changes is put back on the way out, also after SIGINT
 * or SIGTERM (they only raise a flag, observe/loop.h; the cleanup runs on
 * the main path).  The signals stay unblocked: a blocked netlink wait or
 * burst returns EINTR and sees the flag.
 * The marker rule and the stalled daemon are removed the same way.  A
 * SIGKILL cannot be cleaned up after: the rule then stays (key
 * auditpeak-load, `auditctl -D -k auditpeak-load` removes it); the daemon
 * registration ends with the process.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditpeak/burst.h"
#include "auditpeak/clock.h"
#include "auditpeak/control.h"
#include "auditpeak/rule.h"
#include "auditpeak/stall.h"
#include "cli/cli.h"
#include "commands.h"
#include "observe/loop.h"

struct load_options {
	enum ap_burst_mode mode;
	uint32_t threads;
	uint32_t burst;
	uint64_t period_us;
	uint64_t duration_us;
	uint32_t backlog_limit; /* 0: leave as it is */
	bool stall;
	bool force;
};

/* What load changed, so the cleanup undoes exactly that. */
struct load_state {
	struct ap_nl *nl;
	struct ap_settings saved;
	bool settings_changed;
	struct ap_marker_rule rule;
	struct ap_stall *stall;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: auditpeak load [options]\n"
		"Send bursts of audit records to see the audit queue fill, then put every\n"
		"setting back.  Refuses to run while a real audit daemon is registered.\n"
		"  --mode user|syscall   AUDIT_USER messages (default), or audited calls of\n"
		"                        getppid under a temporary rule (key auditpeak-load)\n"
		"  --threads N           senders working at once (default 2)\n"
		"  --burst N             records (user) or calls (syscall) per burst (default 1000)\n"
		"  --period D            one burst every D (default 1s)\n"
		"  --duration D          stop after D (default 10s)\n"
		"  --stall               register a stalled audit daemon so each burst stays\n"
		"                        queued (about 0.5 s per burst, bursts up to a few\n"
		"                        thousand records)\n"
		"  --backlog-limit N     set backlog_limit for the run (restored after)\n"
		"  --force               run even though an audit daemon is registered\n");
}

static int parse_options(int argc, char **argv, struct load_options *o,
			 struct ap_error *err)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 't' },
		{ "burst", required_argument, NULL, 'b' },
		{ "period", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "stall", no_argument, NULL, 's' },
		{ "backlog-limit", required_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*o = (struct load_options){
		.mode = AP_BURST_USER, .threads = 2, .burst = 1000,
		.period_us = 1000000, .duration_us = 10000000,
	};
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int rc = 0;

		switch (c) {
		case 'm':
			if (ap_burst_mode_parse(optarg, &o->mode) < 0)
				return ap_fail(err, AP_ERR_USAGE, EINVAL,
					       "--mode must be user or syscall, not '%s'",
					       optarg);
			break;
		case 't':
			rc = cli_parse_u32("--threads", optarg, 1, 256, &o->threads, err);
			break;
		case 'b':
			rc = cli_parse_u32("--burst", optarg, 1, 10000000, &o->burst, err);
			break;
		case 'p':
			rc = cli_parse_duration_us("--period", optarg, 1000, 3600e6,
						   &o->period_us, err);
			break;
		case 'd':
			rc = cli_parse_duration_us("--duration", optarg, 1000,
						   24 * 3600e6, &o->duration_us, err);
			break;
		case 's':
			o->stall = true;
			break;
		case 'l':
			rc = cli_parse_u32("--backlog-limit", optarg, 1, UINT32_MAX,
					   &o->backlog_limit, err);
			break;
		case 'f':
			o->force = true;
			break;
		case 'h':
			return 1;
		default:
			return ap_fail(err, AP_ERR_USAGE, EINVAL, "unknown option");
		}
		if (rc < 0)
			return -1;
	}
	if (optind != argc)
		return ap_fail(err, AP_ERR_USAGE, EINVAL, "unexpected argument '%s'",
			       argv[optind]);
	return 0;
}

/* Audit on, no rate limit, the requested backlog limit. */
static int prepare(struct load_state *s, const struct load_options *o,
		   struct ap_error *err)
{
	struct ap_status st;

	if (ap_get_status(s->nl, &st, err) < 0)
		return -1;
	if (st.value[AP_FIELD_PID] != 0 && !o->force)
		return ap_fail(err, AP_ERR_BUSY, EEXIST,
			       "an audit daemon (pid %u) is registered: load would flood it; use --force to run anyway",
			       st.value[AP_FIELD_PID]);
	if (st.value[AP_FIELD_ENABLED] == 2)
		return ap_fail(err, AP_ERR_KERNEL, EPERM,
			       "audit configuration is locked (enabled 2): cannot set up the load");
	ap_settings_from_status(&st, &s->saved);
	s->settings_changed = true;
	if ((st.value[AP_FIELD_ENABLED] != 1 &&
	     ap_set_field(s->nl, AP_FIELD_ENABLED, 1, err) < 0) ||
	    (st.value[AP_FIELD_RATE_LIMIT] != 0 &&
	     ap_set_field(s->nl, AP_FIELD_RATE_LIMIT, 0, err) < 0) ||
	    (o->backlog_limit &&
	     ap_set_field(s->nl, AP_FIELD_BACKLOG_LIMIT, o->backlog_limit, err) < 0))
		return -1;
	if (o->mode == AP_BURST_SYSCALL &&
	    ap_marker_rule_add(s->nl, &s->rule, (uint32_t)getpid(), err) < 0)
		return -1;
	if (o->stall && ap_stall_start(&s->stall, s->nl, err) < 0)
		return -1;
	return 0;
}

/* Undo everything prepare() did; report the first failure. */
static int cleanup(struct load_state *s, struct ap_error *err)
{
	struct ap_error e;
	int rc = 0;

	/* A second Ctrl-C must not cut the cleanup short. */
	ap_nl_set_cancel_flag(s->nl, NULL);
	if (ap_stall_stop(s->stall, &e) < 0 && !rc++)
		*err = e;
	if (ap_marker_rule_delete(s->nl, &s->rule, &e) < 0 && !rc++)
		*err = e;
	if (s->settings_changed && ap_settings_restore(s->nl, &s->saved, &e) < 0 &&
	    !rc++)
		*err = e;
	return rc ? -1 : 0;
}

static double now_s(void)
{
	return (double)ap_now_mono_ns() / 1e9;
}

static void sleep_until(double t)
{
	while (!ap_stop_signal) {
		double left = t - now_s();
		struct timespec ts;

		if (left <= 0)
			return;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL); /* EINTR: the loop looks at the flag */
	}
}

struct load_result {
	uint64_t sent;
	uint64_t bursts;
	double seconds;
	double sending_seconds; /* inside bursts only */
};

static int run_bursts(struct load_state *s, const struct load_options *o,
		      struct load_result *r, struct ap_error *err)
{
	struct ap_burst b = {
		.mode = o->mode, .threads = o->threads, .count = o->burst,
		.stop = &ap_stop_signal,
	};
	double start = now_s();
	double end = start + (double)o->duration_us / 1e6;
	double next = start;

	while (!ap_stop_signal && now_s() < end) {
		uint64_t sent;
		double t0;
		int rc;

		if (s->stall && ap_stall_arm(s->stall, err) < 0)
			return -1;
		t0 = now_s();
		rc = ap_burst_send(&b, &sent, err);
		r->sending_seconds += now_s() - t0;
		r->sent += sent;
		r->bursts++;
		if (rc < 0)
			return -1;
		next += (double)o->period_us / 1e6;
		sleep_until(next < end ? next : end);
	}
	r->seconds = now_s() - start;
	return 0;
}

static void print_result(const struct load_options *o, const struct load_result *r)
{
	const char *unit = o->mode == AP_BURST_USER ? "AUDIT_USER records" :
						      "audited getppid calls";

	printf("load: %s%" PRIu64 " %s in %" PRIu64 " bursts of up to %u from %u threads over %.2f s\n",
	       ap_stop_signal ? "interrupted after " : "", r->sent, unit,
	       r->bursts, o->burst, o->threads, r->seconds);
	printf("load: %.0f per second overall, %.0f per second within bursts%s\n",
	       r->seconds > 0 ? (double)r->sent / r->seconds : 0.0,
	       r->sending_seconds > 0 ? (double)r->sent / r->sending_seconds : 0.0,
	       o->stall ? "; a stalled daemon held each burst in the queue" : "");
}

int cmd_load(int argc, char **argv)
{
	struct load_options o;
	struct load_result r = { 0 };
	struct load_state s = { 0 };
	struct ap_error err, cerr;
	int rc;

	rc = parse_options(argc, argv, &o, &err);
	if (rc > 0) {
		usage(stdout);
		return 0;
	}
	if (rc < 0)
		return cli_usage_error("load", "%s", err.msg);
	if (ap_signals_catch(AP_SIGNALS_STOP, NULL) < 0) {
		ap_fail(&err, AP_ERR_SYSTEM, errno, "signals: %s", strerror(errno));
		return cli_report(&err);
	}
	if (cli_open(&s.nl, &err) < 0)
		return cli_report(&err);
	ap_nl_set_cancel_flag(s.nl, &ap_stop_signal);
	rc = prepare(&s, &o, &err);
	if (rc == 0)
		rc = run_bursts(&s, &o, &r, &err);
	if (cleanup(&s, &cerr) < 0) {
		fprintf(stderr, "auditpeak load: cleanup failed: %s\n", cerr.msg);
		if (rc == 0) {
			err = cerr;
			rc = -1;
		}
	}
	ap_nl_close(s.nl);
	if (r.bursts || ap_stop_signal)
		print_result(&o, &r);
	if (rc < 0 && !(ap_stop_signal && err.code == AP_ERR_INTERRUPTED))
		return cli_report(&err);
	printf("load: settings restored%s\n",
	       o.mode == AP_BURST_SYSCALL ? ", marker rule removed" : "");
	return ap_stop_signal ? AP_ERR_INTERRUPTED : 0;
}
