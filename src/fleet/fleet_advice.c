// SPDX-License-Identifier: GPL-2.0-or-later
#include <math.h>
#include <string.h>

#include "fleet_advice.h"

const char *fleet_verdict_name(enum fleet_verdict v)
{
	static const char *const names[FLEET_VERDICTS] = {
		[FLEET_RAISE] = "raise",
		[FLEET_LOWER] = "lower",
		[FLEET_KEEP] = "keep",
		[FLEET_UNKNOWN] = "unknown",
		[FLEET_UNLIMITED] = "unlimited",
		[FLEET_NO_EVIDENCE] = "no-evidence",
	};

	return (unsigned)v < FLEET_VERDICTS ? names[v] : "?";
}

const char *fleet_note_name(int i)
{
	static const char *const names[FLEET_NOTES] = {
		"lower-bound", "few-windows", "under-a-day", "limit-reached",
		"restarted", "source-changed", "unscraped-peak",
	};

	return i >= 0 && i < FLEET_NOTES ? names[i] : "?";
}

/* Lowest value bucket @i of the window histogram holds. */
static uint64_t bucket_floor(int i)
{
	return i == 0 ? 0 : ap_window_bucket_bound(i - 1) + 1;
}

/*
 * The max comes from the scraped last-window gauge; a window that closed
 * and was replaced between two scrapes is only in the histogram.  If the
 * histogram holds a window above the scraped max, the bucket's bound is
 * the honest max (over, never under).
 */
static void reconcile_max(struct fleet_row *r, const struct fleet_host *h)
{
	const struct ap_window_histogram *hist = &r->in.window_peaks;
	int top = -1;

	r->in.have_max = h->have_max;
	r->in.max_peak = h->max_peak;
	for (int i = AP_WINDOW_PEAK_BUCKETS - 1; i >= 0 && top < 0; i--)
		if (hist->bucket[i])
			top = i;
	if (top < 0)
		return;
	if (top == AP_WINDOW_PEAK_FINITE_BUCKETS) {
		if (!h->have_max || h->max_peak <= ap_window_bucket_bound(top - 1)) {
			r->notes |= FLEET_NOTE_UNSCRAPED_PEAK;
			r->in.have_max = false; /* only the histogram's top bounds it */
		}
		return;
	}
	if (!h->have_max || h->max_peak < bucket_floor(top)) {
		r->in.have_max = true;
		r->in.max_peak = (uint32_t)ap_window_bucket_bound(top);
		r->notes |= h->have_max ? FLEET_NOTE_UNSCRAPED_PEAK : 0;
	}
}

static void record_size(struct fleet_row *r, const struct fleet_host *h,
			const struct fleet_advice_options *o)
{
	bool restarted = false;
	double bytes = fleet_counter_increase(&h->record_bytes, &restarted);
	double sized = fleet_counter_increase(&h->records_sized, &restarted);

	r->in.bytes_per_record = o->record_bytes;
	r->evidence.record_bytes_given = o->record_bytes_given;
	if (o->record_bytes_given || restarted || sized < 1)
		return;
	r->in.bytes_per_record = (uint32_t)ceil(bytes / sized);
	r->evidence.records_sized = (uint64_t)sized;
}

static void wait_time(struct fleet_row *r, const struct fleet_host *h)
{
	bool restarted = false;

	if (h->wait_seconds.have_last) {
		r->have_wait_seconds = true;
		r->wait_seconds = fleet_counter_increase(&h->wait_seconds,
							 &restarted);
	}
	r->evidence.wait_jiffies = (uint64_t)fleet_counter_increase(
		&h->wait_jiffies, &restarted);
}

static void judge(struct fleet_row *r)
{
	const struct ap_advice *a = &r->advice;

	if (!a->have_recommendation) {
		r->verdict = FLEET_NO_EVIDENCE;
		return;
	}
	if (!r->host->have_limit || r->in.current_limit == 0) {
		r->verdict = FLEET_UNLIMITED;
		return;
	}
	r->delta_records = (int64_t)a->recommended - (int64_t)r->in.current_limit;
	r->delta_bytes = r->delta_records * (int64_t)r->in.bytes_per_record;
	if (a->recommended > r->in.current_limit)
		r->verdict = FLEET_RAISE;
	else if (!r->exact || a->limit_reached)
		/* A lower bound, or a queue that lost records, never proves
		 * the limit is enough. */
		r->verdict = FLEET_UNKNOWN;
	else if (a->recommended < r->in.current_limit)
		r->verdict = FLEET_LOWER;
	else
		r->verdict = FLEET_KEEP;
	if (r->verdict != FLEET_RAISE && r->verdict != FLEET_LOWER) {
		r->delta_records = 0;
		r->delta_bytes = 0;
	}
}

void fleet_advise_host(const struct fleet_host *h,
		       const struct fleet_advice_options *o,
		       struct fleet_row *r)
{
	bool restarted = false;

	memset(r, 0, sizeof(*r));
	r->host = h;
	fleet_window_histogram(h, &r->in.window_peaks, &restarted);
	reconcile_max(r, h);
	r->in.headroom_percent = o->headroom_percent;
	r->in.lost = (uint64_t)fleet_counter_increase(&h->lost, &restarted);
	r->in.current_limit = h->have_limit ? h->limit : 0;
	if (h->have_window_seconds)
		r->in.duration_seconds = (double)r->in.window_peaks.count *
					 h->window_seconds;
	record_size(r, h, o);
	wait_time(r, h);
	ap_advice_compute(&r->in, &r->advice);

	r->exact = h->source_exact && !h->lower_bound_window;
	r->evidence.origin = "prometheus";
	r->evidence.source = h->source[0] ? h->source : NULL;
	r->evidence.exact = r->exact;
	r->evidence.owner = true; /* a histogram exists only where windows close */
	r->evidence.window_seconds = h->have_window_seconds ? h->window_seconds : 0;
	r->evidence.in = &r->in;
	r->evidence.advice = &r->advice;

	r->notes |= r->exact ? 0 : FLEET_NOTE_LOWER_BOUND;
	r->notes |= r->advice.too_few_windows ? FLEET_NOTE_FEW_WINDOWS : 0;
	r->notes |= r->advice.under_a_day ? FLEET_NOTE_UNDER_A_DAY : 0;
	r->notes |= r->advice.limit_reached ? FLEET_NOTE_LIMIT_REACHED : 0;
	r->notes |= restarted ? FLEET_NOTE_RESTARTED : 0;
	r->notes |= h->source_changed ? FLEET_NOTE_SOURCE_CHANGED : 0;
	judge(r);
}

void fleet_summarise(const struct fleet_row *rows, size_t n,
		     struct fleet_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->hosts = n;
	for (size_t i = 0; i < n; i++) {
		s->by_verdict[rows[i].verdict]++;
		if (rows[i].verdict == FLEET_RAISE)
			s->bytes_needed += rows[i].delta_bytes;
		else if (rows[i].verdict == FLEET_LOWER)
			s->bytes_freed -= rows[i].delta_bytes;
	}
}
