/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A Prometheus HTTP API client for `auditpeak advise --prometheus`:
 * instant queries (/api/v1/query) over libcurl, answers parsed by json-c.
 * One connection is reused for every query; every failure is one line
 * saying what went wrong (unreachable, timeout, HTTP status, a PromQL
 * error from the server, an oversized or malformed answer).
 */
#ifndef AUDITPEAK_FLEET_PROM_CLIENT_H
#define AUDITPEAK_FLEET_PROM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "auditpeak/error.h"

struct json_object;

/* Larger answers are refused: the fleet queries ask for one number per
 * host, so even 10,000 hosts answer in a few MiB. */
#define PROM_DEFAULT_MAX_RESPONSE (64u << 20)

struct prom_client_options {
	const char *url;               /* base URL, e.g. http://prom:9090 */
	const char *basic_auth_file;   /* "user:password" on its first line */
	const char *bearer_token_file; /* the token on its first line */
	const char *ca_file;           /* PEM CA bundle for https */
	uint64_t timeout_ms;           /* per query, connection included */
	size_t max_response;           /* bytes; 0: PROM_DEFAULT_MAX_RESPONSE */
};

struct prom_client;

int prom_client_open(struct prom_client **c,
		     const struct prom_client_options *o,
		     struct ap_error *err);
void prom_client_close(struct prom_client *c);

/*
 * Evaluate @promql at unix time @at.  On success *result is the answer's
 * data.result array (an instant vector), owned by the caller
 * (json_object_put).  Queries and bytes received are counted for the
 * report.
 */
int prom_query(struct prom_client *c, const char *promql, double at,
	       struct json_object **result, struct ap_error *err);

/* How many queries were made and how many bytes they returned. */
void prom_client_counts(const struct prom_client *c, uint64_t *queries,
			uint64_t *bytes);

/*
 * Parse the body of a Prometheus API answer (already received whole):
 * @http_status is the HTTP status code.  Exposed for the unit tests, which
 * feed it the answers a server gives.
 */
int prom_parse_answer(const char *body, size_t len, long http_status,
		      const char *promql, struct json_object **result,
		      struct ap_error *err);

/*
 * One sample of an instant vector: its labels object and its value.
 * Returns -1 (with @err) when the element is not {"metric":{}, "value":
 * [t, "v"]} or the value is not a number.
 */
int prom_sample(struct json_object *elem, struct json_object **metric,
		double *value, struct ap_error *err);

/* A label's value, or "" when absent. */
const char *prom_label(struct json_object *metric, const char *name);

#endif /* AUDITPEAK_FLEET_PROM_CLIENT_H */
