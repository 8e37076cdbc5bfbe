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

int ap_http_start(struct ap_http **h, const struct sockaddr *addr,
		  socklen_t addr_len, struct ap_publisher *pub,
		  struct ap_error *err);
/* The port actually bound (useful with port 0). */
uint16_t ap_http_port(const struct ap_http *h);
void ap_http_stop(struct ap_http *h);

#endif /* AUDITPEAK_EXPORTER_HTTP_H */
