// SPDX-License-Identifier: GPL-2.0-or-later
/* auditpeak: size and watch the kernel's audit queue. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "config.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "status", cmd_status, "print the kernel's audit status, auditctl -s style" },
	{ "reset", cmd_reset, "read and clear max-depth, lost or wait-time-actual" },
	{ "load", cmd_load, "send bursts of audit records (a load generator)" },
	{ "serve", cmd_serve, "export status and peaks to Prometheus and statsd" },
	{ "watch", cmd_watch, "live terminal view of the queue, its peaks and limit" },
	{ "advise", cmd_advise, "recommend a backlog_limit from observed peaks" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: auditpeak [--timeout MS] COMMAND [ARGS]\n"
		"Size and watch the Linux kernel's audit queue.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\nOptions:\n"
		"  --timeout MS  wait at most MS milliseconds for each kernel reply (default %d)\n"
		"  -h, --help    show this help\n"
		"  -V, --version show the version\n\n"
		"'auditpeak COMMAND --help' describes a command; see auditpeak(8).\n",
		AP_NL_DEFAULT_TIMEOUT_MS);
	if (ap_peak_bpf_absent())
		fprintf(out, "\nNot in this build: the bpf peak source (%s).\n",
			ap_peak_bpf_absent());
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct ap_error err;
	uint32_t timeout;
	int c;

	/* '+': stop at the command name, its options are its own. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_u32("--timeout", optarg, 1, 600000,
					  &timeout, &err) < 0)
				return cli_report(&err);
			cli_opts.timeout_ms = (int)timeout;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("auditpeak %s\n", AUDITPEAK_VERSION);
			return 0;
		default:
			return cli_usage_error(NULL, "unknown option");
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return AP_ERR_USAGE;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			argv += optind;
			argc -= optind;
			optind = 0; /* let the command's getopt start afresh */
			return commands[i].run(argc, argv);
		}
	}
	return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
}
