// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "cli.h"
#include "cli_observe.h"

/* Every observing command's defaults: the one place they are written. */
static const struct observing_command {
	const char *name;
	uint64_t interval_ms;
	uint64_t window_ms;
	bool reset; /* owns the window resets unless told --no-reset */
	unsigned int bpf_extras;
} commands[] = {
	/* A poll a second follows the queue; a minute a window is what
	 * Prometheus rules and alerts look back over.  serve is the one
	 * instance meant to own the resets.  It runs for months: the probe
	 * keeps only what exactness needs. */
	{ "serve", 1000, 60 * 1000, true, 0 },
	/* Ten-second windows fill watch's sparkline while someone looks at
	 * it, and give advise a distribution from minutes of evidence.
	 * advise prices a limit in kernel memory, so for the minutes it
	 * runs the probe sizes the records it sees. */
	{ "watch", 1000, 10 * 1000, false, 0 },
	{ "advise", 1000, 10 * 1000, false, AP_BPF_EXTRA_SIZES },
};

static const struct observing_command *find(const char *cmd)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, cmd) == 0)
			return &commands[i];
	return &commands[0]; /* unreachable: callers name themselves */
}

void cli_observer_defaults(const char *cmd, struct ap_observer_config *cfg)
{
	const struct observing_command *c = find(cmd);

	*cfg = (struct ap_observer_config){
		.backend = AP_PEAK_AUTO,
		.timeout_ms = cli_opts.timeout_ms,
		.interval_ms = c->interval_ms,
		.window_ms = c->window_ms,
		.reset = c->reset,
		.bpf_extras = c->bpf_extras,
		.lock_path = AP_OWNER_LOCK_DEFAULT,
	};
}

uint64_t cli_observer_default_window_ms(const char *cmd)
{
	return find(cmd)->window_ms;
}

void cli_observer_usage(FILE *out, const char *cmd)
{
	const struct observing_command *c = find(cmd);
	char known[64], interval[32], window[32], sample[32];

	cli_known_backends(known, sizeof(known));
	cli_format_duration_us(c->interval_ms * 1000, interval, sizeof(interval));
	cli_format_duration_us(c->window_ms * 1000, window, sizeof(window));
	cli_format_duration_us(AP_PEAK_DEFAULT_SAMPLE_INTERVAL_US, sample,
			       sizeof(sample));
	fprintf(out,
		"  --backend KIND       peak source (default auto); this build has: %s\n"
		"  --bpf-extras LIST    the bpf source keeps more, at a price on every audit\n"
		"                       record: mean (time-weighted mean depth), sizes (kernel\n"
		"                       memory per record), histogram (of the depth at each\n"
		"                       enqueue), a comma list, all, or none (default %s)\n"
		"  --interval D         poll period (default %s; e.g. 500ms, 2s)\n"
		"  --window D           window length, one peak each (default %s)\n"
		"  --sample-interval D  the sample source's AUDIT_GET period (default %s)\n",
		known, ap_bpf_extras_name(c->bpf_extras), interval, window, sample);
	if (c->reset)
		fprintf(out,
			"  --no-reset           never reset anything (read-only)\n");
	else
		fprintf(out,
			"  --reset              kernel source: own the resets (owner lock), one audit\n"
			"                       record per window; without it the kernel field is only read\n");
	fprintf(out, "  --lock FILE          owner lock (default %s)\n",
		AP_OWNER_LOCK_DEFAULT);
}

int cli_observer_option(const char *cmd, int c, const char *arg,
			struct ap_observer_config *cfg)
{
	struct ap_error err;
	uint64_t us;

	switch (c) {
	case CLI_O_BACKEND:
		if (cli_parse_backend(cmd, arg, &cfg->backend) < 0)
			return -AP_ERR_USAGE;
		return 1;
	case CLI_O_BPF_EXTRAS:
		if (cli_parse_bpf_extras(cmd, arg, &cfg->bpf_extras) < 0)
			return -AP_ERR_USAGE;
		return 1;
	case CLI_O_INTERVAL:
		if (cli_parse_duration_ms("--interval", arg, AP_MIN_INTERVAL_MS,
					 AP_MAX_INTERVAL_MS, &cfg->interval_ms,
					 &err) < 0)
			return -cli_report(&err);
		return 1;
	case CLI_O_WINDOW:
		if (cli_parse_duration_ms("--window", arg, AP_MIN_WINDOW_MS,
					 AP_MAX_WINDOW_MS, &cfg->window_ms,
					 &err) < 0)
			return -cli_report(&err);
		return 1;
	case CLI_O_SAMPLE_INTERVAL:
		if (cli_parse_duration_us("--sample-interval", arg,
					  CLI_SAMPLE_INTERVAL_MIN_US,
					  CLI_SAMPLE_INTERVAL_MAX_US, &us, &err) < 0)
			return -cli_report(&err);
		cfg->sample_interval_us = (int)us;
		return 1;
	case CLI_O_RESET:
		cfg->reset = true;
		return 1;
	case CLI_O_NO_RESET:
		cfg->reset = false;
		return 1;
	case CLI_O_LOCK:
		cfg->lock_path = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_observer_check(const char *cmd, const struct ap_observer_config *cfg)
{
	if (cfg->window_ms < cfg->interval_ms)
		return cli_usage_error(cmd, "--window (%llums) must not be shorter than --interval (%llums)",
				       (unsigned long long)cfg->window_ms,
				       (unsigned long long)cfg->interval_ms);
	return 0;
}
