/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One frame of `auditpeak watch` as text: a pure function of the timeline
 * and what the view remembers, so the terminal code only moves bytes.
 */
#ifndef AUDITPEAK_CLI_WATCH_FRAME_H
#define AUDITPEAK_CLI_WATCH_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "observe/timeline.h"

#define WATCH_HISTORY 256

/* What the view keeps between frames. */
struct watch_view {
	uint32_t history[WATCH_HISTORY]; /* recent window peaks, oldest first */
	int history_len;
	bool base_set;                   /* counters at the first good poll */
	uint64_t lost_base, wait_base;
	uint64_t lost_prev, wait_prev;   /* at the previous frame */
	uint64_t lost_delta, wait_delta; /* since the previous frame */
};

struct watch_frame_in {
	const struct ap_timeline *tl;
	const struct watch_view *view;
	const char *owner_note;
	double window_left;  /* seconds until the window closes */
	int width;           /* terminal columns */
	bool utf8;           /* block characters for the sparkline */
};

/* Remember a closed window's peak. */
void watch_view_push(struct watch_view *v, uint32_t peak);
/* Take this frame's counter deltas from @snap. */
void watch_view_count(struct watch_view *v,
		      const struct ap_exporter_snapshot *snap);

/* Render into @buf (always NUL-terminated); lines end in '\n'. */
void watch_frame_render(char *buf, size_t cap, const struct watch_frame_in *in);

#endif /* AUDITPEAK_CLI_WATCH_FRAME_H */
