/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exporter's main loop: one timer drives polls and window ends;
 * SIGTERM/SIGINT stop it (with a final state write), SIGHUP reopens the
 * log (observe/loop.h).  HTTP runs on libmicrohttpd's threads and only
 * reads what this loop publishes.
 */
#ifndef AUDITPEAK_EXPORTER_SERVE_H
#define AUDITPEAK_EXPORTER_SERVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "observe/observer.h"

#define AP_SERVE_DEFAULT_PORT 9814
#define AP_SERVE_DEFAULT_LISTEN "127.0.0.1:9814"
#define AP_SERVE_DEFAULT_STATE "/var/lib/auditpeak/serve.state"
#define AP_SERVE_DEFAULT_STATSD_PREFIX "auditpeak"

struct ap_serve_config {
	/* Source, periods and owner lock, as every observing command takes
	 * them; .reset: own the window resets (serve's default). */
	struct ap_observer_config obs;
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
