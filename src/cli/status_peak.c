// SPDX-License-Identifier: GPL-2.0-or-later
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "auditpeak/clock.h"
#include "auditpeak/control.h"
#include "cli.h"
#include "observe/loop.h"
#include "status_peak.h"

static double now_s(void)
{
	return (double)ap_now_mono_ns() / 1e9;
}

/*
 * Wait up to @us, or until a signal asks us to stop.  Reading the backend
 * every 100 ms lets it finish setting up early (the bpf backend validates
 * the queue address and detaches its one-time learner on a read).
 */
static void observe(struct ap_peak *p, uint64_t us, const struct ap_signals *sig)
{
	uint64_t end = ap_now_mono_ms() + us / 1000, now;
	uint32_t ignored;

	while (!ap_stop_signal && (now = ap_now_mono_ms()) < end) {
		ap_wait(sig, NULL, 0, end - now < 100 ? (int64_t)(end - now) : 100);
		ap_peak_read(p, NULL, &ignored, NULL);
	}
}

static int from_backend(enum ap_peak_kind kind, uint64_t duration_us,
			const struct ap_peak_config *cfg, struct ap_nl *nl,
			struct ap_status *st, const struct ap_signals *sig,
			struct status_peak *r, struct ap_error *err)
{
	struct ap_peak p;
	char duration[32];
	double start;
	int rc = -1;

	if (ap_peak_open(&p, kind, cfg, err) < 0)
		return -1;
	/* Also the sign that the source is ready (tests wait for it). */
	cli_format_duration_us(duration_us, duration, sizeof(duration));
	fprintf(stderr, "auditpeak status: observing with %s for %s; Ctrl-C ends it early and reports what was seen\n",
		ap_peak_source(&p), duration);
	start = now_s();
	observe(&p, duration_us, sig);
	r->stopped_by = ap_stop_signal;
	r->asked_us = duration_us;
	if (ap_get_status(nl, st, err) < 0 ||
	    ap_peak_read(&p, st, &r->value, err) < 0)
		goto out;
	r->observed_s = now_s() - start;
	r->have = true;
	r->source = ap_peak_source(&p);
	r->exact = ap_peak_is_exact(&p);
	snprintf(r->fallback, sizeof(r->fallback), "%s", p.fallback_reason);
	snprintf(r->detail, sizeof(r->detail), "%s", p.detail);
	r->have_distribution = ap_peak_distribution(&p, &r->dist, NULL) == 0;
	r->asked_extras = cfg->bpf_extras;
	rc = 0;
out:
	ap_peak_close(&p);
	return rc;
}

int status_peak_get(enum ap_peak_kind kind, uint64_t duration_us,
		    const struct ap_peak_config *cfg, struct ap_nl *nl,
		    struct ap_status *st, const struct ap_signals *sig,
		    struct status_peak *r, struct ap_error *err)
{
	memset(r, 0, sizeof(*r));
	r->source = "none";
	if (ap_status_has(st, AP_FIELD_BACKLOG_MAX_DEPTH) &&
	    (kind == AP_PEAK_AUTO || kind == AP_PEAK_KERNEL)) {
		r->have = true;
		r->exact = true;
		r->value = st->value[AP_FIELD_BACKLOG_MAX_DEPTH];
		r->source = "kernel";
		return 0;
	}
	if (duration_us == 0) {
		snprintf(r->detail, sizeof(r->detail),
			 "this kernel has no backlog_max_depth; only a backend observing for a while can measure it: auditpeak status --duration 5s");
		return 0;
	}
	return from_backend(kind, duration_us, cfg, nl, st, sig, r, err);
}

void status_peak_print_text(const struct status_peak *r,
			    const struct ap_status *st)
{
	enum ap_field f = AP_FIELD_BACKLOG_MAX_DEPTH;
	char why[160];

	if (r->have)
		printf("%s %u\n", ap_field_name(f), r->value);
	else
		printf("%s unsupported (this kernel's %s; the field needs %s)\n",
		       ap_field_name(f), ap_status_absence(st, f, why, sizeof(why)),
		       ap_field_origin(f));
	printf("backlog_max_depth_source %s\n", r->source);
	if (!r->have) {
		printf("backlog_max_depth_note %s\n", r->detail);
		return;
	}
	if (strcmp(r->source, "kernel") == 0)
		return;
	if (r->stopped_by) {
		char asked[32];

		cli_format_duration_us(r->asked_us, asked, sizeof(asked));
		printf("backlog_max_depth_observed %.3fs of %s asked, ended early by SIG%s (not since boot: only while observing)\n",
		       r->observed_s, asked, sigabbrev_np(r->stopped_by));
	} else {
		printf("backlog_max_depth_observed %.3fs (not since boot: only while observing)\n",
		       r->observed_s);
	}
	printf("backlog_max_depth_exact %s\n",
	       r->exact ? "yes" : "no (a lower bound)");
	if (r->detail[0])
		printf("backlog_max_depth_method %s\n", r->detail);
	if (r->fallback[0])
		printf("backlog_max_depth_fallback %s\n", r->fallback);
	if (r->have_distribution) {
		printf("backlog_depth_enqueues %llu\n",
		       (unsigned long long)r->dist.enqueues);
		/* NaN: not asked for, or the kernel's BPF has no atomics. */
		if (isnan(r->dist.time_weighted_mean))
			printf("backlog_depth_mean not kept (%s)\n",
			       r->asked_extras & AP_BPF_EXTRA_MEAN ?
			       "this kernel's BPF has no atomics" :
			       "--bpf-extras mean keeps it");
		else
			printf("backlog_depth_mean %.3f\n", r->dist.time_weighted_mean);
		if (r->dist.extras & AP_BPF_EXTRA_SIZES)
			printf("backlog_record_bytes %llu over %llu records sized\n",
			       (unsigned long long)r->dist.record_bytes,
			       (unsigned long long)r->dist.records_sized);
	}
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void status_peak_print_json(const struct status_peak *r)
{
	printf(",\"peak\":{\"source\":");
	json_string(r->source);
	if (r->have)
		printf(",\"backlog_max_depth\":%u,\"exact\":%s", r->value,
		       r->exact ? "true" : "false");
	else
		printf(",\"backlog_max_depth\":null,\"exact\":null");
	if (r->have && strcmp(r->source, "kernel") != 0)
		printf(",\"observed_seconds\":%.3f,\"ended_early\":%s",
		       r->observed_s, r->stopped_by ? "true" : "false");
	else
		printf(",\"observed_seconds\":null,\"ended_early\":null");
	printf(",\"detail\":");
	json_string(r->detail);
	printf(",\"fallback_reason\":");
	json_string(r->fallback);
	if (r->have_distribution) {
		printf(",\"depth_enqueues\":%llu,\"depth_mean\":",
		       (unsigned long long)r->dist.enqueues);
		if (isnan(r->dist.time_weighted_mean))
			printf("null");
		else
			printf("%.3f", r->dist.time_weighted_mean);
		if (r->dist.extras & AP_BPF_EXTRA_SIZES)
			printf(",\"record_bytes\":%llu,\"records_sized\":%llu",
			       (unsigned long long)r->dist.record_bytes,
			       (unsigned long long)r->dist.records_sized);
		else
			printf(",\"record_bytes\":null,\"records_sized\":null");
		if (!(r->dist.extras & AP_BPF_EXTRA_HISTOGRAM)) {
			printf(",\"depth_log2_histogram\":null");
		} else {
			printf(",\"depth_log2_histogram\":[");
			for (int i = 0; i < AP_DEPTH_BUCKETS; i++)
				printf("%s%llu", i ? "," : "",
				       (unsigned long long)r->dist.bucket[i]);
			printf("]");
		}
	}
	printf("}");
}
