/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The peak timeline: what every poll and every window end does to the
 * published numbers.  It never talks to the kernel itself: the caller hands
 * it the AUDIT_GET it made and the peak backend to read, so tests can drive
 * it with a fake backend and a made-up status.
 *
 *   poll          (every --interval) read the high-water mark without side
 *                 effect; a rise dates the window's peak to this poll.
 *   close window  (every --window, owner only) read-and-clear: the value
 *                 returned is the exact peak of the window, including the
 *                 tail after the last poll.
 */
#ifndef AUDITPEAK_OBSERVE_TIMELINE_H
#define AUDITPEAK_OBSERVE_TIMELINE_H

#include "auditpeak/error.h"
#include "auditpeak/peak.h"
#include "monotone.h"
#include "snapshot.h"

struct ap_timeline {
	struct ap_exporter_snapshot snap; /* what gets published */
	struct ap_monotone watch[AP_WATCH_COUNT];
	/* The open window. */
	bool window_seen;        /* a poll read the peak in this window */
	uint32_t window_max;     /* highest reading, even from before a foreign reset */
	double window_max_time;  /* the poll that first saw window_max */
	bool window_foreign_reset;
	/* The source's missed records (ap_peak_misses) when the window
	 * opened: more at its end make the window a lower bound. */
	uint64_t window_misses_start;
};

/* What one step did, for the caller to log. */
struct ap_timeline_events {
	bool foreign_reset[AP_WATCH_COUNT];
	bool window_closed;
	uint64_t window_missed;  /* records the source missed in the window */
	bool failed;
	struct ap_error error;
};

/*
 * Start with @snap's configuration and cumulative part (zeroes for a first
 * start, or what the state file restored); last-poll fields are cleared.
 */
void ap_timeline_init(struct ap_timeline *tl,
		      const struct ap_exporter_snapshot *snap);

/*
 * One poll.  @st is the AUDIT_GET the caller just made, or NULL when it
 * failed (@why says why).  @peak may have no backend (ops NULL).
 */
void ap_timeline_poll(struct ap_timeline *tl, const struct ap_status *st,
		      const struct ap_error *why, struct ap_peak *peak,
		      double now, struct ap_timeline_events *ev);

/*
 * End of a window.  Only an owner with a peak backend closes windows: a
 * read-only instance cannot know where another owner's windows start, so it
 * publishes readings, never window peaks.  When the read-and-clear fails
 * the window stays open and the next end covers both (nothing is lost).
 */
void ap_timeline_close_window(struct ap_timeline *tl, struct ap_peak *peak,
			      double now, struct ap_timeline_events *ev);

#endif /* AUDITPEAK_OBSERVE_TIMELINE_H */
