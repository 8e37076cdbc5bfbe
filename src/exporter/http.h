/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTTP side (libmicrohttpd, its own threads):
 *   /metrics  the published snapshot, Prometheus text or OpenMetrics by Accept
 *   /healthz  200 while polls succeed and are fresh, 503 otherwise
 *   /         a landing page linking both
 * Handlers only copy the published snapshot: a scrape never reaches the
 * kernel, so any number of scrapers see the same data.
 */
#ifndef AUDITPEAK_EXPORTER_HTTP_H
#define AUDITPEAK_EXPORTER_HTTP_H

#include <stdint.h>
#include <sys/socket.h>

#include "auditpeak/error.h"
#include "publish.h"

struct ap_http;

struct ap_http_options {
	const char *tls_cert;   /* PEM files; both NULL: plain HTTP */
	const char *tls_key;
	const char *auth_file;  /* NULL: no authentication (see http_auth.h) */
};

/*
 * Everything that may need privileges, no thread: bind and listen, read
 * the TLS key and certificate and the auth file.
 */
int ap_http_prepare(struct ap_http **h, const struct sockaddr *addr,
		    socklen_t addr_len, struct ap_publisher *pub,
		    const struct ap_http_options *opts, struct ap_error *err);
/* Start serving on libmicrohttpd's threads (after privileges are dropped). */
int ap_http_start(struct ap_http *h, struct ap_error *err);
/* The port actually bound (useful with port 0). */
uint16_t ap_http_port(const struct ap_http *h);
/* Stop serving and free; @h may be prepared only, or NULL. */
void ap_http_stop(struct ap_http *h);

#endif /* AUDITPEAK_EXPORTER_HTTP_H */
