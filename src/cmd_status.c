// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auditpeak status: the kernel's audit status.
 *
 * Text output keeps `auditctl -s` lines and order so scripts written for it
 * keep working; backlog_max_depth comes last.  A field the kernel lacks is
 * printed as "unsupported" with the reason, never as 0.
 *
 * backlog_max_depth comes from the kernel field when present; otherwise
 * from a peak backend observing for --duration, and the lines after it
 * name the source (status_peak.h).  Ctrl-C (or SIGTERM) ends such an
 * observation early, and the report says how long it really observed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auditpeak/peak.h"
#include "auditpeak/control.h"
#include "cli/cli.h"
#include "cli/cli_observe.h"
#include "cli/status_peak.h"
#include "commands.h"
#include "observe/loop.h"

/* The lines auditctl -s prints, in its order, then ours. */
static const enum ap_field text_fields[] = {
	AP_FIELD_ENABLED,       AP_FIELD_FAILURE,
	AP_FIELD_PID,           AP_FIELD_RATE_LIMIT,
	AP_FIELD_BACKLOG_LIMIT, AP_FIELD_LOST,
	AP_FIELD_BACKLOG,       AP_FIELD_BACKLOG_WAIT_TIME,
	AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL,
};

#define N_TEXT_FIELDS (sizeof(text_fields) / sizeof(text_fields[0]))

static void print_text(const struct ap_status *st)
{
	for (size_t i = 0; i < N_TEXT_FIELDS; i++) {
		enum ap_field f = text_fields[i];
		char why[160];

		if (ap_status_has(st, f))
			printf("%s %u\n", ap_field_name(f), st->value[f]);
		else
			printf("%s unsupported (this kernel's %s; the field needs %s)\n",
			       ap_field_name(f),
			       ap_status_absence(st, f, why, sizeof(why)),
			       ap_field_origin(f));
	}
	/* the RFC's sums, only on a kernel that has them */
	if (st->has_backlog_sums)
		printf("backlog_records %" PRIu64 "\nbacklog_depth_sum %" PRIu64 "\n",
		       st->backlog_records, st->backlog_depth_sum);
}

static void print_json(const struct ap_status *st, const struct status_peak *peak)
{
	const char *sep = "";

	printf("{\"payload_bytes\":%zu,\"fields\":{", st->payload_len);
	for (int f = 0; f < AP_FIELD_COUNT; f++) {
		if (ap_status_has(st, f))
			printf("%s\"%s\":%u", sep, ap_field_name(f), st->value[f]);
		else
			printf("%s\"%s\":null", sep, ap_field_name(f));
		sep = ",";
	}
	printf("},\"supported\":{");
	sep = "";
	for (int f = 0; f < AP_FIELD_COUNT; f++) {
		printf("%s\"%s\":%s", sep, ap_field_name(f),
		       ap_status_has(st, f) ? "true" : "false");
		sep = ",";
	}
	printf("},\"unsupported_reason\":{");
	sep = "";
	for (int f = 0; f < AP_FIELD_COUNT; f++) {
		if (ap_status_has(st, f))
			continue;
		printf("%s\"%s\":\"needs %s\"", sep, ap_field_name(f),
		       ap_field_origin(f));
		sep = ",";
	}
	printf("}");
	if (st->has_backlog_sums)
		printf(",\"backlog_sums\":{\"records\":%" PRIu64 ",\"depth_sum\":%" PRIu64 "}",
		       st->backlog_records, st->backlog_depth_sum);
	else
		printf(",\"backlog_sums\":null");
	status_peak_print_json(peak);
	printf("}\n");
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: auditpeak status [--json] [--backend B] [--duration D]\n"
		"Print the kernel's audit status (AUDIT_GET, no side effect), one\n"
		"'name value' line per field in auditctl -s order, then backlog_max_depth\n"
		"and the line backlog_max_depth_source naming where it came from.\n"
		"  --json             one JSON object with every field, which ones this kernel\n"
		"                     has, the reply's payload length, and \"peak\"\n"
		"  --backend B        auto (default), kernel, bpf or sample: where\n"
		"                     backlog_max_depth comes from (auto: kernel > bpf > sample)\n"
		"  --duration D       without the kernel field, observe with the backend for D\n"
		"                     (e.g. 5s): bpf and sample only see what happens while\n"
		"                     they run, so there is no since-boot value; Ctrl-C ends\n"
		"                     it early and reports what was seen, and for how long\n"
		"  --sample-interval D  the sample backend's AUDIT_GET period (default 1ms)\n"
		"  --bpf-extras LIST  the bpf source keeps more, at a price on every audit\n"
		"                     record: mean (time-weighted mean depth), sizes (kernel\n"
		"                     memory per record), histogram (of the depth at each\n"
		"                     enqueue), a comma list, all, or none (default)\n");
	if (ap_peak_bpf_absent())
		fprintf(out, "Not in this build: the bpf source (%s).\n",
			ap_peak_bpf_absent());
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "backend", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "sample-interval", required_argument, NULL, 'i' },
		{ "bpf-extras", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum ap_peak_kind kind = AP_PEAK_AUTO;
	uint64_t duration_us = 0, interval_us = AP_PEAK_DEFAULT_SAMPLE_INTERVAL_US;
	struct ap_peak_config cfg;
	struct status_peak peak;
	struct ap_signals sig;
	struct ap_status st;
	struct ap_error err;
	struct ap_nl *nl;
	unsigned int extras = 0;
	bool json = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'b':
			if (ap_peak_kind_parse(optarg, &kind) < 0)
				return cli_usage_error("status", "unknown backend '%s': use auto, kernel, bpf or sample",
						       optarg);
			break;
		case 'd':
			if (cli_parse_duration_us("--duration", optarg, 1000,
						  24 * 3600e6, &duration_us, &err) < 0)
				return cli_report(&err);
			break;
		case 'i':
			if (cli_parse_duration_us("--sample-interval", optarg,
						  CLI_SAMPLE_INTERVAL_MIN_US,
						  CLI_SAMPLE_INTERVAL_MAX_US,
						  &interval_us, &err) < 0)
				return cli_report(&err);
			break;
		case 'x':
			if (cli_parse_bpf_extras("status", optarg, &extras) < 0)
				return AP_ERR_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("status", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("status", "unexpected argument '%s'",
				       argv[optind]);
	if ((kind == AP_PEAK_BPF || kind == AP_PEAK_SAMPLE) && duration_us == 0)
		return cli_usage_error("status", "--backend %s needs --duration: it only sees what happens while it observes",
				       ap_peak_kind_name(kind));
	/* Only an observation waits long enough to be worth interrupting. */
	if (duration_us && ap_signals_catch(AP_SIGNALS_STOP, &sig) < 0) {
		ap_fail(&err, AP_ERR_SYSTEM, errno, "signals: %s", strerror(errno));
		return cli_report(&err);
	}
	if (cli_open(&nl, &err) < 0)
		return cli_report(&err);
	ap_peak_config_defaults(&cfg);
	cfg.timeout_ms = cli_opts.timeout_ms;
	cfg.sample_interval_us = (int)interval_us;
	cfg.bpf_extras = extras;
	rc = ap_get_status(nl, &st, &err);
	if (rc == 0)
		rc = status_peak_get(kind, duration_us, &cfg, nl, &st,
				     duration_us ? &sig : NULL, &peak, &err);
	ap_nl_close(nl);
	if (rc < 0)
		return cli_report(&err);
	if (json) {
		print_json(&st, &peak);
	} else {
		print_text(&st);
		status_peak_print_text(&peak, &st);
	}
	return 0;
}
