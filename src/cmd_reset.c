// SPDX-License-Identifier: GPL-2.0-or-later
/* auditpeak reset: the kernel's atomic read-and-clear of one counter. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "auditpeak/control.h"
#include "cli/cli.h"
#include "commands.h"

static const struct {
	const char *arg;
	enum ap_field field;
} counters[] = {
	{ "max-depth", AP_FIELD_BACKLOG_MAX_DEPTH },
	{ "lost", AP_FIELD_LOST },
	{ "wait-time-actual", AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: auditpeak reset max-depth|lost|wait-time-actual\n"
		"Atomically read and clear one kernel counter and print the value it had,\n"
		"as '<field> <value>'.  The kernel logs each reset as a CONFIG_CHANGE record.\n");
}

int cmd_reset(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ap_error err;
	struct ap_nl *nl;
	uint32_t old;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		return cli_usage_error("reset", "unknown option");
	}
	if (argc - optind != 1)
		return cli_usage_error("reset", "name exactly one counter: max-depth, lost or wait-time-actual");
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		if (strcmp(argv[optind], counters[i].arg) != 0)
			continue;
		if (cli_open(&nl, &err) < 0)
			return cli_report(&err);
		rc = ap_reset_counter(nl, counters[i].field, &old, &err);
		ap_nl_close(nl);
		if (rc < 0)
			return cli_report(&err);
		printf("%s %u\n", ap_field_name(counters[i].field), old);
		return 0;
	}
	return cli_usage_error("reset", "unknown counter '%s': use max-depth, lost or wait-time-actual",
			       argv[optind]);
}
