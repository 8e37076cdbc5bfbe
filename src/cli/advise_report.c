// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>

#include "advise_report.h"

/* Warnings in every format come from this one list. */
int advise_warnings(const struct advise_evidence *e,
		    char w[ADVISE_MAX_WARNINGS][ADVISE_WARNING_MAX])
{
	const struct ap_advice *a = e->advice;
	int n = 0;

	if (!a->have_recommendation)
		snprintf(w[n++], ADVISE_WARNING_MAX, "no peak was observed: nothing to size from");
	if (a->too_few_windows)
		snprintf(w[n++], ADVISE_WARNING_MAX,
			 "evidence too short to trust: %" PRIu64 " window peak%s, want at least %d",
			 a->windows, a->windows == 1 ? "" : "s",
			 AP_ADVICE_MIN_WINDOWS);
	if (a->under_a_day)
		snprintf(w[n++], ADVISE_WARNING_MAX,
			 "evidence shorter than a day: daily jobs (cron, backups, logrotate) may not be in it");
	if (a->limit_reached)
		snprintf(w[n++], ADVISE_WARNING_MAX,
			 "the queue reached its limit or lost records: the real demand is higher than observed, the recommendation is a floor");
	if (e->source && !e->exact)
		snprintf(w[n++], ADVISE_WARNING_MAX,
			 "peak source %s is a lower bound: bursts between samples are missed",
			 e->source);
	if (!e->owner && e->source)
		snprintf(w[n++], ADVISE_WARNING_MAX,
			 "windows were not closed (read-only): the max is the kernel's since its last reset");
	return n;
}

static void print_duration(FILE *out, double s)
{
	if (s >= 3600)
		fprintf(out, "%.1f h", s / 3600);
	else if (s >= 60)
		fprintf(out, "%.1f min", s / 60);
	else
		fprintf(out, "%.1f s", s);
}

void advise_print_text(FILE *out, const struct advise_evidence *e)
{
	const struct ap_advice_input *in = e->in;
	const struct ap_advice *a = e->advice;
	char w[ADVISE_MAX_WARNINGS][ADVISE_WARNING_MAX];
	int nw = advise_warnings(e, w);

	if (a->have_recommendation)
		fprintf(out, "recommended backlog_limit: %u\naudit.rules line: -b %u\n",
			a->recommended, a->recommended);
	else
		fprintf(out, "recommended backlog_limit: none (no evidence)\n");
	fprintf(out, "evidence: %s, %" PRIu64 " window%s", e->origin,
		a->windows, a->windows == 1 ? "" : "s");
	if (e->window_seconds > 0)
		fprintf(out, " of %.3g s", e->window_seconds);
	if (in->duration_seconds > 0) {
		fprintf(out, ", ");
		print_duration(out, in->duration_seconds);
	}
	fprintf(out, "\npeak source: %s%s\n", e->source ? e->source : "unknown",
		e->source ? (e->exact ? " (exact)" : " (lower bound)") : "");
	if (a->have_percentiles)
		fprintf(out, "window peaks: p50 %u, p99 %u, max %u (p50 and p99 are histogram bucket bounds: at most 2x high, never low)\n",
			a->p50, a->p99, a->max);
	else
		fprintf(out, "window peaks: none closed; max seen %u\n", a->max);
	if (in->current_limit)
		fprintf(out, "current backlog_limit: %u\n", in->current_limit);
	fprintf(out, "lost during the evidence: %" PRIu64 " records\n", in->lost);
	fprintf(out, "wait time during the evidence: %" PRIu64 " jiffies",
		e->wait_jiffies);
	if (e->kernel_hz)
		fprintf(out, " (%.3f s)", (double)e->wait_jiffies / e->kernel_hz);
	fprintf(out, "\nheadroom: %.2fx the max window peak, rounded up to a multiple of %d, at least %d\n",
		in->headroom_percent / 100.0, AP_ADVICE_ROUND,
		AP_ADVICE_MIN_LIMIT);
	if (a->have_recommendation) {
		char why[96];

		if (e->record_bytes_given)
			snprintf(why, sizeof(why), "bytes per record as given");
		else if (e->records_sized)
			snprintf(why, sizeof(why),
				 "the mean skb truesize of the %" PRIu64 " records seen",
				 e->records_sized);
		else
			snprintf(why, sizeof(why),
				 "an estimate per record: skb truesize of a record up to 1 KiB");
		fprintf(out, "kernel memory at that limit: about %.1f MiB (%u records x %u bytes; %s), up to %.1f MiB with kauditd's retry and hold queues full\n",
			a->memory_bytes / 1048576.0, a->recommended,
			in->bytes_per_record, why,
			a->memory_worst_bytes / 1048576.0);
	}
	for (int i = 0; i < nw; i++)
		fprintf(out, "warning: %s\n", w[i]);
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

void advise_print_json(FILE *out, const struct advise_evidence *e)
{
	const struct ap_advice_input *in = e->in;
	const struct ap_advice *a = e->advice;
	char w[ADVISE_MAX_WARNINGS][ADVISE_WARNING_MAX];
	int nw = advise_warnings(e, w);

	fprintf(out, "{\n  \"recommended_backlog_limit\": ");
	if (a->have_recommendation)
		fprintf(out, "%u,\n  \"audit_rules_line\": \"-b %u\",\n",
			a->recommended, a->recommended);
	else
		fprintf(out, "null,\n  \"audit_rules_line\": null,\n");
	fprintf(out, "  \"evidence\": ");
	json_string(out, e->origin);
	fprintf(out, ",\n  \"peak_source\": ");
	if (e->source)
		json_string(out, e->source);
	else
		fprintf(out, "null");
	fprintf(out, ",\n  \"peak_exact\": %s,\n", e->source ? (e->exact ? "true" : "false") : "null");
	fprintf(out, "  \"windows\": %" PRIu64 ",\n", a->windows);
	if (e->window_seconds > 0)
		fprintf(out, "  \"window_seconds\": %.3f,\n", e->window_seconds);
	else
		fprintf(out, "  \"window_seconds\": null,\n");
	if (in->duration_seconds > 0)
		fprintf(out, "  \"duration_seconds\": %.3f,\n", in->duration_seconds);
	else
		fprintf(out, "  \"duration_seconds\": null,\n");
	if (a->have_percentiles)
		fprintf(out, "  \"window_peaks\": {\"p50\": %u, \"p99\": %u, \"max\": %u},\n",
			a->p50, a->p99, a->max);
	else
		fprintf(out, "  \"window_peaks\": {\"p50\": null, \"p99\": null, \"max\": %u},\n",
			a->max);
	if (in->current_limit)
		fprintf(out, "  \"current_backlog_limit\": %u,\n", in->current_limit);
	else
		fprintf(out, "  \"current_backlog_limit\": null,\n");
	fprintf(out, "  \"lost\": %" PRIu64 ",\n  \"wait_time_jiffies\": %" PRIu64 ",\n",
		in->lost, e->wait_jiffies);
	if (e->kernel_hz)
		fprintf(out, "  \"wait_time_seconds\": %.6f,\n",
			(double)e->wait_jiffies / e->kernel_hz);
	else
		fprintf(out, "  \"wait_time_seconds\": null,\n");
	fprintf(out, "  \"headroom_percent\": %u,\n  \"bytes_per_record\": %u,\n"
		"  \"bytes_per_record_estimated\": %s,\n"
		"  \"bytes_per_record_source\": \"%s\",\n"
		"  \"records_sized\": %" PRIu64 ",\n",
		in->headroom_percent, in->bytes_per_record,
		e->record_bytes_given || e->records_sized ? "false" : "true",
		e->record_bytes_given ? "given" :
		e->records_sized ? "measured" : "estimate",
		e->records_sized);
	if (a->have_recommendation)
		fprintf(out, "  \"memory_bytes\": %" PRIu64 ",\n  \"memory_worst_bytes\": %" PRIu64 ",\n",
			a->memory_bytes, a->memory_worst_bytes);
	else
		fprintf(out, "  \"memory_bytes\": null,\n  \"memory_worst_bytes\": null,\n");
	fprintf(out, "  \"too_short\": %s,\n  \"warnings\": [",
		a->too_few_windows ? "true" : "false");
	for (int i = 0; i < nw; i++) {
		fprintf(out, "%s", i ? ", " : "");
		json_string(out, w[i]);
	}
	fprintf(out, "]\n}\n");
}
