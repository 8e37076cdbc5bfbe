/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parsers for `serve` options.  Each fails with a one-line message that
 * names the option and what it expected (AP_ERR_USAGE).
 */
#ifndef AUDITPEAK_EXPORTER_PARSE_H
#define AUDITPEAK_EXPORTER_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "auditpeak/error.h"

/* "HOST:PORT" or "[IPV6]:PORT" split; HOST may be empty only if @allow_empty_host. */
int ap_parse_host_port(const char *option, const char *text, char *host,
		       size_t host_cap, uint16_t *port, bool allow_port_zero,
		       struct ap_error *err);

/* A numeric listen address ("127.0.0.1:9814", "[::1]:9814") as a sockaddr. */
int ap_parse_listen(const char *option, const char *text,
		    struct sockaddr_storage *addr, socklen_t *len,
		    struct ap_error *err);

/* 127.0.0.0/8, ::1 or an IPv4-mapped 127.x: only this host can connect. */
bool ap_listen_is_loopback(const struct sockaddr_storage *addr);

/* DogStatsD tags "k:v,k2:v2" (or plain "k" entries): checked, kept as given. */
#define AP_STATSD_TAGS_MAX 256
int ap_parse_statsd_tags(const char *option, const char *text,
			 struct ap_error *err);

#endif /* AUDITPEAK_EXPORTER_PARSE_H */
