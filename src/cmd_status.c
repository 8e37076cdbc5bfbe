// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * auditpeak status: the kernel's audit status.
 *
 * Text output keeps `auditctl -s` lines and order so scripts written for it
 * keep working; backlog_max_depth comes last.  A field the kernel lacks is
 * printed as "unsupported" with the reason, never as 0.
 */
#include <getopt.h>
#include <stdio.h>

#include "auditpeak/control.h"
#include "cli.h"

/* The lines auditctl -s prints, in its order, then ours. */
static const enum ap_field text_fields[] = {
	AP_FIELD_ENABLED,       AP_FIELD_FAILURE,
	AP_FIELD_PID,           AP_FIELD_RATE_LIMIT,
	AP_FIELD_BACKLOG_LIMIT, AP_FIELD_LOST,
	AP_FIELD_BACKLOG,       AP_FIELD_BACKLOG_WAIT_TIME,
	AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL, AP_FIELD_BACKLOG_MAX_DEPTH,
};

#define N_TEXT_FIELDS (sizeof(text_fields) / sizeof(text_fields[0]))

static void print_text(const struct ap_status *st)
{
	for (size_t i = 0; i < N_TEXT_FIELDS; i++) {
		enum ap_field f = text_fields[i];

		if (ap_status_has(st, f))
			printf("%s %u\n", ap_field_name(f), st->value[f]);
		else
			printf("%s unsupported (this kernel's AUDIT_GET reply is %zu bytes; the field needs %s)\n",
			       ap_field_name(f), st->payload_len,
			       ap_field_origin(f));
	}
}

static void print_json(const struct ap_status *st)
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
	printf("}}\n");
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: auditpeak status [--json]\n"
		"Print the kernel's audit status (AUDIT_GET, no side effect), one\n"
		"'name value' line per field in auditctl -s order, backlog_max_depth last.\n"
		"  --json  one JSON object with every field, which ones this kernel has,\n"
		"          and the reply's payload length\n");
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ap_status st;
	struct ap_error err;
	struct ap_nl *nl;
	bool json = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
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
	if (cli_open(&nl, &err) < 0)
		return cli_report(&err);
	rc = ap_get_status(nl, &st, &err);
	ap_nl_close(nl);
	if (rc < 0)
		return cli_report(&err);
	if (json)
		print_json(&st);
	else
		print_text(&st);
	return 0;
}
