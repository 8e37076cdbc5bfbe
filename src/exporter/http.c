// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "log.h"
#include "metrics.h"

/* Enough for wrk's 50 connections and a few Prometheus servers. */
#define CONNECTION_LIMIT 256
#define CONNECTION_TIMEOUT_S 10
#define THREADS 2

struct ap_http {
	struct MHD_Daemon *daemon;
	struct ap_publisher *pub;
	uint16_t port;
};

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status,
			       const char *type, char *body, size_t len,
			       enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status,
			    const char *msg)
{
	return respond(c, status, "text/plain; charset=utf-8", (char *)msg,
		       strlen(msg), MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result serve_metrics(struct ap_http *h,
				     struct MHD_Connection *c)
{
	struct ap_exporter_snapshot snap;
	enum ap_metrics_format fmt;
	size_t len;
	char *body;

	fmt = ap_metrics_negotiate(MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	ap_published(h->pub, &snap);
	if (ap_metrics_render(&snap, fmt, &body, &len) < 0)
		return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return respond(c, MHD_HTTP_OK, ap_metrics_content_type(fmt), body, len,
		       MHD_RESPMEM_MUST_FREE);
}

static double now_unix(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static enum MHD_Result serve_health(struct ap_http *h,
				    struct MHD_Connection *c)
{
	struct ap_exporter_snapshot snap;
	/* Three missed polls plus a reply timeout: the poller is stuck. */
	double stale_after;

	ap_published(h->pub, &snap);
	stale_after = 3 * snap.interval_seconds + 2;
	if (!snap.up)
		return text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "the last AUDIT_GET poll failed\n");
	if (now_unix() - snap.last_poll_time > stale_after)
		return text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "no poll for three intervals\n");
	return text(c, MHD_HTTP_OK, "ok\n");
}

static enum MHD_Result serve_landing(struct ap_http *h,
				     struct MHD_Connection *c)
{
	struct ap_exporter_snapshot snap;
	char *body;
	int n;

	ap_published(h->pub, &snap);
	n = asprintf(&body,
		     "<!DOCTYPE html>\n<html><head><title>auditpeak exporter</title></head>\n"
		     "<body><h1>auditpeak exporter</h1>\n"
		     "<p>Kernel audit queue metrics: <a href=\"/metrics\">/metrics</a> "
		     "(Prometheus text, or OpenMetrics when asked), "
		     "<a href=\"/healthz\">/healthz</a>.</p>\n"
		     "<p>Peak source: %s (%s). Window resets: %s. "
		     "Poll every %gs, window %gs.</p>\n"
		     "<p>See auditpeak-serve(8).</p></body></html>\n",
		     snap.peak_source,
		     snap.peak_exact ? "exact" : "lower bound or none",
		     snap.owner ? "owned by this instance" : "read-only",
		     snap.interval_seconds, snap.window_seconds);
	if (n < 0)
		return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	return respond(c, MHD_HTTP_OK, "text/html; charset=utf-8", body,
		       (size_t)n, MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	struct ap_http *h = cls;

	(void)version;
	(void)upload_data;
	(void)upload_size;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/metrics") == 0)
		return serve_metrics(h, c);
	if (strcmp(url, "/healthz") == 0)
		return serve_health(h, c);
	if (strcmp(url, "/") == 0)
		return serve_landing(h, c);
	return text(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	ap_log("http: %s", msg);
}

int ap_http_start(struct ap_http **out, const struct sockaddr *addr,
		  socklen_t addr_len, struct ap_publisher *pub,
		  struct ap_error *err)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	struct ap_http *h = calloc(1, sizeof(*h));
	uint16_t port;

	(void)addr_len;
	if (!h)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	if (addr->sa_family == AF_INET6) {
		flags |= MHD_USE_IPv6;
		port = ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
	} else {
		port = ntohs(((const struct sockaddr_in *)addr)->sin_port);
	}
	h->pub = pub;
	errno = 0;
	h->daemon = MHD_start_daemon(
		/* The port is in the address; given here too so MHD's own
		 * messages name it. */
		flags, port, NULL, NULL, handle, h,
		/* First, or MHD logs the options before it to stderr. */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
		MHD_OPTION_END);
	if (!h->daemon) {
		int e = errno;

		free(h);
		return ap_fail(err, AP_ERR_SYSTEM, e,
			       "cannot listen for HTTP: %s",
			       e ? strerror(e) : "libmicrohttpd refused to start");
	}
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : 0;
	*out = h;
	return 0;
}

uint16_t ap_http_port(const struct ap_http *h)
{
	return h->port;
}

void ap_http_stop(struct ap_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	free(h);
}
