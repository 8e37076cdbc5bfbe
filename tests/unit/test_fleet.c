// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * advise --prometheus without a server: the answers Prometheus gives
 * (success, error envelopes, odd shapes) parse as they should, a host's
 * counters become the range's histogram (also across a restart of serve),
 * a window above the scraped max raises the max, and a lower bound is never
 * judged sufficient.  The real server is tests/exporter/advise_fleet.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "fleet/fleet_advice.h"
#include "fleet/prom_client.h"

static int parse(const char *body, long status, struct json_object **res,
		 struct ap_error *err)
{
	return prom_parse_answer(body, strlen(body), status, "q", res, err);
}

static void answers(void **state)
{
	struct json_object *res, *metric;
	struct ap_error err;
	double v;

	(void)state;
	assert_int_equal(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":"
			       "[{\"metric\":{\"instance\":\"a:1\",\"job\":\"j\"},\"value\":[1.5,\"42\"]}]}}",
			       200, &res, &err), 0);
	assert_int_equal(json_object_array_length(res), 1);
	assert_int_equal(prom_sample(json_object_array_get_idx(res, 0), &metric, &v, &err), 0);
	assert_true(v == 42);
	assert_string_equal(prom_label(metric, "instance"), "a:1");
	assert_string_equal(prom_label(metric, "absent"), "");
	json_object_put(res);

	/* PromQL error: the server's words, as a usage error for 400. */
	assert_int_equal(parse("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error: unexpected\"}",
			       400, &res, &err), -1);
	assert_int_equal(err.code, AP_ERR_USAGE);
	assert_non_null(strstr(err.msg, "bad_data: parse error: unexpected"));
	/* The same envelope from an overloaded server is not the user's fault. */
	assert_int_equal(parse("{\"status\":\"error\",\"errorType\":\"timeout\",\"error\":\"query timed out\"}",
			       503, &res, &err), -1);
	assert_int_equal(err.code, AP_ERR_KERNEL);
	assert_int_equal(parse("", 401, &res, &err), -1);
	assert_int_equal(err.code, AP_ERR_PERMISSION);
	assert_int_equal(parse("<html>", 404, &res, &err), -1);
	assert_int_equal(err.code, AP_ERR_KERNEL);
	assert_non_null(strstr(err.msg, "HTTP 404"));
	/* 200 but not the API: a page, trailing junk, a matrix, a truncation. */
	assert_int_equal(parse("<html>", 200, &res, &err), -1);
	assert_int_equal(err.code, AP_ERR_PROTOCOL);
	assert_int_equal(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}} x",
			       200, &res, &err), -1);
	assert_int_equal(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[]}}",
			       200, &res, &err), -1);
	assert_non_null(strstr(err.msg, "matrix"));
	assert_int_equal(parse("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[",
			       200, &res, &err), -1);
	/* Only the bytes received are read: a length short of the NUL. */
	assert_int_equal(prom_parse_answer("{\"status\":\"success\"}xx", 5, 200, "q",
					   &res, &err), -1);
}

static void bad_samples(void **state)
{
	const char *bad[] = {
		"{\"metric\":{},\"value\":[1,\"x\"]}",
		"{\"metric\":{},\"value\":[1,42]}",
		"{\"metric\":{},\"value\":[1]}",
		"{\"value\":[1,\"1\"]}",
		"[]",
	};
	struct json_object *metric;
	struct ap_error err;
	double v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct json_object *o = json_tokener_parse(bad[i]);

		assert_non_null(o);
		assert_int_equal(prom_sample(o, &metric, &v, &err), -1);
		assert_int_equal(err.code, AP_ERR_PROTOCOL);
		json_object_put(o);
	}
}

static void selectors(void **state)
{
	char q[128];

	(void)state;
	assert_int_equal(fleet_selector_query("{job=\"a\"}", "m", "le=\"1\"", q, sizeof(q)), 0);
	assert_string_equal(q, "m{job=\"a\",le=\"1\"}");
	assert_int_equal(fleet_selector_query("{job=\"a\",}", "m", "", q, sizeof(q)), 0);
	assert_string_equal(q, "m{job=\"a\"}");
	assert_int_equal(fleet_selector_query("{}", "m", "le=\"1\"", q, sizeof(q)), 0);
	assert_string_equal(q, "m{le=\"1\"}");
	assert_int_equal(fleet_selector_query("job=\"a\"", "m", "", q, sizeof(q)), -1);
	assert_int_equal(fleet_selector_query("{job=\"a\"}", "m", "", q, 8), -1);
}

static void counter(struct fleet_counter *c, double first, double last)
{
	c->have_first = c->have_last = true;
	c->first = first;
	c->last = last;
}

/* A host whose windows of the range were: 3 of peak 0, 5 of 100, 2 of 3000. */
static void host(struct fleet_host *h, double base)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->instance, sizeof(h->instance), "h:1");
	snprintf(h->source, sizeof(h->source), "kernel");
	h->source_exact = true;
	h->have_max = true;
	h->max_peak = 3000;
	h->have_limit = true;
	h->limit = 8192;
	for (int b = 0; b < AP_WINDOW_PEAK_FINITE_BUCKETS; b++) {
		uint64_t bound = ap_window_bucket_bound(b);
		double cum = 3 + (bound >= 100 ? 5 : 0) + (bound >= 3000 ? 2 : 0);

		counter(&h->buckets[b], base, base + cum);
	}
	counter(&h->count, base, base + 10);
}

static void histogram_from_counters(void **state)
{
	struct ap_window_histogram hist;
	struct fleet_host h;
	bool restarted = false;

	(void)state;
	host(&h, 1000);
	assert_true(fleet_window_histogram(&h, &hist, &restarted));
	assert_false(restarted);
	assert_int_equal(hist.count, 10);
	assert_int_equal(hist.bucket[0], 3);  /* le 0 */
	assert_int_equal(hist.bucket[8], 5);  /* le 128 */
	assert_int_equal(hist.bucket[13], 2); /* le 4096 */
	/* serve lost its state file: counts start again below the start's. */
	host(&h, 0);
	counter(&h.count, 500, 10);
	assert_true(fleet_window_histogram(&h, &hist, &restarted));
	assert_true(restarted);
	assert_int_equal(hist.count, 10);
	assert_int_equal(hist.bucket[8], 5);
	/* No count at all: no histogram. */
	memset(&h, 0, sizeof(h));
	assert_false(fleet_window_histogram(&h, &hist, &restarted));
}

static const struct fleet_advice_options opts = {
	.headroom_percent = 200, .record_bytes = 2304,
};

static void advice_and_verdicts(void **state)
{
	struct fleet_row r;
	struct fleet_host h;
	struct fleet_summary s;

	(void)state;
	host(&h, 0);
	fleet_advise_host(&h, &opts, &r);
	assert_int_equal(r.advice.max, 3000);
	assert_int_equal(r.advice.recommended, 6016); /* 2 x 3000, to 64 */
	assert_int_equal(r.verdict, FLEET_LOWER);
	assert_int_equal(r.delta_bytes, (6016LL - 8192) * 2304);

	/* The same peaks as a lower bound: never "lower" or "keep". */
	snprintf(h.source, sizeof(h.source), "sample");
	h.source_exact = false;
	fleet_advise_host(&h, &opts, &r);
	assert_int_equal(r.verdict, FLEET_UNKNOWN);
	assert_int_equal(r.delta_bytes, 0);
	assert_true(r.notes & FLEET_NOTE_LOWER_BOUND);
	/* One inexact window does the same on an exact source. */
	host(&h, 0);
	h.lower_bound_window = true;
	fleet_advise_host(&h, &opts, &r);
	assert_int_equal(r.verdict, FLEET_UNKNOWN);
	/* A lower bound above the limit proves the limit short. */
	h.limit = 1024;
	fleet_advise_host(&h, &opts, &r);
	assert_int_equal(r.verdict, FLEET_RAISE);

	/* A window above the scraped max (never scraped) raises the max to
	 * its bucket's bound. */
	host(&h, 0);
	h.max_peak = 100;
	fleet_advise_host(&h, &opts, &r);
	assert_int_equal(r.advice.max, 4096);
	assert_true(r.notes & FLEET_NOTE_UNSCRAPED_PEAK);

	/* Unlimited and no evidence. */
	host(&h, 0);
	h.limit = 0;
	fleet_advise_host(&h, &opts, &r);
	assert_int_equal(r.verdict, FLEET_UNLIMITED);
	memset(&h, 0, sizeof(h));
	fleet_advise_host(&h, &opts, &r);
	assert_int_equal(r.verdict, FLEET_NO_EVIDENCE);

	/* Measured record size: bytes / records over the range, rounded up. */
	host(&h, 0);
	counter(&h.record_bytes, 0, 10001);
	counter(&h.records_sized, 0, 4);
	fleet_advise_host(&h, &opts, &r);
	assert_int_equal(r.in.bytes_per_record, 2501);
	assert_int_equal(r.evidence.records_sized, 4);

	{
		struct fleet_row rows[3];
		struct fleet_host hs[3];

		host(&hs[0], 0);            /* lower: frees (8192 - 6016) x 2304 */
		host(&hs[1], 0);
		hs[1].limit = 1024;         /* raise: needs (6016 - 1024) x 2304 */
		host(&hs[2], 0);
		hs[2].limit = 6016;         /* keep */
		for (int i = 0; i < 3; i++)
			fleet_advise_host(&hs[i], &opts, &rows[i]);
		fleet_summarise(rows, 3, &s);
		assert_int_equal(s.by_verdict[FLEET_LOWER], 1);
		assert_int_equal(s.by_verdict[FLEET_RAISE], 1);
		assert_int_equal(s.by_verdict[FLEET_KEEP], 1);
		assert_int_equal(s.bytes_freed, (8192LL - 6016) * 2304);
		assert_int_equal(s.bytes_needed, (6016LL - 1024) * 2304);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(answers),
		cmocka_unit_test(bad_samples),
		cmocka_unit_test(selectors),
		cmocka_unit_test(histogram_from_counters),
		cmocka_unit_test(advice_and_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
