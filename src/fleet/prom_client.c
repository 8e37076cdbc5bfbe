// SPDX-License-Identifier: GPL-2.0-or-later
#include <curl/curl.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "exporter/secret_file.h"
#include "prom_client.h"

struct prom_client {
	CURL *curl;
	char *query_url;       /* base URL + /api/v1/query */
	char *userpwd;         /* basic auth, wiped on close */
	char *bearer;          /* token, wiped on close */
	struct curl_slist *headers;
	size_t max_response;
	uint64_t timeout_ms;
	uint64_t queries, bytes;
	/* The answer being received. */
	char *body;
	size_t len, cap;
	bool too_big;
};

/* The first line of a secret file, without its newline. */
static int first_line(const char *what, const char *path, char **out,
		      struct ap_error *err)
{
	char *text;

	if (ap_secret_file_read(what, path, &text, err) < 0)
		return -1;
	text[strcspn(text, "\r\n")] = '\0';
	if (!text[0]) {
		ap_secret_file_free(text);
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "%s: %s is empty", what, path);
	}
	*out = text;
	return 0;
}

static size_t receive(char *data, size_t size, size_t n, void *arg)
{
	struct prom_client *c = arg;
	size_t add = size * n;

	if (add > c->max_response - c->len) {
		c->too_big = true;
		return 0; /* curl aborts the transfer */
	}
	if (c->len + add + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 65536;
		char *body;

		while (cap < c->len + add + 1)
			cap *= 2;
		body = realloc(c->body, cap);
		if (!body)
			return 0;
		c->body = body;
		c->cap = cap;
	}
	memcpy(c->body + c->len, data, add);
	c->len += add;
	c->body[c->len] = '\0';
	return add;
}

static int load_credentials(struct prom_client *c,
			    const struct prom_client_options *o,
			    struct ap_error *err)
{
	if (o->basic_auth_file) {
		if (first_line("--basic-auth-file", o->basic_auth_file,
			       &c->userpwd, err) < 0)
			return -1;
		if (!strchr(c->userpwd, ':'))
			return ap_fail(err, AP_ERR_USAGE, EINVAL,
				       "--basic-auth-file: %s must hold user:password",
				       o->basic_auth_file);
	}
	if (o->bearer_token_file) {
		char *header;

		if (first_line("--bearer-token-file", o->bearer_token_file,
			       &c->bearer, err) < 0)
			return -1;
		if (asprintf(&header, "Authorization: Bearer %s", c->bearer) < 0)
			return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
		c->headers = curl_slist_append(NULL, header);
		explicit_bzero(header, strlen(header));
		free(header);
		if (!c->headers)
			return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	}
	return 0;
}

int prom_client_open(struct prom_client **out,
		     const struct prom_client_options *o, struct ap_error *err)
{
	struct prom_client *c = calloc(1, sizeof(*c));
	size_t n = strlen(o->url);

	if (!c)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	*out = c;
	c->max_response = o->max_response ? o->max_response :
			  PROM_DEFAULT_MAX_RESPONSE;
	c->timeout_ms = o->timeout_ms;
	while (n && o->url[n - 1] == '/')
		n--;
	if (asprintf(&c->query_url, "%.*s/api/v1/query", (int)n, o->url) < 0) {
		c->query_url = NULL;
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	}
	if (load_credentials(c, o, err) < 0)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    !(c->curl = curl_easy_init()))
		return ap_fail(err, AP_ERR_SYSTEM, 0, "cannot start libcurl");
	curl_easy_setopt(c->curl, CURLOPT_URL, c->query_url);
	/* Only the API over http(s): no file://, no redirects elsewhere. */
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_USERAGENT, "auditpeak/" AUDITPEAK_VERSION);
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, receive);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	if (o->ca_file)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->ca_file);
	if (c->userpwd) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c->curl, CURLOPT_USERPWD, c->userpwd);
	}
	if (c->headers)
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	return 0;
}

void prom_client_close(struct prom_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	ap_secret_file_free(c->userpwd);
	ap_secret_file_free(c->bearer);
	free(c->query_url);
	free(c->body);
	free(c);
}

void prom_client_counts(const struct prom_client *c, uint64_t *queries,
			uint64_t *bytes)
{
	*queries = c->queries;
	*bytes = c->bytes;
}

/* A transfer that failed before an HTTP answer arrived. */
static int transfer_error(const struct prom_client *c, CURLcode rc,
			  const char *detail, struct ap_error *err)
{
	const char *why = detail[0] ? detail : curl_easy_strerror(rc);

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return ap_fail(err, AP_ERR_TIMEOUT, ETIMEDOUT,
			       "Prometheus at %s did not answer within %llu ms",
			       c->query_url, (unsigned long long)c->timeout_ms);
	case CURLE_WRITE_ERROR:
		if (c->too_big)
			return ap_fail(err, AP_ERR_PROTOCOL, EMSGSIZE,
				       "Prometheus at %s sent an answer larger than %zu bytes: refused (narrow --selector)",
				       c->query_url, c->max_response);
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return ap_fail(err, AP_ERR_SYSTEM, EHOSTUNREACH,
			       "cannot reach Prometheus at %s: %s",
			       c->query_url, why);
	default:
		return ap_fail(err, AP_ERR_PROTOCOL, EPROTO,
			       "query to Prometheus at %s failed: %s",
			       c->query_url, why);
	}
}

int prom_query(struct prom_client *c, const char *promql, double at,
	       struct json_object **result, struct ap_error *err)
{
	char errbuf[CURL_ERROR_SIZE] = "", *q, *form;
	long status = 0;
	CURLcode rc;
	int ret;

	q = curl_easy_escape(c->curl, promql, 0);
	if (!q)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	/* POST: a selector can be longer than a URL may be. */
	ret = asprintf(&form, "query=%s&time=%.3f", q, at);
	curl_free(q);
	if (ret < 0)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	c->len = 0;
	c->too_big = false;
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, NULL);
	free(form);
	c->queries++;
	c->bytes += c->len;
	if (rc != CURLE_OK)
		return transfer_error(c, rc, errbuf, err);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	return prom_parse_answer(c->body ? c->body : "", c->len, status, promql,
				 result, err);
}

/* "bad_data: parse error ..." from an error envelope, if there is one. */
static bool envelope_error(struct json_object *root, char *out, size_t cap)
{
	struct json_object *status, *type, *msg;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "status", &status) ||
	    strcmp(json_object_get_string(status), "error") != 0)
		return false;
	json_object_object_get_ex(root, "errorType", &type);
	json_object_object_get_ex(root, "error", &msg);
	snprintf(out, cap, "%s: %s", type ? json_object_get_string(type) : "error",
		 msg ? json_object_get_string(msg) : "(no message)");
	return true;
}

int prom_parse_answer(const char *body, size_t len, long http_status,
		      const char *promql, struct json_object **result,
		      struct ap_error *err)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root = NULL, *status, *data, *type, *res;
	char why[200];
	int ret = -1;

	if (!tok)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	if (len <= INT32_MAX)
		root = json_tokener_parse_ex(tok, body, (int)len);
	if (root && json_tokener_get_parse_end(tok) < len) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	if (root && envelope_error(root, why, sizeof(why))) {
		/* 400/422: the query; 503/500: the server, on this query. */
		ap_fail(err, http_status == 400 || http_status == 422 ?
			AP_ERR_USAGE : AP_ERR_KERNEL, EINVAL,
			"Prometheus refused the query %.60s%s (HTTP %ld): %s",
			promql, strlen(promql) > 60 ? "..." : "", http_status, why);
		goto out;
	}
	if (http_status == 401 || http_status == 403) {
		ap_fail(err, AP_ERR_PERMISSION, EACCES,
			"Prometheus answered HTTP %ld: %s (check --basic-auth-file or --bearer-token-file)",
			http_status, http_status == 401 ? "not authorised" : "forbidden");
		goto out;
	}
	if (http_status < 200 || http_status > 299) {
		ap_fail(err, AP_ERR_KERNEL, EPROTO,
			"Prometheus answered HTTP %ld (is the URL the server's base, e.g. http://host:9090?)",
			http_status);
		goto out;
	}
	if (!root || !json_object_object_get_ex(root, "status", &status) ||
	    strcmp(json_object_get_string(status), "success") != 0 ||
	    !json_object_object_get_ex(root, "data", &data) ||
	    !json_object_object_get_ex(data, "resultType", &type) ||
	    !json_object_object_get_ex(data, "result", &res) ||
	    !json_object_is_type(res, json_type_array)) {
		ap_fail(err, AP_ERR_PROTOCOL, EPROTO,
			"the answer is not a Prometheus API answer (%zu bytes)", len);
		goto out;
	}
	if (strcmp(json_object_get_string(type), "vector") != 0) {
		ap_fail(err, AP_ERR_PROTOCOL, EPROTO,
			"Prometheus answered a %s where an instant vector was asked for",
			json_object_get_string(type));
		goto out;
	}
	*result = json_object_get(res);
	ret = 0;
out:
	json_object_put(root);
	return ret;
}

int prom_sample(struct json_object *elem, struct json_object **metric,
		double *value, struct ap_error *err)
{
	struct json_object *v, *text;
	const char *s;
	char *end;

	if (!json_object_object_get_ex(elem, "metric", metric) ||
	    !json_object_is_type(*metric, json_type_object) ||
	    !json_object_object_get_ex(elem, "value", &v) ||
	    !json_object_is_type(v, json_type_array) ||
	    json_object_array_length(v) != 2 ||
	    !(text = json_object_array_get_idx(v, 1)) ||
	    !json_object_is_type(text, json_type_string))
		return ap_fail(err, AP_ERR_PROTOCOL, EPROTO,
			       "a sample in Prometheus's answer is not {metric, value: [time, \"number\"]}");
	s = json_object_get_string(text);
	errno = 0;
	*value = strtod(s, &end);
	if (end == s || *end || errno == ERANGE)
		return ap_fail(err, AP_ERR_PROTOCOL, EPROTO,
			       "a sample value in Prometheus's answer is not a number: '%.40s'", s);
	return 0;
}

const char *prom_label(struct json_object *metric, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(metric, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}
