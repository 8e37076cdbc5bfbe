// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fleet_evidence.h"

/* Prometheus's default lookback: the value "at" an instant is the last
 * sample at most this old. */
#define LOOKBACK "5m"
#define SELECTOR_MAX 1024
#define QUERY_MAX (4 * SELECTOR_MAX)

/* snprintf into a query buffer; a selector too long for it is refused. */
static int __attribute__((format(printf, 4, 5)))
compose(struct ap_error *err, char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap)
		return ap_fail(err, AP_ERR_USAGE, E2BIG,
			       "--selector is too long (at most %d bytes)",
			       SELECTOR_MAX / 2);
	return 0;
}

int fleet_selector_query(const char *selector, const char *name,
			 const char *extra, char *out, size_t cap)
{
	size_t n = strlen(selector);
	const char *inner = "";
	int inner_len = 0, w;

	if (n) {
		if (n < 2 || selector[0] != '{' || selector[n - 1] != '}')
			return -1;
		inner = selector + 1;
		inner_len = (int)(n - 2);
		while (inner_len && (inner[inner_len - 1] == ' ' ||
				     inner[inner_len - 1] == ','))
			inner_len--;
	}
	w = snprintf(out, cap, "%s{%.*s%s%s}", name, inner_len, inner,
		     inner_len && extra[0] ? "," : "", extra);
	return w < 0 || (size_t)w >= cap ? -1 : 0;
}

static int cmp_host(const void *a, const void *b)
{
	const struct fleet_host *x = a, *y = b;
	int c = strcmp(x->job, y->job);

	return c ? c : strcmp(x->instance, y->instance);
}

static struct fleet_host *find_host(struct fleet *f, struct json_object *metric)
{
	struct fleet_host key;

	snprintf(key.job, sizeof(key.job), "%s", prom_label(metric, "job"));
	snprintf(key.instance, sizeof(key.instance), "%s",
		 prom_label(metric, "instance"));
	return bsearch(&key, f->hosts, f->n, sizeof(key), cmp_host);
}

typedef void (*apply_fn)(struct fleet_host *h, struct json_object *metric,
			 double v, void *arg);

/* Run @promql and hand each sample to @fn with its host. */
static int query_each(struct prom_client *c, const char *promql, double at,
		      struct fleet *f, apply_fn fn, void *arg,
		      struct ap_error *err)
{
	struct json_object *res, *metric;
	size_t n;
	double v;
	int ret = 0;

	if (prom_query(c, promql, at, &res, err) < 0)
		return -1;
	n = json_object_array_length(res);
	for (size_t i = 0; i < n && ret == 0; i++) {
		struct fleet_host *h;

		if (prom_sample(json_object_array_get_idx(res, i), &metric, &v,
				err) < 0) {
			ret = -1;
			break;
		}
		h = find_host(f, metric);
		if (h)
			fn(h, metric, v, arg);
	}
	json_object_put(res);
	return ret;
}

/* ---- the host list, from the peak source of each ---- */

static int list_hosts(struct prom_client *c, const struct fleet_query_options *o,
		      struct fleet *f, struct ap_error *err)
{
	struct json_object *res, *metric;
	char sel[SELECTOR_MAX], q[QUERY_MAX];
	size_t n, out = 0;
	double v;

	if (fleet_selector_query(o->selector, "auditpeak_peak_source_info", "",
				 sel, sizeof(sel)) < 0)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "--selector '%s' is not a series selector like {job=\"auditpeak\"}",
			       o->selector);
	if (compose(err, q, sizeof(q), "last_over_time(%s[%llus])", sel,
		    (unsigned long long)o->range_s) < 0 ||
	    prom_query(c, q, o->at, &res, err) < 0)
		return -1;
	n = json_object_array_length(res);
	if (n == 0) {
		json_object_put(res);
		return ap_fail(err, AP_ERR_UNSUPPORTED, ENOENT,
			       "no auditpeak serve matched %s in the last %llus: no series of auditpeak_peak_source_info (check --selector and --range)",
			       o->selector, (unsigned long long)o->range_s);
	}
	f->hosts = calloc(n, sizeof(*f->hosts));
	if (!f->hosts) {
		json_object_put(res);
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		struct fleet_host *h = &f->hosts[out];

		if (prom_sample(json_object_array_get_idx(res, i), &metric, &v,
				err) < 0) {
			json_object_put(res);
			return -1;
		}
		snprintf(h->job, sizeof(h->job), "%s", prom_label(metric, "job"));
		snprintf(h->instance, sizeof(h->instance), "%s",
			 prom_label(metric, "instance"));
		snprintf(h->source, sizeof(h->source), "%s",
			 prom_label(metric, "source"));
		h->source_exact = strcmp(prom_label(metric, "exact"), "true") == 0;
		out++;
	}
	json_object_put(res);
	qsort(f->hosts, out, sizeof(*f->hosts), cmp_host);
	/* A host whose source changed in the range has one series per
	 * source: keep one entry, exact only if every source was. */
	f->n = 0;
	for (size_t i = 0; i < out; i++) {
		struct fleet_host *prev = f->n ? &f->hosts[f->n - 1] : NULL;

		if (prev && cmp_host(prev, &f->hosts[i]) == 0) {
			prev->source_changed = true;
			if (!f->hosts[i].source_exact) {
				memcpy(prev->source, f->hosts[i].source,
				       sizeof(prev->source));
				prev->source_exact = false;
			}
			continue;
		}
		f->hosts[f->n++] = f->hosts[i];
	}
	return 0;
}

/* ---- gauges ---- */

/* A whole-number gauge: where its flag and value sit in struct fleet_host. */
struct u32_slot {
	size_t have, value;
};

static void set_u32(struct fleet_host *h, struct json_object *m, double v,
		    void *arg)
{
	const struct u32_slot *s = arg;

	(void)m;
	if (v >= 0 && v <= UINT32_MAX) {
		*(bool *)((char *)h + s->have) = true;
		*(uint32_t *)((char *)h + s->value) = (uint32_t)v;
	}
}

static void set_exact_min(struct fleet_host *h, struct json_object *m,
			  double v, void *arg)
{
	(void)m;
	(void)arg;
	h->lower_bound_window = v < 1;
}

static void set_window(struct fleet_host *h, struct json_object *m, double v,
		       void *arg)
{
	(void)m;
	(void)arg;
	if (v > 0 && isfinite(v)) {
		h->have_window_seconds = true;
		h->window_seconds = v;
	}
}

static int gauge(struct prom_client *c, const struct fleet_query_options *o,
		 struct fleet *f, const char *fn, const char *metric,
		 apply_fn apply, void *arg, struct ap_error *err)
{
	char sel[SELECTOR_MAX], q[QUERY_MAX];

	if (fleet_selector_query(o->selector, metric, "", sel, sizeof(sel)) < 0 ||
	    compose(err, q, sizeof(q), "%s(%s[%llus])", fn, sel,
		    (unsigned long long)o->range_s) < 0)
		return ap_fail(err, AP_ERR_USAGE, E2BIG, "--selector is too long");
	return query_each(c, q, o->at, f, apply, arg, err);
}

/* ---- counters: the value at the end and at the start of the range ---- */

struct counter_slot {
	size_t offset; /* of the struct fleet_counter in struct fleet_host */
	bool first;
};

static void set_counter(struct fleet_host *h, struct json_object *m, double v,
			void *arg)
{
	const struct counter_slot *s = arg;
	struct fleet_counter *fc = (void *)((char *)h + s->offset);

	(void)m;
	if (!isfinite(v) || v < 0)
		return;
	if (s->first) {
		fc->have_first = true;
		fc->first = v;
	} else {
		fc->have_last = true;
		fc->last = v;
	}
}

static int counter(struct prom_client *c, const struct fleet_query_options *o,
		   struct fleet *f, const char *metric, const char *extra,
		   size_t offset, struct ap_error *err)
{
	char sel[SELECTOR_MAX], q[QUERY_MAX];
	struct counter_slot last = { offset, false }, first = { offset, true };
	unsigned long long r = (unsigned long long)o->range_s;

	if (fleet_selector_query(o->selector, metric, extra, sel, sizeof(sel)) < 0)
		return ap_fail(err, AP_ERR_USAGE, E2BIG, "--selector is too long");
	if (compose(err, q, sizeof(q), "last_over_time(%s[%llus])", sel, r) < 0 ||
	    query_each(c, q, o->at, f, set_counter, &last, err) < 0)
		return -1;
	/* The value at the range's start; a host that started inside the
	 * range has none, and its first sample in the range stands in (a
	 * counter's first value is its smallest until it restarts). */
	if (compose(err, q, sizeof(q),
		    "last_over_time(%s[" LOOKBACK "] offset %llus) or min_over_time(%s[%llus])",
		    sel, r, sel, r) < 0)
		return -1;
	return query_each(c, q, o->at, f, set_counter, &first, err);
}

#define SLOT(member) offsetof(struct fleet_host, member)

int fleet_gather(struct prom_client *c, const struct fleet_query_options *o,
		 struct fleet *f, struct ap_error *err)
{
	static const struct {
		const char *metric;
		size_t offset;
	} counters[] = {
		{ "auditpeak_window_peak_count", SLOT(count) },
		{ "auditpeak_lost_total", SLOT(lost) },
		{ "auditpeak_backlog_wait_time_actual_seconds_total", SLOT(wait_seconds) },
		{ "auditpeak_backlog_wait_time_actual_jiffies_total", SLOT(wait_jiffies) },
		{ "auditpeak_queued_record_size_bytes_sum", SLOT(record_bytes) },
		{ "auditpeak_queued_record_size_bytes_count", SLOT(records_sized) },
	};
	struct u32_slot max = { SLOT(have_max), SLOT(max_peak) };
	struct u32_slot limit = { SLOT(have_limit), SLOT(limit) };
	char le[64];

	memset(f, 0, sizeof(*f));
	if (list_hosts(c, o, f, err) < 0 ||
	    gauge(c, o, f, "max_over_time", "auditpeak_last_window_peak",
		  set_u32, &max, err) < 0 ||
	    gauge(c, o, f, "min_over_time", "auditpeak_last_window_peak_exact",
		  set_exact_min, NULL, err) < 0 ||
	    gauge(c, o, f, "last_over_time", "auditpeak_backlog_limit",
		  set_u32, &limit, err) < 0 ||
	    gauge(c, o, f, "last_over_time", "auditpeak_window_seconds",
		  set_window, NULL, err) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (counter(c, o, f, counters[i].metric, "", counters[i].offset,
			    err) < 0)
			goto fail;
	/* One bucket at a time: one number per host per answer.  Prometheus
	 * 2 keeps `le` as exposed ("1024"), 3 normalises it ("1024.0"). */
	for (int b = 0; b < AP_WINDOW_PEAK_FINITE_BUCKETS; b++) {
		snprintf(le, sizeof(le), "le=~\"%llu(\\\\.0)?\"",
			 (unsigned long long)ap_window_bucket_bound(b));
		if (counter(c, o, f, "auditpeak_window_peak_bucket", le,
			    SLOT(buckets) + b * sizeof(struct fleet_counter),
			    err) < 0)
			goto fail;
	}
	return 0;
fail:
	fleet_free(f);
	return -1;
}

void fleet_free(struct fleet *f)
{
	free(f->hosts);
	f->hosts = NULL;
	f->n = 0;
}

double fleet_counter_increase(const struct fleet_counter *c, bool *restarted)
{
	if (!c->have_last)
		return 0;
	if (!c->have_first)
		return c->last;
	if (c->last < c->first) {
		*restarted = true;
		return c->last;
	}
	return c->last - c->first;
}

bool fleet_window_histogram(const struct fleet_host *h,
			    struct ap_window_histogram *out, bool *restarted)
{
	bool reset = false;
	double below = 0, total;

	memset(out, 0, sizeof(*out));
	if (!h->count.have_last)
		return false;
	/* A restart shows in the count first: then every bucket counts from
	 * that restart, not from the range's start. */
	total = fleet_counter_increase(&h->count, &reset);
	for (int b = 0; b < AP_WINDOW_PEAK_FINITE_BUCKETS; b++) {
		const struct fleet_counter *bc = &h->buckets[b];
		bool torn = false;
		double cum = reset ? bc->last : fleet_counter_increase(bc, &torn);

		if (cum < below) /* not cumulative: a torn scrape */
			cum = below;
		if (cum > total)
			cum = total;
		out->bucket[b] = (uint64_t)llround(cum - below);
		below = cum;
	}
	out->bucket[AP_WINDOW_PEAK_FINITE_BUCKETS] = (uint64_t)llround(total - below);
	out->count = (uint64_t)llround(total);
	*restarted |= reset;
	return true;
}
