// SPDX-License-Identifier: GPL-2.0-or-later
/* auditpeak serve: option parsing; the exporter itself is in exporter/. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_observe.h"
#include "commands.h"
#include "exporter/parse.h"
#include "exporter/serve.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: auditpeak serve [OPTIONS]\n"
		"Export the kernel audit queue's status and peak to Prometheus (HTTP) and statsd.\n\n"
		"  --listen ADDR:PORT   HTTP address (default %s; [::1]:PORT for IPv6, port 0: any free)\n",
		AP_SERVE_DEFAULT_LISTEN);
	cli_observer_usage(out, "serve");
	fprintf(out,
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
	enum { O_LISTEN = 256, O_STATE, O_NO_STATE, O_LOG, O_STATSD,
	       O_STATSD_TAGS, O_STATSD_PREFIX, O_TLS_CERT, O_TLS_KEY,
	       O_BASIC_AUTH_FILE, O_INSECURE_LISTEN };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, O_LISTEN },
		CLI_OBSERVER_OPTIONS,
		{ "state", required_argument, NULL, O_STATE },
		{ "no-state", no_argument, NULL, O_NO_STATE },
		{ "log", required_argument, NULL, O_LOG },
		{ "statsd", required_argument, NULL, O_STATSD },
		{ "statsd-tags", required_argument, NULL, O_STATSD_TAGS },
		{ "statsd-prefix", required_argument, NULL, O_STATSD_PREFIX },
		{ "tls-cert", required_argument, NULL, O_TLS_CERT },
		{ "tls-key", required_argument, NULL, O_TLS_KEY },
		{ "basic-auth-file", required_argument, NULL, O_BASIC_AUTH_FILE },
		{ "insecure-listen", no_argument, NULL, O_INSECURE_LISTEN },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ap_serve_config cfg = {
		.state_path = AP_SERVE_DEFAULT_STATE,
		.statsd_prefix = AP_SERVE_DEFAULT_STATSD_PREFIX,
	};
	const char *listen = AP_SERVE_DEFAULT_LISTEN;
	bool insecure_listen = false;
	struct ap_error err;
	char host[256];
	uint16_t port;
	int c, r, rc;

	cli_observer_defaults("serve", &cfg.obs);
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		r = cli_observer_option("serve", c, optarg, &cfg.obs);
		if (r < 0)
			return -r;
		if (r > 0)
			continue;
		switch (c) {
		case O_LISTEN:
			listen = optarg;
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
	if (cli_observer_check("serve", &cfg.obs))
		return AP_ERR_USAGE;
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
