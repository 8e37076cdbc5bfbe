/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options every observing command shares (serve, watch, advise), their
 * defaults in one table (cli_observe.c), their parsing and their help:
 * --backend, --bpf-extras, --interval, --window, --sample-interval,
 * --reset/--no-reset, --lock.
 */
#ifndef AUDITPEAK_CLI_OBSERVE_H
#define AUDITPEAK_CLI_OBSERVE_H

#include <getopt.h>
#include <stdio.h>

#include "observe/observer.h"

enum {
	CLI_O_BACKEND = 200,
	CLI_O_INTERVAL,
	CLI_O_WINDOW,
	CLI_O_SAMPLE_INTERVAL,
	CLI_O_RESET,
	CLI_O_NO_RESET,
	CLI_O_LOCK,
	CLI_O_BPF_EXTRAS,
};

#define CLI_OBSERVER_OPTIONS \
	{ "backend", required_argument, NULL, CLI_O_BACKEND }, \
	{ "bpf-extras", required_argument, NULL, CLI_O_BPF_EXTRAS }, \
	{ "interval", required_argument, NULL, CLI_O_INTERVAL }, \
	{ "window", required_argument, NULL, CLI_O_WINDOW }, \
	{ "sample-interval", required_argument, NULL, CLI_O_SAMPLE_INTERVAL }, \
	{ "reset", no_argument, NULL, CLI_O_RESET }, \
	{ "no-reset", no_argument, NULL, CLI_O_NO_RESET }, \
	{ "lock", required_argument, NULL, CLI_O_LOCK }

/* The sample source's AUDIT_GET period: fast enough to matter, slow
 * enough not to flood (also `status --sample-interval`). */
#define CLI_SAMPLE_INTERVAL_MIN_US 100
#define CLI_SAMPLE_INTERVAL_MAX_US 1000000

/* @cmd's defaults ("serve", "watch", "advise") into @cfg. */
void cli_observer_defaults(const char *cmd, struct ap_observer_config *cfg);

/* @cmd's default --window, in ms. */
uint64_t cli_observer_default_window_ms(const char *cmd);

/* The shared options' help lines for @cmd, with its defaults. */
void cli_observer_usage(FILE *out, const char *cmd);

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
