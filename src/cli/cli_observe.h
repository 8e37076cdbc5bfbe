/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The options every observing command shares (watch, advise):
 * --backend, --interval, --window, --reset, --lock. */
#ifndef AUDITPEAK_CLI_OBSERVE_H
#define AUDITPEAK_CLI_OBSERVE_H

#include <getopt.h>

#include "observe/observer.h"

enum {
	CLI_O_BACKEND = 200,
	CLI_O_INTERVAL,
	CLI_O_WINDOW,
	CLI_O_RESET,
	CLI_O_LOCK,
};

#define CLI_OBSERVER_OPTIONS \
	{ "backend", required_argument, NULL, CLI_O_BACKEND }, \
	{ "interval", required_argument, NULL, CLI_O_INTERVAL }, \
	{ "window", required_argument, NULL, CLI_O_WINDOW }, \
	{ "reset", no_argument, NULL, CLI_O_RESET }, \
	{ "lock", required_argument, NULL, CLI_O_LOCK }

/*
 * Apply getopt's @c for @cmd: 0 when it was not one of ours, 1 when
 * applied, or -(exit code) after printing why it is wrong.
 */
int cli_observer_option(const char *cmd, int c, const char *arg,
			struct ap_observer_config *cfg);

/* After parsing: a window shorter than the interval is a usage error
 * (returns its exit code), else 0. */
int cli_observer_check(const char *cmd, const struct ap_observer_config *cfg);

#endif /* AUDITPEAK_CLI_OBSERVE_H */
