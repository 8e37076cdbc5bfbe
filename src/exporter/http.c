// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "http_auth.h"
#include "log.h"
#include "metrics.h"
#include "secret_file.h"

/*
 * Limits: enough for wrk's 50 connections and a few Prometheus servers,
 * small enough that slow or hostile clients cost little.  libmicrohttpd
 * multiplexes connections on its threads, so a slow client holds a slot,
 * not a thread; the timeout closes idle ones (a byte per 10 s still
 * counts as activity, so the per-address limit keeps one client from
 * taking every slot).
 */
#define CONNECTION_LIMIT 512
/* A quarter of the slots: one or two addresses never take them all.  Not
 * below 128: at 64, wrk's 50 keep-alive connections from one address got
 * read errors (connections being closed still count).  512 connections
 * and the exporter's own files fit systemd's default soft limit of 1024
 * descriptors. */
#define PER_IP_CONNECTION_LIMIT 128
#define CONNECTION_TIMEOUT_S 10
/* Request line and headers must fit (a scrape sends a few hundred bytes);
 * libmicrohttpd's default, stated so the documented limit stays true. */
#define CONNECTION_MEMORY_LIMIT (32 * 1024)
#define THREADS 2
#define LISTEN_BACKLOG 64
#define REALM "auditpeak"
/* TLS 1.2 and 1.3 only (GnuTLS priority string). */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct ap_http {
	struct MHD_Daemon *daemon;
	struct ap_publisher *pub;
	int listen_fd;              /* ours until the daemon starts */
	bool ipv6;
	uint16_t port;
	char *tls_cert, *tls_key;   /* NULL: plain HTTP */
	struct ap_http_auth *auth;  /* NULL: none */
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
	if (snap.peak_failing_polls >= AP_PEAK_UNHEALTHY_POLLS)
		return text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "the peak source gave no reading for the last polls\n");
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

/* A scrape sends no body: anything announcing one is refused unread. */
static bool has_body(struct MHD_Connection *c)
{
	const char *len = MHD_lookup_connection_value(
		c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING) ||
	       (len && strcmp(len, "0") != 0);
}

static enum ap_auth_result authorized(struct ap_http *h, struct MHD_Connection *c)
{
	enum ap_auth_result ok;
	char *password = NULL;
	char *user;

	if (!h->auth)
		return AP_AUTH_OK;
	user = MHD_basic_auth_get_username_password(c, &password);
	ok = ap_http_auth_check(h->auth, user, password);
	if (password) {
		explicit_bzero(password, strlen(password));
		MHD_free(password);
	}
	if (user)
		MHD_free(user);
	return ok;
}

/* A plain-text @msg answered with a basic-auth challenge (@status 401) or
 * as a 503 to retry in a second. */
static enum MHD_Result refuse(struct MHD_Connection *c, unsigned status,
			      const char *msg)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		strlen(msg), (void *)msg, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	if (status == MHD_HTTP_UNAUTHORIZED) {
		ret = MHD_queue_basic_auth_fail_response(c, REALM, r);
	} else {
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
		ret = MHD_queue_response(c, status, r);
	}
	MHD_destroy_response(r);
	return ret;
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
	/* Credentials first: nothing, not even a 405, for strangers. */
	switch (authorized(h, c)) {
	case AP_AUTH_OK:
		break;
	case AP_AUTH_BUSY:
		/* Another check was hashing: one hash at a time bounds what
		 * wrong passwords cost; the client retries (Prometheus at its
		 * next scrape). */
		return refuse(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			      "busy checking credentials: retry\n");
	case AP_AUTH_DENIED:
		return refuse(c, MHD_HTTP_UNAUTHORIZED, "authentication required\n");
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (has_body(c))
		return text(c, MHD_HTTP_CONTENT_TOO_LARGE, "no request body accepted\n");
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

/* Bind and listen now, while binding a low port is still allowed. */
static int bind_listener(struct ap_http *h, const struct sockaddr *addr,
			 socklen_t addr_len, struct ap_error *err)
{
	struct sockaddr_storage bound;
	socklen_t bound_len = sizeof(bound);
	int one = 1, e;

	h->ipv6 = addr->sa_family == AF_INET6;
	h->listen_fd = socket(addr->sa_family,
			     SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (h->listen_fd < 0)
		goto fail;
	/* A restart must not wait for the old sockets' TIME_WAIT. */
	setsockopt(h->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:PORT means IPv6 only, as written: 0.0.0.0 is a second choice. */
	if (h->ipv6)
		setsockopt(h->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
			   sizeof(one));
	if (bind(h->listen_fd, addr, addr_len) < 0 ||
	    listen(h->listen_fd, LISTEN_BACKLOG) < 0 ||
	    getsockname(h->listen_fd, (struct sockaddr *)&bound, &bound_len) < 0)
		goto fail;
	h->port = ntohs(h->ipv6 ? ((struct sockaddr_in6 *)&bound)->sin6_port :
				  ((struct sockaddr_in *)&bound)->sin_port);
	return 0;
fail:
	e = errno;
	return ap_fail(err, AP_ERR_SYSTEM, e, "cannot listen for HTTP: %s",
		       strerror(e));
}

static int read_files(struct ap_http *h, const struct ap_http_options *o,
		      struct ap_error *err)
{
	char *auth_text = NULL;
	int rc;

	if (o->tls_cert &&
	    (ap_secret_file_read("--tls-cert", o->tls_cert, &h->tls_cert, err) < 0 ||
	     ap_secret_file_read("--tls-key", o->tls_key, &h->tls_key, err) < 0))
		return -1;
	if (!o->auth_file)
		return 0;
	if (ap_secret_file_read("--basic-auth-file", o->auth_file, &auth_text,
				err) < 0)
		return -1;
	rc = ap_http_auth_parse("--basic-auth-file", auth_text, &h->auth, err);
	ap_secret_file_free(auth_text);
	return rc;
}

int ap_http_prepare(struct ap_http **out, const struct sockaddr *addr,
		    socklen_t addr_len, struct ap_publisher *pub,
		    const struct ap_http_options *opts, struct ap_error *err)
{
	struct ap_http *h = calloc(1, sizeof(*h));

	if (!h)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	h->pub = pub;
	h->listen_fd = -1;
	if (opts->tls_cert && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		free(h);
		return ap_fail(err, AP_ERR_UNSUPPORTED, ENOTSUP,
			       "--tls-cert: this libmicrohttpd has no TLS support");
	}
	if (read_files(h, opts, err) < 0 ||
	    bind_listener(h, addr, addr_len, err) < 0) {
		ap_http_stop(h);
		return -1;
	}
	*out = h;
	return 0;
}

int ap_http_start(struct ap_http *h, struct ap_error *err)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	/* Given only with TLS: MHD complains about TLS options without it. */
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)TLS_PRIORITIES },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (h->ipv6)
		flags |= MHD_USE_IPv6;
	if (h->tls_cert)
		flags |= MHD_USE_TLS;
	errno = 0;
	h->daemon = MHD_start_daemon(
		/* The port is the socket's; given here too so MHD's own
		 * messages name it. */
		flags, h->port, NULL, NULL, handle, h,
		/* First, or MHD logs the options before it to stderr. */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)THREADS,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONNECTION_LIMIT,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_CONNECTION_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY_LIMIT,
		MHD_OPTION_ARRAY, h->tls_cert ? tls : tls + 3,
		MHD_OPTION_END);
	if (!h->daemon) {
		int e = errno;

		return ap_fail(err, AP_ERR_SYSTEM, e,
			       "cannot serve HTTP%s: %s", h->tls_cert ? "S" : "",
			       e ? strerror(e) :
				   "libmicrohttpd refused to start (for TLS: do the key and certificate match?)");
	}
	/* The daemon owns and closes it now. */
	h->listen_fd = -1;
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
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	ap_secret_file_free(h->tls_cert);
	ap_secret_file_free(h->tls_key);
	ap_http_auth_free(h->auth);
	free(h);
}
