// SPDX-License-Identifier: GPL-2.0-or-later
/* auditpeak serve: option parsing; the exporter itself is in exporter/. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "commands.h"
#include "exporter/parse.h"
#include "exporter/serve.h"
#include "observe/observer.h"

static void usage(FILE *out)
{
	char known[64];

	cli_known_backends(known, sizeof(known));
	fprintf(out,
		"Usage: auditpeak serve [OPTIONS]\n"
		"Export the kernel audit queue's status and peak to Prometheus (HTTP) and statsd.\n\n"
		"  --listen ADDR:PORT   HTTP address (default %s; [::1]:PORT for IPv6, port 0: any free)\n"
		"  --interval DURATION  AUDIT_GET poll period (default 1s; e.g. 500ms, 2s)\n"
		"  --window DURATION    read-and-clear period of the peak (default 60s)\n"
		"  --no-reset           never reset anything (read-only)\n"
		"  --backend KIND       peak source (default auto); this build has: %s\n"
		"  --sample-interval D  the sample source's AUDIT_GET period (default 1ms)\n"
		"  --lock FILE          owner lock (default %s)\n"
		"  --state FILE         state file (default %s)\n"
		"  --no-state           keep no state file\n"
		"  --log FILE           log to FILE instead of stderr (reopened on SIGHUP)\n"
		"  --statsd HOST:PORT   push to statsd/DogStatsD once per window\n"
		"  --statsd-tags K:V,.. DogStatsD tags on every statsd line\n"
		"  --statsd-prefix NAME statsd name prefix (default %s)\n"
		"  --tls-cert FILE      serve HTTPS with this PEM certificate (needs --tls-key)\n"
		"  --tls-key FILE       the certificate's PEM private key\n"
		"  --basic-auth-file F  require HTTP basic auth; F holds user:HASH lines (crypt(3))\n"
		"  --insecure-listen    allow plain HTTP on an address other hosts can reach\n"
		"See auditpeak-serve(8).\n",
		AP_SERVE_DEFAULT_LISTEN, known, AP_OWNER_LOCK_DEFAULT,
		AP_SERVE_DEFAULT_STATE, AP_SERVE_DEFAULT_STATSD_PREFIX);
}

static bool valid_prefix(const char *p)
{
	if (!*p || strlen(p) > 64)
		return false;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.'))
			return false;
	return true;
}

/*
 * A root daemon's HTTP port reachable from other hosts should be a
 * decision: plain HTTP there needs --insecure-listen, and a password never
 * travels in clear (basic auth off loopback needs TLS, no override).
 * Returns 0 when the exposure is fine, else the usage error's exit code.
 */
static int check_exposure(const struct ap_serve_config *cfg, const char *listen,
			  bool insecure_listen)
{
	if (cfg->tls_cert || ap_listen_is_loopback(&cfg->listen))
		return 0;
	if (cfg->auth_file)
		return cli_usage_error("serve", "--basic-auth-file on %s needs --tls-cert/--tls-key: the password would cross the network in clear",
				       listen);
	if (!insecure_listen)
		return cli_usage_error("serve", "--listen %s is reachable from other hosts: add --tls-cert/--tls-key, or --insecure-listen to serve plain HTTP there",
				       listen);
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	enum { O_LISTEN = 256, O_INTERVAL, O_WINDOW, O_NO_RESET, O_BACKEND,
	       O_LOCK, O_STATE, O_NO_STATE, O_LOG, O_STATSD, O_STATSD_TAGS,
	       O_STATSD_PREFIX, O_SAMPLE_INTERVAL, O_TLS_CERT, O_TLS_KEY,
	       O_BASIC_AUTH_FILE, O_INSECURE_LISTEN };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "no-reset", no_argument, NULL, O_NO_RESET },
		{ "backend", required_argument, NULL, O_BACKEND },
		{ "lock", required_argument, NULL, O_LOCK },
		{ "state", required_argument, NULL, O_STATE },
		{ "no-state", no_argument, NULL, O_NO_STATE },
		{ "log", required_argument, NULL, O_LOG },
		{ "statsd", required_argument, NULL, O_STATSD },
		{ "statsd-tags", required_argument, NULL, O_STATSD_TAGS },
		{ "sample-interval", required_argument, NULL, O_SAMPLE_INTERVAL },
		{ "statsd-prefix", required_argument, NULL, O_STATSD_PREFIX },
		{ "tls-cert", required_argument, NULL, O_TLS_CERT },
		{ "tls-key", required_argument, NULL, O_TLS_KEY },
		{ "basic-auth-file", required_argument, NULL, O_BASIC_AUTH_FILE },
		{ "insecure-listen", no_argument, NULL, O_INSECURE_LISTEN },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ap_serve_config cfg = {
		.interval_ms = 1000,
		.window_ms = 60000,
		.backend = AP_PEAK_AUTO,
		.timeout_ms = cli_opts.timeout_ms,
		.sample_interval_us = AP_PEAK_DEFAULT_SAMPLE_INTERVAL_US,
		.lock_path = AP_OWNER_LOCK_DEFAULT,
		.state_path = AP_SERVE_DEFAULT_STATE,
		.statsd_prefix = AP_SERVE_DEFAULT_STATSD_PREFIX,
	};
	const char *listen = AP_SERVE_DEFAULT_LISTEN;
	bool insecure_listen = false;
	struct ap_error err;
	char host[256];
	uint16_t port;
	uint64_t us;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN:
			listen = optarg;
			break;
		case O_INTERVAL:
			if (cli_parse_duration_ms("--interval", optarg,
						 AP_MIN_INTERVAL_MS, AP_MAX_INTERVAL_MS,
						 &cfg.interval_ms, &err) < 0)
				return cli_report(&err);
			break;
		case O_WINDOW:
			if (cli_parse_duration_ms("--window", optarg,
						 AP_MIN_WINDOW_MS, AP_MAX_WINDOW_MS,
						 &cfg.window_ms, &err) < 0)
				return cli_report(&err);
			break;
		case O_SAMPLE_INTERVAL:
			/* The sample source: as `status` allows. */
			if (cli_parse_duration_us("--sample-interval", optarg,
						  100, 1000000, &us, &err) < 0)
				return cli_report(&err);
			cfg.sample_interval_us = (int)us;
			break;
		case O_NO_RESET:
			cfg.no_reset = true;
			break;
		case O_BACKEND:
			if (cli_parse_backend("serve", optarg, &cfg.backend) < 0)
				return AP_ERR_USAGE;
			break;
		case O_LOCK:
			cfg.lock_path = optarg;
			break;
		case O_STATE:
			cfg.state_path = optarg;
			break;
		case O_NO_STATE:
			cfg.state_path = NULL;
			break;
		case O_LOG:
			cfg.log_path = optarg;
			break;
		case O_STATSD:
			/* Checked now; resolved when serve starts. */
			if (ap_parse_host_port("--statsd", optarg, host,
					       sizeof(host), &port, false,
					       &err) < 0)
				return cli_report(&err);
			cfg.statsd_target = optarg;
			break;
		case O_STATSD_TAGS:
			if (ap_parse_statsd_tags("--statsd-tags", optarg, &err) < 0)
				return cli_report(&err);
			cfg.statsd_tags = optarg;
			break;
		case O_STATSD_PREFIX:
			if (!valid_prefix(optarg))
				return cli_usage_error("serve", "--statsd-prefix must be 1 to 64 letters, digits, '_' or '.', not '%s'",
						       optarg);
			cfg.statsd_prefix = optarg;
			break;
		case O_TLS_CERT:
			cfg.tls_cert = optarg;
			break;
		case O_TLS_KEY:
			cfg.tls_key = optarg;
			break;
		case O_BASIC_AUTH_FILE:
			cfg.auth_file = optarg;
			break;
		case O_INSECURE_LISTEN:
			insecure_listen = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_usage_error("serve", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("serve", "unexpected argument '%s'",
				       argv[optind]);
	if (cfg.window_ms < cfg.interval_ms)
		return cli_usage_error("serve", "--window (%llums) must not be shorter than --interval (%llums)",
				       (unsigned long long)cfg.window_ms,
				       (unsigned long long)cfg.interval_ms);
	if (cfg.statsd_tags && !cfg.statsd_target)
		return cli_usage_error("serve", "--statsd-tags needs --statsd");
	if (!cfg.tls_cert != !cfg.tls_key)
		return cli_usage_error("serve", "--tls-cert and --tls-key go together");
	if (ap_parse_listen("--listen", listen, &cfg.listen, &cfg.listen_len,
			    &err) < 0)
		return cli_report(&err);
	rc = check_exposure(&cfg, listen, insecure_listen);
	return rc ? rc : ap_serve_run(&cfg);
}
