// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli.h"
#include "cli_observe.h"

int cli_observer_option(const char *cmd, int c, const char *arg,
			struct ap_observer_config *cfg)
{
	struct ap_error err;

	switch (c) {
	case CLI_O_BACKEND:
		if (cli_parse_backend(cmd, arg, &cfg->backend) < 0)
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
	case CLI_O_RESET:
		cfg->reset = true;
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
