/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exporter's main loop: one timer drives polls and window ends, one
 * signalfd takes SIGTERM/SIGINT (stop, with a final state write) and
 * SIGHUP (reopen the log).  HTTP runs on libmicrohttpd's threads and only
 * reads what this loop publishes.
 */
#ifndef AUDITPEAK_EXPORTER_SERVE_H
#define AUDITPEAK_EXPORTER_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "auditpeak/peak.h"

#define AP_SERVE_DEFAULT_PORT 9814
#define AP_SERVE_DEFAULT_LISTEN "127.0.0.1:9814"
#define AP_SERVE_DEFAULT_STATE "/var/lib/auditpeak/serve.state"
#define AP_SERVE_DEFAULT_STATSD_PREFIX "auditpeak"

struct ap_serve_config {
	uint64_t interval_ms;
	uint64_t window_ms;
	bool no_reset;
	enum ap_peak_kind backend;
	int timeout_ms;
	int sample_interval_us;   /* the sample source's AUDIT_GET period */
	const char *lock_path;
	const char *state_path;   /* NULL: no state file */
	const char *log_path;     /* NULL: stderr */
	struct sockaddr_storage listen;
	socklen_t listen_len;
	const char *statsd_target; /* NULL: no statsd */
	const char *statsd_tags;   /* NULL: none */
	const char *statsd_prefix;
	const char *tls_cert;      /* NULL: plain HTTP */
	const char *tls_key;
	const char *auth_file;     /* NULL: no basic auth */
};

/* Run until SIGTERM/SIGINT; returns the process exit code. */
int ap_serve_run(const struct ap_serve_config *cfg);

#endif /* AUDITPEAK_EXPORTER_SERVE_H */
