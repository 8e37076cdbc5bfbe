// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "parse.h"
#include "statsd.h"

struct ap_statsd {
	int fd;
	struct sockaddr_storage addr;
	socklen_t addr_len;
};

/* Append one line, starting a new datagram when it would not fit. */
static int add_line(struct ap_statsd_batch *b, const char *line,
		    struct ap_error *err)
{
	size_t n = strlen(line);
	int i = b->count - 1;

	if (n > AP_STATSD_MAX_DATAGRAM)
		return ap_fail(err, AP_ERR_USAGE, EMSGSIZE,
			       "statsd line of %zu bytes does not fit a datagram",
			       n);
	if (i < 0 || b->len[i] + 1 + n > AP_STATSD_MAX_DATAGRAM) {
		if (b->count == AP_STATSD_MAX_PACKETS)
			return ap_fail(err, AP_ERR_SYSTEM, EMSGSIZE,
				       "too many statsd datagrams");
		i = b->count++;
		b->len[i] = 0;
	}
	if (b->len[i])
		b->packet[i][b->len[i]++] = '\n';
	memcpy(b->packet[i] + b->len[i], line, n);
	b->len[i] += n;
	b->packet[i][b->len[i]] = '\0';
	return 0;
}

static int add(struct ap_statsd_batch *b, const char *prefix,
	       const char *name, uint64_t value, const char *type,
	       const char *tags, struct ap_error *err)
{
	char line[AP_STATSD_MAX_DATAGRAM + 64];

	snprintf(line, sizeof(line), "%s.%s:%" PRIu64 "|%s%s%s", prefix, name,
		 value, type, tags ? "|#" : "", tags ? tags : "");
	return add_line(b, line, err);
}

int ap_statsd_build(const struct ap_statsd_values *v, const char *prefix,
		    const char *tags, struct ap_statsd_batch *b,
		    struct ap_error *err)
{
	b->count = 0;
	if (v->have_window_peak &&
	    (add(b, prefix, "window_peak", v->window_peak, "g", tags, err) < 0 ||
	     add(b, prefix, "window_peak_exact", v->window_peak_exact, "g", tags,
		 err) < 0))
		return -1;
	if (v->have_status &&
	    (add(b, prefix, "backlog", v->backlog, "g", tags, err) < 0 ||
	     add(b, prefix, "backlog_limit", v->backlog_limit, "g", tags, err) < 0))
		return -1;
	return add(b, prefix, "lost", v->lost_delta, "c", tags, err);
}

int ap_statsd_open(struct ap_statsd **out, const char *target,
		   struct ap_error *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res;
	char host[256], service[8];
	struct ap_statsd *s;
	uint16_t port;
	int rc;

	if (ap_parse_host_port("--statsd", target, host, sizeof(host), &port,
			       false, err) < 0)
		return -1;
	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "--statsd: cannot resolve '%s': %s", host,
			       gai_strerror(rc));
	s = calloc(1, sizeof(*s));
	if (!s) {
		freeaddrinfo(res);
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	}
	s->fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		rc = errno;
		freeaddrinfo(res);
		free(s);
		return ap_fail(err, AP_ERR_SYSTEM, rc, "statsd socket: %s",
			       strerror(rc));
	}
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->addr_len = res->ai_addrlen;
	freeaddrinfo(res);
	*out = s;
	return 0;
}

int ap_statsd_send(struct ap_statsd *s, const struct ap_statsd_batch *b,
		   struct ap_error *err)
{
	for (int i = 0; i < b->count; i++)
		if (sendto(s->fd, b->packet[i], b->len[i], 0,
			   (struct sockaddr *)&s->addr, s->addr_len) < 0)
			return ap_fail(err, AP_ERR_SYSTEM, errno,
				       "statsd send: %s", strerror(errno));
	return 0;
}

void ap_statsd_close(struct ap_statsd *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}
