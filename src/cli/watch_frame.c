// SPDX-License-Identifier: GPL-2.0-or-later
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "watch_frame.h"

#define LABEL_WIDTH 18

void watch_view_push(struct watch_view *v, uint32_t peak)
{
	if (v->history_len == WATCH_HISTORY) {
		memmove(v->history, v->history + 1,
			sizeof(v->history[0]) * (WATCH_HISTORY - 1));
		v->history_len--;
	}
	v->history[v->history_len++] = peak;
}

void watch_view_count(struct watch_view *v,
		      const struct ap_exporter_snapshot *snap)
{
	if (!snap->up)
		return;
	/* The timeline counts the first reading as all increase (since boot):
	 * the view shows only what happened while it watched. */
	if (!v->base_set) {
		v->lost_base = v->lost_prev = snap->lost_total;
		v->wait_base = v->wait_prev = snap->wait_actual_total_jiffies;
		v->base_set = true;
	}
	v->lost_delta = snap->lost_total - v->lost_prev;
	v->wait_delta = snap->wait_actual_total_jiffies - v->wait_prev;
	v->lost_prev = snap->lost_total;
	v->wait_prev = snap->wait_actual_total_jiffies;
}

struct out {
	char *buf;
	size_t cap, used;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->cap - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n;
	if (o->used >= o->cap)
		o->used = o->cap - 1;
}

static void label(struct out *o, const char *name)
{
	put(o, "%-*s", LABEL_WIDTH, name);
}

static void wait_text(struct out *o, uint64_t jiffies, uint32_t hz)
{
	if (hz)
		put(o, "%.3f s", (double)jiffies / hz);
	else
		put(o, "%" PRIu64 " jiffies", jiffies);
}

/* [#####.....] of @cells cells, filled in proportion to @used/@limit. */
static void bar(struct out *o, uint32_t used, uint32_t limit, int cells)
{
	int fill = (int)((uint64_t)used * (uint64_t)cells / limit);

	if (fill > cells)
		fill = cells;
	put(o, "[");
	for (int i = 0; i < cells; i++)
		put(o, "%c", i < fill ? '#' : '.');
	put(o, "]");
}

/* The last @cells history entries, each scaled to the highest shown. */
static void sparkline(struct out *o, const struct watch_view *v, int cells,
		      bool utf8)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆",
					       "▇", "█" };
	static const char ascii[] = "_.-:=+*#";
	int first = v->history_len > cells ? v->history_len - cells : 0;
	uint32_t top = 0;

	for (int i = first; i < v->history_len; i++)
		if (v->history[i] > top)
			top = v->history[i];
	for (int i = first; i < v->history_len; i++) {
		int level = top ? (int)((uint64_t)v->history[i] * 7 / top) : 0;

		if (utf8)
			put(o, "%s", blocks[level]);
		else
			put(o, "%c", ascii[level]);
	}
	put(o, " (last %d, highest %u)", v->history_len - first, top);
}

void watch_frame_render(char *buf, size_t cap, const struct watch_frame_in *in)
{
	const struct ap_exporter_snapshot *s = &in->tl->snap;
	const struct watch_view *v = in->view;
	uint32_t limit = s->status.value[AP_FIELD_BACKLOG_LIMIT];
	struct out o = { buf, cap, 0 };
	int cells = in->width - LABEL_WIDTH - 30;

	if (cells < 10)
		cells = 10;
	buf[0] = '\0';
	put(&o, "auditpeak watch: every %.3gs, window %.3gs; q quits\n",
	    s->interval_seconds, s->window_seconds);
	label(&o, "source:");
	put(&o, "%s (%s)\n", s->peak_source,
	    strcmp(s->peak_source, "none") == 0 ? "no peak" :
	    s->peak_exact ? "exact" : "lower bound");
	if (!s->up) {
		put(&o, "audit status: unavailable (%" PRIu64 " failed polls)\n",
		    s->poll_errors);
		return;
	}
	label(&o, "backlog now:");
	put(&o, "%u\n", s->status.value[AP_FIELD_BACKLOG]);
	label(&o, "window peak:");
	if (!s->owner)
		put(&o, "- (read-only: windows are not closed)\n");
	else if (in->tl->window_seen)
		put(&o, "%u (window closes in %.0f s)\n", in->tl->window_max,
		    in->window_left);
	else
		put(&o, "- (no reading yet)\n");
	if (!s->owner && s->have_peak) {
		label(&o, "high-water mark:");
		put(&o, "%u\n", s->peak_current);
	}
	label(&o, "peak since start:");
	if (s->have_max_since_start)
		put(&o, "%u\n", s->max_since_start);
	else
		put(&o, "-\n");
	label(&o, "limit:");
	if (limit)
		put(&o, "%u\n", limit);
	else
		put(&o, "0 (unlimited)\n");
	label(&o, "headroom:");
	if (limit && s->have_max_since_start) {
		bar(&o, s->max_since_start, limit, cells);
		put(&o, " %u%% of limit at peak\n",
		    (unsigned)((uint64_t)s->max_since_start * 100 / limit));
	} else {
		put(&o, "-\n");
	}
	label(&o, "lost:");
	put(&o, "+%" PRIu64 " (%" PRIu64 " since start)\n", v->lost_delta,
	    s->lost_total - v->lost_base);
	label(&o, "wait time:");
	put(&o, "+");
	wait_text(&o, v->wait_delta, s->kernel_hz);
	put(&o, " (");
	wait_text(&o, s->wait_actual_total_jiffies - v->wait_base, s->kernel_hz);
	put(&o, " since start)\n");
	label(&o, "window peaks:");
	if (v->history_len)
		sparkline(&o, v, cells, in->utf8);
	else
		put(&o, "- (none closed yet)");
	put(&o, "\n");
	label(&o, "windows:");
	put(&o, "%s\n", in->owner_note);
}
