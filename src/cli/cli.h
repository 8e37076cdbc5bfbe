/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the auditpeak subcommands share. */
#ifndef AUDITPEAK_CLI_H
#define AUDITPEAK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auditpeak/error.h"
#include "auditpeak/netlink.h"
#include "auditpeak/peak.h"

struct cli_options {
	int timeout_ms;
};

extern struct cli_options cli_opts;

/* Print "auditpeak: <message>" on stderr and return the exit code. */
int cli_report(const struct ap_error *err);

/* Print a usage error for @cmd and return AP_ERR_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Open the kernel's audit socket with the global options applied. */
int cli_open(struct ap_nl **nl, struct ap_error *err);

/*
 * Parse a whole decimal number in [min, max] for option @name; anything
 * else (sign, junk, overflow, empty) is a usage error with a clear message.
 */
int cli_parse_u32(const char *name, const char *text, uint32_t min,
		  uint32_t max, uint32_t *out, struct ap_error *err);

/*
 * Parse a duration for option @name: a decimal number with a unit, us, ms,
 * s, m or h ("250ms", "1.5s", "2m"); a bare number is seconds.  The result,
 * in microseconds, must lie in [min_us, max_us].
 */
int cli_parse_duration_us(const char *name, const char *text, uint64_t min_us,
			  uint64_t max_us, uint64_t *out, struct ap_error *err);

/* The same in milliseconds (what --interval and --window are kept in). */
int cli_parse_duration_ms(const char *name, const char *text, uint64_t min_ms,
			  uint64_t max_ms, uint64_t *out, struct ap_error *err);

/* @us the way the options take it, in its largest exact unit ("1s",
 * "60s", "10m", "1h", "250ms"): defaults in help texts, durations. */
void cli_format_duration_us(uint64_t us, char *out, size_t cap);

/* Elapsed or remaining time, whole seconds: "5s", "2m03s", "1h00m00s". */
void cli_format_elapsed(double seconds, char *out, size_t cap);

/* The peak sources this build knows, "auto, kernel, ..." into @out. */
void cli_known_backends(char *out, size_t cap);

/* --backend for @cmd: 0, or -1 after printing a usage error that lists the
 * sources this build has. */
int cli_parse_backend(const char *cmd, const char *text,
		      enum ap_peak_kind *kind);
/* --bpf-extras: 0, or -1 after printing the usage error. */
int cli_parse_bpf_extras(const char *cmd, const char *text,
			 unsigned int *extras);

#endif /* AUDITPEAK_CLI_H */
