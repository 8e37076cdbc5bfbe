// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

#include "fleet_report.h"

#define MIB 1048576.0

static void notes_text(unsigned notes, char *out, size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < FLEET_NOTES; i++)
		if (notes & (1u << i))
			used += (size_t)snprintf(out + used, used < cap ? cap - used : 0,
						 "%s%s", used ? "," : "",
						 fleet_note_name(i));
	if (!used)
		snprintf(out, cap, "-");
}

static const char *host_name(const struct fleet_row *r)
{
	return r->host->instance[0] ? r->host->instance : "(no instance label)";
}

/* "123" or "-" for a value that is not known. */
static const char *num(bool known, uint64_t v, char *buf, size_t cap)
{
	if (!known)
		return "-";
	snprintf(buf, cap, "%" PRIu64, v);
	return buf;
}

static void summary_line(FILE *out, const struct fleet_summary *s)
{
	fprintf(out,
		"fleet: %zu hosts; raise %zu (+%.1f MiB), lower %zu (-%.1f MiB), keep %zu, unknown %zu (a lower bound at or under its limit, or lost records), unlimited %zu, no evidence %zu; net %+.1f MiB in the main queue (up to %dx that with kauditd's retry and hold queues full)\n",
		s->hosts, s->by_verdict[FLEET_RAISE], s->bytes_needed / MIB,
		s->by_verdict[FLEET_LOWER], s->bytes_freed / MIB,
		s->by_verdict[FLEET_KEEP], s->by_verdict[FLEET_UNKNOWN],
		s->by_verdict[FLEET_UNLIMITED], s->by_verdict[FLEET_NO_EVIDENCE],
		(s->bytes_needed - s->bytes_freed) / MIB, AP_ADVICE_QUEUES);
}

static void print_table(FILE *out, const struct fleet_context *c,
			const struct fleet_row *rows, size_t n,
			const struct fleet_summary *s)
{
	int w = 8;
	char b[6][24], notes[160];

	for (size_t i = 0; i < n; i++) {
		int l = (int)strlen(host_name(&rows[i]));

		w = l > w ? l : w;
	}
	fprintf(out, "# %s %s, range %" PRIu64 " s to %.0f, headroom %u %%; p50/p99 are bucket bounds (at most 2x high); MiB at the advised limit, main queue\n",
		c->url, c->selector, c->range_s, c->at, c->headroom_percent);
	fprintf(out, "%-*s %-7s %-5s %7s %7s %7s %7s %8s %8s %-11s %8s %8s %s\n",
		w, "HOST", "SOURCE", "EXACT", "WINDOWS", "P50", "P99", "MAX",
		"LIMIT", "ADVISE", "VERDICT", "MIB", "LOST", "NOTES");
	for (size_t i = 0; i < n; i++) {
		const struct fleet_row *r = &rows[i];
		const struct ap_advice *a = &r->advice;

		notes_text(r->notes, notes, sizeof(notes));
		fprintf(out, "%-*s %-7s %-5s %7" PRIu64 " %7s %7s %7s %8s %8s %-11s %8.1f %8" PRIu64 " %s\n",
			w, host_name(r), r->host->source[0] ? r->host->source : "?",
			r->exact ? "yes" : "no", a->windows,
			num(a->have_percentiles, a->p50, b[0], sizeof(b[0])),
			num(a->have_percentiles, a->p99, b[1], sizeof(b[1])),
			num(a->have_percentiles || r->in.have_max, a->max, b[2], sizeof(b[2])),
			num(r->host->have_limit, r->in.current_limit, b[3], sizeof(b[3])),
			num(a->have_recommendation, a->recommended, b[4], sizeof(b[4])),
			fleet_verdict_name(r->verdict), a->memory_bytes / MIB,
			r->in.lost, notes);
	}
	summary_line(out, s);
}

static void csv_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void print_csv(FILE *out, const struct fleet_row *rows, size_t n)
{
	char b[6][24], notes[160];

	fputs("job,instance,source,exact,windows,p50,p99,max,limit,recommended,verdict,memory_bytes,memory_worst_bytes,delta_bytes,lost,bytes_per_record,bytes_per_record_source,notes\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		const struct fleet_row *r = &rows[i];
		const struct ap_advice *a = &r->advice;

		csv_field(out, r->host->job);
		fputc(',', out);
		csv_field(out, r->host->instance);
		notes_text(r->notes, notes, sizeof(notes));
		fprintf(out, ",%s,%s,%" PRIu64 ",%s,%s,%s,%s,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRId64 ",%" PRIu64 ",%u,%s,",
			r->host->source, r->exact ? "true" : "false", a->windows,
			a->have_percentiles ? num(true, a->p50, b[0], 24) : "",
			a->have_percentiles ? num(true, a->p99, b[1], 24) : "",
			a->have_percentiles || r->in.have_max ? num(true, a->max, b[2], 24) : "",
			r->host->have_limit ? num(true, r->in.current_limit, b[3], 24) : "",
			a->have_recommendation ? num(true, a->recommended, b[4], 24) : "",
			fleet_verdict_name(r->verdict), a->memory_bytes,
			a->memory_worst_bytes, r->delta_bytes, r->in.lost,
			r->in.bytes_per_record,
			r->evidence.record_bytes_given ? "given" :
			r->evidence.records_sized ? "measured" : "estimate");
		csv_field(out, notes);
		fputc('\n', out);
	}
}

static struct json_object *opt_u64(bool known, uint64_t v)
{
	return known ? json_object_new_uint64(v) : NULL;
}

static struct json_object *host_json(const struct fleet_row *r)
{
	const struct ap_advice *a = &r->advice;
	char w[ADVISE_MAX_WARNINGS][ADVISE_WARNING_MAX];
	int nw = advise_warnings(&r->evidence, w);
	struct json_object *o = json_object_new_object();
	struct json_object *peaks = json_object_new_object();
	struct json_object *notes = json_object_new_array();
	struct json_object *warnings = json_object_new_array();

	json_object_object_add(o, "job", json_object_new_string(r->host->job));
	json_object_object_add(o, "instance", json_object_new_string(r->host->instance));
	json_object_object_add(o, "peak_source", json_object_new_string(r->host->source));
	json_object_object_add(o, "peak_exact", json_object_new_boolean(r->exact));
	json_object_object_add(o, "windows", json_object_new_uint64(a->windows));
	json_object_object_add(o, "window_seconds",
			       r->host->have_window_seconds ?
			       json_object_new_double(r->host->window_seconds) : NULL);
	json_object_object_add(peaks, "p50", opt_u64(a->have_percentiles, a->p50));
	json_object_object_add(peaks, "p99", opt_u64(a->have_percentiles, a->p99));
	json_object_object_add(peaks, "max",
			       opt_u64(a->have_percentiles || r->in.have_max, a->max));
	json_object_object_add(o, "window_peaks", peaks);
	json_object_object_add(o, "current_backlog_limit",
			       opt_u64(r->host->have_limit, r->in.current_limit));
	json_object_object_add(o, "recommended_backlog_limit",
			       opt_u64(a->have_recommendation, a->recommended));
	json_object_object_add(o, "verdict",
			       json_object_new_string(fleet_verdict_name(r->verdict)));
	json_object_object_add(o, "memory_bytes",
			       opt_u64(a->have_recommendation, a->memory_bytes));
	json_object_object_add(o, "memory_worst_bytes",
			       opt_u64(a->have_recommendation, a->memory_worst_bytes));
	json_object_object_add(o, "delta_bytes", json_object_new_int64(r->delta_bytes));
	json_object_object_add(o, "bytes_per_record",
			       json_object_new_uint64(r->in.bytes_per_record));
	json_object_object_add(o, "bytes_per_record_source",
			       json_object_new_string(r->evidence.record_bytes_given ? "given" :
						      r->evidence.records_sized ? "measured" : "estimate"));
	json_object_object_add(o, "lost", json_object_new_uint64(r->in.lost));
	json_object_object_add(o, "wait_time_seconds",
			       r->have_wait_seconds ? json_object_new_double(r->wait_seconds) : NULL);
	json_object_object_add(o, "wait_time_jiffies",
			       json_object_new_uint64(r->evidence.wait_jiffies));
	for (int i = 0; i < FLEET_NOTES; i++)
		if (r->notes & (1u << i))
			json_object_array_add(notes, json_object_new_string(fleet_note_name(i)));
	json_object_object_add(o, "notes", notes);
	for (int i = 0; i < nw; i++)
		json_object_array_add(warnings, json_object_new_string(w[i]));
	json_object_object_add(o, "warnings", warnings);
	return o;
}

/* Host by host, so 10,000 hosts never sit in one JSON tree. */
static void print_json(FILE *out, const struct fleet_context *c,
		       const struct fleet_row *rows, size_t n,
		       const struct fleet_summary *s)
{
	struct json_object *head = json_object_new_object();
	struct json_object *fleet = json_object_new_object();
	struct json_object *v = json_object_new_object();

	json_object_object_add(head, "prometheus", json_object_new_string(c->url));
	json_object_object_add(head, "selector", json_object_new_string(c->selector));
	json_object_object_add(head, "range_seconds", json_object_new_uint64(c->range_s));
	json_object_object_add(head, "at", json_object_new_double(c->at));
	json_object_object_add(head, "headroom_percent",
			       json_object_new_uint64(c->headroom_percent));
	json_object_object_add(head, "queries", json_object_new_uint64(c->queries));
	json_object_object_add(head, "response_bytes", json_object_new_uint64(c->bytes));
	fprintf(out, "{\"query\": %s,\n \"hosts\": [",
		json_object_to_json_string_ext(head, JSON_C_TO_STRING_PLAIN));
	json_object_put(head);
	for (size_t i = 0; i < n; i++) {
		struct json_object *h = host_json(&rows[i]);

		fprintf(out, "%s\n  %s", i ? "," : "",
			json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN));
		json_object_put(h);
	}
	json_object_object_add(fleet, "hosts", json_object_new_uint64(s->hosts));
	for (int i = 0; i < FLEET_VERDICTS; i++)
		json_object_object_add(v, fleet_verdict_name(i),
				       json_object_new_uint64(s->by_verdict[i]));
	json_object_object_add(fleet, "verdicts", v);
	json_object_object_add(fleet, "bytes_needed", json_object_new_int64(s->bytes_needed));
	json_object_object_add(fleet, "bytes_freed", json_object_new_int64(s->bytes_freed));
	json_object_object_add(fleet, "net_bytes",
			       json_object_new_int64(s->bytes_needed - s->bytes_freed));
	json_object_object_add(fleet, "worst_case_factor",
			       json_object_new_int(AP_ADVICE_QUEUES));
	fprintf(out, "\n ],\n \"fleet\": %s}\n",
		json_object_to_json_string_ext(fleet, JSON_C_TO_STRING_PLAIN));
	json_object_put(fleet);
}

void fleet_print(FILE *out, enum fleet_format f, const struct fleet_context *c,
		 const struct fleet_row *rows, size_t n,
		 const struct fleet_summary *s)
{
	switch (f) {
	case FLEET_JSON:
		print_json(out, c, rows, n, s);
		break;
	case FLEET_CSV:
		print_csv(out, rows, n);
		summary_line(stderr, s); /* the CSV stays one row a host */
		break;
	default:
		print_table(out, c, rows, n, s);
	}
}
