// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct cli_options cli_opts = {
	.timeout_ms = AP_NL_DEFAULT_TIMEOUT_MS,
};

int cli_report(const struct ap_error *err)
{
	fprintf(stderr, "auditpeak: %s\n", err->msg);
	return err->code == AP_OK ? AP_ERR_SYSTEM : (int)err->code;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "auditpeak%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'auditpeak %s%s--help')\n", cmd ? cmd : "",
		cmd ? " " : "");
	return AP_ERR_USAGE;
}

int cli_open(struct ap_nl **nl, struct ap_error *err)
{
	if (ap_nl_open(nl, err) < 0)
		return -1;
	ap_nl_set_timeout(*nl, cli_opts.timeout_ms);
	return 0;
}

int cli_parse_u32(const char *name, const char *text, uint32_t min,
		  uint32_t max, uint32_t *out, struct ap_error *err)
{
	unsigned long long v;
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s must be a whole number, not '%s'", name, text);
	errno = 0;
	v = strtoull(text, &end, 10);
	if (*end != '\0')
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s must be a whole number, not '%s'", name, text);
	if (errno == ERANGE || v < min || v > max)
		return ap_fail(err, AP_ERR_USAGE, ERANGE,
			       "%s must be between %u and %u, not '%s'", name,
			       min, max, text);
	*out = (uint32_t)v;
	return 0;
}

int cli_parse_duration_us(const char *name, const char *text, uint64_t min_us,
			  uint64_t max_us, uint64_t *out, struct ap_error *err)
{
	static const struct {
		const char *suffix;
		double us;
	} units[] = {
		{ "us", 1 }, { "ms", 1e3 }, { "s", 1e6 }, { "", 1e6 },
		{ "m", 60e6 }, { "h", 3600e6 }, { "d", 86400e6 },
	};
	double v, us;
	char *end;

	if ((text[0] < '0' || text[0] > '9') && text[0] != '.')
		goto bad;
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text)
		goto bad;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		us = v * units[i].us;
		if (us < (double)min_us || us > (double)max_us)
			return ap_fail(err, AP_ERR_USAGE, ERANGE,
				       "%s must be between %.6gs and %.6gs, not '%s'",
				       name, (double)min_us / 1e6,
				       (double)max_us / 1e6, text);
		*out = (uint64_t)(us + 0.5);
		return 0;
	}
bad:
	return ap_fail(err, AP_ERR_USAGE, EINVAL,
		       "%s must be a duration like 500ms, 5s, 2m or 7d, not '%s'",
		       name, text);
}

/* The library's table decides: a source added there shows up here. */
void cli_known_backends(char *out, size_t cap)
{
	static const char *const names[] = { "auto", "kernel", "bpf", "sample" };
	enum ap_peak_kind kind;
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ap_peak_kind_parse(names[i], &kind) == 0 && used < cap)
			used += (size_t)snprintf(out + used, cap - used, "%s%s",
						 used ? ", " : "", names[i]);
}

int cli_parse_backend(const char *cmd, const char *text,
		      enum ap_peak_kind *kind)
{
	char known[64];

	if (ap_peak_kind_parse(text, kind) == 0)
		return 0;
	cli_known_backends(known, sizeof(known));
	cli_usage_error(cmd, "unknown --backend '%s': this build has %s", text,
			known);
	return -1;
}

int cli_parse_bpf_extras(const char *cmd, const char *text,
			 unsigned int *extras)
{
	if (ap_bpf_extras_parse(text, extras) == 0)
		return 0;
	cli_usage_error(cmd, "unknown --bpf-extras '%s': use none, all, or a comma list of mean, sizes and histogram",
			text);
	return -1;
}

int cli_parse_duration_ms(const char *name, const char *text, uint64_t min_ms,
			  uint64_t max_ms, uint64_t *out, struct ap_error *err)
{
	uint64_t us;

	if (cli_parse_duration_us(name, text, min_ms * 1000, max_ms * 1000, &us,
				  err) < 0)
		return -1;
	*out = us / 1000;
	return 0;
}

void cli_format_duration_us(uint64_t us, char *out, size_t cap)
{
	static const struct {
		const char *suffix;
		uint64_t us;
		uint64_t from; /* the unit is used from this length on */
	} units[] = {
		{ "h", 3600000000ULL, 3600000000ULL },
		{ "m", 60000000ULL, 300000000ULL },
		{ "s", 1000000ULL, 1000000ULL },
		{ "ms", 1000ULL, 1000ULL },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (us >= units[i].from && us % units[i].us == 0) {
			snprintf(out, cap, "%llu%s",
				 (unsigned long long)(us / units[i].us),
				 units[i].suffix);
			return;
		}
	snprintf(out, cap, "%lluus", (unsigned long long)us);
}

void cli_format_elapsed(double seconds, char *out, size_t cap)
{
	unsigned long long s = seconds > 0 ? (unsigned long long)seconds : 0;

	if (s >= 3600)
		snprintf(out, cap, "%lluh%02llum%02llus", s / 3600, s / 60 % 60,
			 s % 60);
	else if (s >= 60)
		snprintf(out, cap, "%llum%02llus", s / 60, s % 60);
	else
		snprintf(out, cap, "%llus", s);
}
