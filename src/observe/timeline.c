// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "timeline.h"

void ap_timeline_init(struct ap_timeline *tl,
		      const struct ap_exporter_snapshot *snap)
{
	memset(tl, 0, sizeof(*tl));
	tl->snap = *snap;
	tl->snap.up = false;
	tl->snap.have_peak = false;
	tl->snap.have_distribution = false;
	memset(&tl->snap.status, 0, sizeof(tl->snap.status));
}

static void events_clear(struct ap_timeline_events *ev)
{
	memset(ev, 0, sizeof(*ev));
}

static void fail(struct ap_timeline *tl, struct ap_timeline_events *ev,
		 const struct ap_error *why)
{
	tl->snap.poll_errors++;
	ev->failed = true;
	ev->error = *why;
}

/* Accumulate a resettable kernel counter into a total that never drops. */
static void count_counter(struct ap_timeline *tl, const struct ap_status *st,
			  enum ap_field f, enum ap_watched w, uint64_t *total,
			  struct ap_timeline_events *ev)
{
	struct ap_monotone_step s;

	if (!ap_status_has(st, f))
		return;
	s = ap_monotone_advance(&tl->watch[w], st->value[f]);
	*total += s.increase;
	if (s.dropped) {
		tl->snap.foreign_resets[w]++;
		ev->foreign_reset[w] = true;
	}
}

static void note_max_since_start(struct ap_exporter_snapshot *snap,
				 uint32_t v)
{
	if (!snap->have_max_since_start || v > snap->max_since_start)
		snap->max_since_start = v;
	snap->have_max_since_start = true;
}

static void read_peak(struct ap_timeline *tl, const struct ap_status *st,
		      struct ap_peak *peak, double now,
		      struct ap_timeline_events *ev)
{
	struct ap_monotone_step s;
	struct ap_error err;
	uint32_t max;

	tl->snap.have_peak = false;
	if (!peak->ops)
		return;
	if (ap_peak_read(peak, st, &max, &err) < 0) {
		/* A source still getting ready (bpf learning the queue's
		 * address) has no value yet: no peak, but nothing failed.
		 * Either way what it published before is stale now. */
		if (!(err.code == AP_ERR_UNSUPPORTED && err.sys_errno == EAGAIN))
			fail(tl, ev, &err);
		tl->snap.peak_failing_polls++;
		tl->snap.have_distribution = false;
		return;
	}
	tl->snap.peak_failing_polls = 0;
	s = ap_monotone_advance(&tl->watch[AP_WATCH_MAX_DEPTH], max);
	if (s.dropped) {
		tl->snap.foreign_resets[AP_WATCH_MAX_DEPTH]++;
		ev->foreign_reset[AP_WATCH_MAX_DEPTH] = true;
		tl->window_foreign_reset = true;
	}
	tl->snap.have_peak = true;
	tl->snap.peak_current = max;
	/*
	 * The queue's length this poll read is this window's too: a source's
	 * mark restarts at 0 when cleared, so a queue held across a window's
	 * end (records kauditd cannot send yet) would otherwise be missing
	 * from the next window until a record is queued.
	 */
	if (ap_status_has(st, AP_FIELD_BACKLOG) && st->value[AP_FIELD_BACKLOG] > max)
		max = st->value[AP_FIELD_BACKLOG];
	note_max_since_start(&tl->snap, max);
	/* The mark only rises between clears: the poll that first sees a
	 * higher value dates the peak to within one interval. */
	if (!tl->window_seen || max > tl->window_max) {
		tl->window_max = max;
		tl->window_max_time = now;
		tl->window_seen = true;
	}
	tl->snap.have_distribution =
		peak->ops->distribution &&
		peak->ops->distribution(peak->state, &tl->snap.distribution,
					&err) == 0;
}

void ap_timeline_poll(struct ap_timeline *tl, const struct ap_status *st,
		      const struct ap_error *why, struct ap_peak *peak,
		      double now, struct ap_timeline_events *ev)
{
	events_clear(ev);
	tl->snap.polls++;
	tl->snap.last_poll_time = now;
	if (!st) {
		tl->snap.up = false;
		tl->snap.have_peak = false;
		tl->snap.have_distribution = false;
		if (peak && peak->ops)
			tl->snap.peak_failing_polls++;
		fail(tl, ev, why);
		return;
	}
	tl->snap.up = true;
	tl->snap.status = *st;
	count_counter(tl, st, AP_FIELD_LOST, AP_WATCH_LOST,
		      &tl->snap.lost_total, ev);
	count_counter(tl, st, AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL,
		      AP_WATCH_WAIT_ACTUAL, &tl->snap.wait_actual_total_jiffies,
		      ev);
	read_peak(tl, st, peak, now, ev);
}

void ap_timeline_close_window(struct ap_timeline *tl, struct ap_peak *peak,
			      double now, struct ap_timeline_events *ev)
{
	struct ap_monotone *m = &tl->watch[AP_WATCH_MAX_DEPTH];
	struct ap_exporter_snapshot *snap = &tl->snap;
	struct ap_error err;
	uint32_t old, peak_value;
	uint64_t misses;
	double peak_time;

	events_clear(ev);
	if (!snap->owner || !peak->ops)
		return;
	if (ap_peak_read_and_clear(peak, &old, &err) < 0) {
		fail(tl, ev, &err);
		return;
	}
	snap->resets++;
	/* Below our last reading: cleared by someone else after that poll. */
	if (m->known && old < m->last) {
		snap->foreign_resets[AP_WATCH_MAX_DEPTH]++;
		ev->foreign_reset[AP_WATCH_MAX_DEPTH] = true;
		tl->window_foreign_reset = true;
	}
	peak_value = old;
	peak_time = now; /* a peak no poll saw happened in the tail */
	if (tl->window_seen && tl->window_max >= old) {
		peak_value = tl->window_max;
		peak_time = tl->window_max_time;
	}
	/* Records the source missed in this window may have been its peak:
	 * this window is a lower bound, the next one exact again. */
	misses = ap_peak_misses(peak);
	if (misses < tl->window_misses_start) /* it forgot a wrong guess */
		tl->window_misses_start = misses;
	ev->window_missed = misses - tl->window_misses_start;
	snap->probe_missed += ev->window_missed;
	tl->window_misses_start = misses;
	ap_window_histogram_observe(&snap->window_peaks, peak_value);
	note_max_since_start(snap, peak_value);
	snap->windows++;
	snap->have_last_window = true;
	snap->last_window_peak = peak_value;
	snap->last_window_exact = snap->peak_exact && !tl->window_foreign_reset &&
				  !ev->window_missed;
	snap->last_window_peak_time = peak_time;
	snap->last_window_end_time = now;
	ap_monotone_cleared(m, 0);
	tl->window_seen = false;
	tl->window_max = 0;
	tl->window_foreign_reset = false;
	ev->window_closed = true;
}
