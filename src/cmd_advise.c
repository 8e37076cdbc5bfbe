// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auditpeak advise: recommend a backlog_limit from evidence, either a
 * --duration observation through the peak timeline, the state file
 * `serve` keeps, or (--prometheus, fleet/) every host a Prometheus
 * scrapes.  The arithmetic is observe/advice.c; printing is
 * cli/advise_report.c; this file gathers the evidence.  SIGINT/SIGTERM
 * end an observation early: the advice rests on what was seen.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditpeak/control.h"
#include "cli/advise_report.h"
#include "cli/cli.h"
#include "cli/cli_observe.h"
#include "cli/progress.h"
#include "commands.h"
#include "fleet/fleet_run.h"
#include "observe/kernel_hz.h"
#include "observe/loop.h"
#include "observe/observer.h"
#include "observe/state_file.h"

#define DEFAULT_DURATION_MS (10 * 60 * 1000ULL)
#define MAX_DURATION_MS (7 * 24 * 3600 * 1000ULL)

/* Fleet-mode option codes, beside parse_options()'s own. */
enum {
	O_FLEET_PROMETHEUS = 512, O_FLEET_SELECTOR, O_FLEET_RANGE, O_FLEET_AT,
	O_FLEET_FORMAT, O_FLEET_BASIC_AUTH, O_FLEET_BEARER, O_FLEET_CA_FILE,
	O_FLEET_HTTP_TIMEOUT,
};

struct advise_options {
	struct ap_observer_config obs;
	uint64_t duration_ms;
	bool window_given;
	const char *state_path; /* NULL: observe */
	uint32_t headroom_percent;
	uint32_t record_bytes;
	bool record_bytes_given;
	bool json;
	bool observer_given;     /* an observing option: not with --prometheus */
	bool fleet_given;        /* a fleet option: needs --prometheus */
	struct fleet_run_options fleet; /* fleet.http.url set: fleet mode */
};

static void usage(FILE *out)
{
	char duration[32], serve_window[32];

	cli_format_duration_us(DEFAULT_DURATION_MS * 1000, duration,
			       sizeof(duration));
	cli_format_duration_us(cli_observer_default_window_ms("serve") * 1000,
			       serve_window, sizeof(serve_window));
	fprintf(out,
		"Usage: auditpeak advise [OPTIONS]\n"
		"Recommend a backlog_limit (auditctl -b) from observed window peaks.\n\n"
		"  --duration D         observe for D (default %s; on a terminal a line shows the\n"
		"                       progress; Ctrl-C advises on what was seen)\n"
		"  --state FILE         use the state file of 'auditpeak serve' instead of observing\n"
		"                       (--window then is serve's, default %s, to tell how long\n"
		"                       the evidence spans)\n",
		duration, serve_window);
	cli_observer_usage(out, "advise");
	fprintf(out,
		"  --headroom PCT       recommend PCT %% of the max window peak (default %d)\n"
		"  --record-bytes N     kernel memory per queued record (default: measured by the\n"
		"                       bpf probe where it sees the records, else %d, an estimate)\n"
		"  --json               print JSON\n"
		"\nA fleet, from the Prometheus that scrapes 'auditpeak serve':\n"
		"  --prometheus URL     size every host the selector matches, e.g. http://prom:9090\n"
		"  --selector SEL       series selector (default %s)\n"
		"  --range D            evidence span, ending now (default 7d)\n"
		"  --at T               end the range at unix time T instead of now\n"
		"  --format F           table, json or csv (default table)\n"
		"  --basic-auth-file F  user:password for the server, on one line\n"
		"  --bearer-token-file F  a bearer token for the server, on one line\n"
		"  --ca-file F          CA certificates (PEM) to verify an https server\n"
		"  --http-timeout D     per query (default 30s)\n"
		"See auditpeak-advise(8).\n",
		AP_ADVICE_DEFAULT_HEADROOM_PERCENT,
		AP_ADVICE_RECORD_BYTES_ESTIMATE, FLEET_DEFAULT_SELECTOR);
}

/* The options of fleet mode: -1 not one of them, 0 taken, else the exit
 * code of a bad value. */
static int fleet_option(int c, const char *arg, struct advise_options *o)
{
	struct fleet_run_options *f = &o->fleet;
	struct ap_error err;
	uint64_t ms;
	char *end;

	switch (c) {
	case O_FLEET_PROMETHEUS:
		if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0)
			return cli_usage_error("advise", "--prometheus must be an http:// or https:// URL, not '%s'", arg);
		f->http.url = arg;
		return 0;
	case O_FLEET_SELECTOR:
		f->query.selector = arg;
		break;
	case O_FLEET_RANGE:
		if (cli_parse_duration_ms("--range", arg, 60 * 1000ULL,
					 400 * 86400 * 1000ULL, &ms, &err) < 0)
			return cli_report(&err);
		f->query.range_s = (ms + 999) / 1000;
		break;
	case O_FLEET_AT:
		errno = 0;
		f->query.at = strtod(arg, &end);
		if (errno || end == arg || *end || !(f->query.at > 0) ||
		    f->query.at > 1e11)
			return cli_usage_error("advise", "--at must be a unix time in seconds, not '%s'", arg);
		break;
	case O_FLEET_FORMAT:
		if (strcmp(arg, "table") == 0)
			f->format = FLEET_TABLE;
		else if (strcmp(arg, "json") == 0)
			f->format = FLEET_JSON;
		else if (strcmp(arg, "csv") == 0)
			f->format = FLEET_CSV;
		else
			return cli_usage_error("advise", "--format must be table, json or csv, not '%s'", arg);
		break;
	case O_FLEET_BASIC_AUTH:
		f->http.basic_auth_file = arg;
		break;
	case O_FLEET_BEARER:
		f->http.bearer_token_file = arg;
		break;
	case O_FLEET_CA_FILE:
		f->http.ca_file = arg;
		break;
	case O_FLEET_HTTP_TIMEOUT:
		if (cli_parse_duration_ms("--http-timeout", arg, 100, 600 * 1000ULL,
					 &f->http.timeout_ms, &err) < 0)
			return cli_report(&err);
		break;
	default:
		return -1;
	}
	o->fleet_given = true;
	return 0;
}

static int parse_options(int argc, char **argv, struct advise_options *o)
{
	enum { O_DURATION = 256, O_STATE, O_HEADROOM, O_RECORD_BYTES, O_JSON };
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, O_DURATION },
		{ "state", required_argument, NULL, O_STATE },
		CLI_OBSERVER_OPTIONS,
		{ "headroom", required_argument, NULL, O_HEADROOM },
		{ "record-bytes", required_argument, NULL, O_RECORD_BYTES },
		{ "json", no_argument, NULL, O_JSON },
		{ "prometheus", required_argument, NULL, O_FLEET_PROMETHEUS },
		{ "selector", required_argument, NULL, O_FLEET_SELECTOR },
		{ "range", required_argument, NULL, O_FLEET_RANGE },
		{ "at", required_argument, NULL, O_FLEET_AT },
		{ "format", required_argument, NULL, O_FLEET_FORMAT },
		{ "basic-auth-file", required_argument, NULL, O_FLEET_BASIC_AUTH },
		{ "bearer-token-file", required_argument, NULL, O_FLEET_BEARER },
		{ "ca-file", required_argument, NULL, O_FLEET_CA_FILE },
		{ "http-timeout", required_argument, NULL, O_FLEET_HTTP_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool duration_given = false;
	struct ap_error err;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		r = cli_observer_option("advise", c, optarg, &o->obs);
		if (r < 0)
			return -r;
		if (r > 0) {
			o->window_given |= c == CLI_O_WINDOW;
			o->observer_given |= c != CLI_O_WINDOW;
			continue;
		}
		r = fleet_option(c, optarg, o);
		if (r >= 0) {
			if (r > 0)
				return r;
			continue;
		}
		switch (c) {
		case O_DURATION:
			if (cli_parse_duration_ms("--duration", optarg, AP_MIN_WINDOW_MS,
						 MAX_DURATION_MS, &o->duration_ms,
						 &err) < 0)
				return cli_report(&err);
			duration_given = true;
			break;
		case O_STATE:
			o->state_path = optarg;
			break;
		case O_HEADROOM:
			if (cli_parse_u32("--headroom", optarg, 100, 10000,
					  &o->headroom_percent, &err) < 0)
				return cli_report(&err);
			break;
		case O_RECORD_BYTES:
			if (cli_parse_u32("--record-bytes", optarg, 64, 1 << 20,
					  &o->record_bytes, &err) < 0)
				return cli_report(&err);
			o->record_bytes_given = true;
			break;
		case O_JSON:
			o->json = true;
			o->fleet.format = FLEET_JSON;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("advise", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("advise", "unexpected argument '%s'",
				       argv[optind]);
	if (o->state_path && duration_given)
		return cli_usage_error("advise", "--state and --duration are two sources of evidence: give one");
	if (o->fleet.http.url && (o->state_path || duration_given ||
				  o->observer_given || o->window_given))
		return cli_usage_error("advise", "--prometheus reads the evidence of every host from Prometheus: --state, --duration and the observing options do not apply");
	if (!o->fleet.http.url && o->fleet_given)
		return cli_usage_error("advise", "--selector, --range, --at, --format and the HTTP options need --prometheus URL");
	if (cli_observer_check("advise", &o->obs))
		return AP_ERR_USAGE;
	return -1; /* go on */
}

/* The kernel's lost / wait counters since our first poll (the timeline
 * counts the first reading as all increase: everything since boot). */
struct baseline {
	bool set;
	uint64_t lost, wait;
};

static void note_baseline(struct baseline *b, const struct ap_timeline *tl)
{
	if (b->set || !tl->snap.up)
		return;
	b->lost = tl->snap.lost_total;
	b->wait = tl->snap.wait_actual_total_jiffies;
	b->set = true;
}

/* Elapsed and remaining time, windows closed, the deepest peak so far. */
static void show_progress(struct cli_progress *p, const struct ap_observer *obs,
			  uint64_t elapsed_ms, uint64_t duration_ms)
{
	const struct ap_exporter_snapshot *snap = &obs->tl.snap;
	char elapsed[32], left[32], peak[64];

	if (!p->on)
		return;
	cli_format_elapsed(elapsed_ms / 1000.0, elapsed, sizeof(elapsed));
	cli_format_elapsed((duration_ms - elapsed_ms) / 1000.0, left,
			   sizeof(left));
	if (snap->have_max_since_start)
		snprintf(peak, sizeof(peak), "deepest peak %u%s",
			 snap->max_since_start,
			 ap_peak_is_exact(&obs->peak) ? "" : " (lower bound)");
	else
		snprintf(peak, sizeof(peak), "no peak yet");
	cli_progress_show(p, "auditpeak advise: %s elapsed, %s left, %llu windows closed, %s",
			  elapsed, left, (unsigned long long)snap->windows, peak);
}

/* One line on stderr for a failed poll or window end; advise goes on. */
static void say_failure(struct cli_progress *p,
			const struct ap_timeline_events *ev, const char *what)
{
	if (!ev->failed)
		return;
	cli_progress_clear(p);
	fprintf(stderr, "auditpeak advise: %s failed: %s\n", what, ev->error.msg);
}

/* Poll and close windows until the duration ends (or a signal). */
static void observe(struct ap_observer *obs, const struct advise_options *o,
		    const struct ap_signals *sig, struct baseline *b,
		    double *elapsed)
{
	struct ap_timeline_events ev;
	struct cli_progress progress;
	uint64_t start = ap_now_mono_ms(), end = start + o->duration_ms;
	uint64_t next_poll = start, next_window = start + o->obs.window_ms;
	uint64_t now;

	cli_progress_open(&progress, stderr);
	while (!ap_stop_signal && (now = ap_now_mono_ms()) < end) {
		if (now < next_poll) {
			ap_wait(sig, NULL, 0, (int64_t)(next_poll - now));
			continue;
		}
		ap_observer_poll(obs, &ev);
		say_failure(&progress, &ev, "poll");
		note_baseline(b, &obs->tl);
		while (next_poll <= now)
			next_poll += o->obs.interval_ms;
		if (now >= next_window) {
			ap_observer_close_window(obs, &ev);
			say_failure(&progress, &ev, "window end");
			while (next_window <= now)
				next_window += o->obs.window_ms;
		}
		show_progress(&progress, obs, now - start, o->duration_ms);
	}
	cli_progress_clear(&progress);
	/* The last, partial window: its tail is evidence too. */
	ap_observer_poll(obs, &ev);
	say_failure(&progress, &ev, "poll");
	note_baseline(b, &obs->tl);
	ap_observer_close_window(obs, &ev);
	say_failure(&progress, &ev, "window end");
	*elapsed = (ap_now_mono_ms() - start) / 1000.0;
}

static void fill_input(struct ap_advice_input *in, const struct ap_timeline *tl,
		       const struct advise_options *o)
{
	memset(in, 0, sizeof(*in));
	in->window_peaks = tl->snap.window_peaks;
	in->have_max = tl->snap.have_max_since_start;
	in->max_peak = tl->snap.max_since_start;
	in->headroom_percent = o->headroom_percent;
	in->bytes_per_record = o->record_bytes;
}

/*
 * Where the probe saw the records' skbs, the memory a queued record holds
 * is measured (mean truesize) instead of estimated; --record-bytes wins.
 */
static void measure_record_bytes(struct ap_observer *obs,
				 const struct advise_options *o,
				 struct ap_advice_input *in,
				 struct advise_evidence *e)
{
	struct ap_depth_distribution d;
	struct ap_error err;

	if (o->record_bytes_given || !obs->peak.ops ||
	    ap_peak_distribution(&obs->peak, &d, &err) < 0 || !d.records_sized)
		return;
	in->bytes_per_record = (uint32_t)((d.record_bytes + d.records_sized - 1) /
					  d.records_sized);
	e->records_sized = d.records_sized;
}

static int report(const struct advise_options *o, struct advise_evidence *e,
		  struct ap_advice_input *in)
{
	struct ap_advice a;

	ap_advice_compute(in, &a);
	e->in = in;
	e->advice = &a;
	e->record_bytes_given = o->record_bytes_given;
	if (o->json)
		advise_print_json(stdout, e);
	else
		advise_print_text(stdout, e);
	return a.have_recommendation ? 0 : AP_ERR_UNSUPPORTED;
}

static int advise_observed(const struct advise_options *o)
{
	struct ap_advice_input in;
	struct advise_evidence e = { .origin = "observed" };
	struct ap_observer obs;
	struct baseline b = { 0 };
	struct ap_signals sig;
	struct ap_error err;
	char duration[32];
	double elapsed;
	int rc;

	if (ap_signals_catch(AP_SIGNALS_STOP, &sig) < 0) {
		ap_fail(&err, AP_ERR_SYSTEM, errno, "signals: %s", strerror(errno));
		return cli_report(&err);
	}
	if (ap_observer_open(&obs, &o->obs, &err) < 0)
		return cli_report(&err);
	cli_format_duration_us(o->duration_ms * 1000, duration, sizeof(duration));
	fprintf(stderr, "auditpeak advise: %s\nauditpeak advise: %s\nauditpeak advise: observing for %s\n",
		obs.source_note, obs.owner_note, duration);
	observe(&obs, o, &sig, &b, &elapsed);
	fill_input(&in, &obs.tl, o);
	measure_record_bytes(&obs, o, &in, &e);
	in.duration_seconds = elapsed;
	in.lost = obs.tl.snap.lost_total - b.lost;
	if (obs.tl.snap.up)
		in.current_limit = obs.tl.snap.status.value[AP_FIELD_BACKLOG_LIMIT];
	e.source = obs.peak.ops ? ap_peak_source(&obs.peak) : NULL;
	e.exact = ap_peak_is_exact(&obs.peak);
	e.owner = obs.tl.snap.owner;
	e.window_seconds = o->obs.window_ms / 1000.0;
	e.wait_jiffies = obs.tl.snap.wait_actual_total_jiffies - b.wait;
	e.kernel_hz = obs.tl.snap.kernel_hz;
	rc = report(o, &e, &in);
	ap_observer_close(&obs);
	return rc;
}

/* The limit now, for the "reached the limit" check; 0 when unreadable
 * (reading a state file needs no audit privileges). */
static uint32_t current_limit(void)
{
	struct ap_status st;
	struct ap_error err;
	struct ap_nl *nl;
	uint32_t limit = 0;

	if (cli_open(&nl, &err) < 0)
		return 0;
	if (ap_get_status(nl, &st, &err) == 0)
		limit = st.value[AP_FIELD_BACKLOG_LIMIT];
	ap_nl_close(nl);
	return limit;
}

static int advise_from_state(const struct advise_options *o)
{
	struct ap_exporter_snapshot none = { 0 };
	struct ap_advice_input in;
	struct advise_evidence e = { .owner = true };
	struct ap_state_load_report rep;
	struct ap_timeline tl;
	struct ap_error err;
	char boot[AP_BOOT_ID_MAX], origin[4200], hz_from[320], skipped[1024];
	double window_s;
	int rc;

	ap_timeline_init(&tl, &none);
	ap_boot_id(boot);
	rc = ap_state_load(o->state_path, &tl, boot, &rep, &err);
	if (rc < 0)
		return cli_report(&err);
	if (rc == 1) {
		ap_fail(&err, AP_ERR_USAGE, 0, "no state file %s", o->state_path);
		return cli_report(&err);
	}
	ap_state_load_describe(o->state_path, &rep, skipped, sizeof(skipped));
	if (skipped[0])
		fprintf(stderr, "auditpeak advise: %s\n", skipped);
	snprintf(origin, sizeof(origin), "state file %s", o->state_path);
	e.origin = origin;
	/* The source and window of the serve that wrote it (older files
	 * record neither: then the source is unknown and --window says). */
	e.source = rep.source[0] ? rep.source : NULL;
	e.exact = rep.exact;
	window_s = o->window_given ? o->obs.window_ms / 1000.0 :
		   rep.window_seconds > 0 ? rep.window_seconds :
		   cli_observer_default_window_ms("serve") / 1000.0;
	fill_input(&in, &tl, o);
	/* Windows are whole periods of serve's --window. */
	in.duration_seconds = (double)tl.snap.windows * window_s;
	in.lost = tl.snap.lost_total;
	in.current_limit = current_limit();
	e.window_seconds = window_s;
	e.wait_jiffies = tl.snap.wait_actual_total_jiffies;
	e.kernel_hz = ap_kernel_hz(hz_from, sizeof(hz_from));
	return report(o, &e, &in);
}

int cmd_advise(int argc, char **argv)
{
	struct advise_options o = {
		.duration_ms = DEFAULT_DURATION_MS,
		.headroom_percent = AP_ADVICE_DEFAULT_HEADROOM_PERCENT,
		.record_bytes = AP_ADVICE_RECORD_BYTES_ESTIMATE,
	};
	int rc;

	cli_observer_defaults("advise", &o.obs);
	o.fleet.query.selector = FLEET_DEFAULT_SELECTOR;
	o.fleet.query.range_s = FLEET_DEFAULT_RANGE_S;
	o.fleet.http.timeout_ms = FLEET_DEFAULT_TIMEOUT_MS;
	rc = parse_options(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (o.fleet.http.url) {
		o.fleet.advice.headroom_percent = o.headroom_percent;
		o.fleet.advice.record_bytes = o.record_bytes;
		o.fleet.advice.record_bytes_given = o.record_bytes_given;
		return fleet_run(&o.fleet);
	}
	return o.state_path ? advise_from_state(&o) : advise_observed(&o);
}
