// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "auditpeak/control.h"
#include "kernel_hz.h"
#include "lock_file.h"
#include "observer.h"

int ap_observer_open_peak(struct ap_peak *peak, enum ap_peak_kind kind,
			  const struct ap_peak_config *pc, char *note,
			  size_t cap, struct ap_error *err)
{
	if (ap_peak_open(peak, kind, pc, err) == 0) {
		/* What was chosen, how it measures (the bpf attach path) and
		 * why better sources were passed over. */
		snprintf(note, cap, "peak source: %s (%s%s%s)%s%s",
			 ap_peak_source(peak),
			 ap_peak_is_exact(peak) ? "exact" : "lower bound",
			 peak->detail[0] ? "; " : "", peak->detail,
			 peak->fallback_reason[0] ? "; passed over: " : "",
			 peak->fallback_reason);
		return 0;
	}
	/* auto found nothing usable: the kernel's own values, no peak. */
	if (kind == AP_PEAK_AUTO && err->code == AP_ERR_UNSUPPORTED) {
		memset(peak, 0, sizeof(*peak));
		snprintf(note, cap, "peak source: none, no peak (%s)", err->msg);
		return 0;
	}
	return -1;
}

void ap_observer_start_timeline(struct ap_timeline *tl,
				const struct ap_peak *peak, bool owner,
				uint64_t interval_ms, uint64_t window_ms,
				char *hz_note, size_t cap)
{
	struct ap_exporter_snapshot snap = { 0 };
	char hz_from[320];

	snprintf(snap.peak_source, sizeof(snap.peak_source), "%s",
		 ap_peak_source(peak));
	snap.peak_exact = ap_peak_is_exact(peak);
	snap.owner = owner;
	snap.interval_seconds = interval_ms / 1000.0;
	snap.window_seconds = window_ms / 1000.0;
	snap.start_time = ap_now_unix();
	snap.kernel_hz = ap_kernel_hz(hz_from, sizeof(hz_from));
	if (snap.kernel_hz)
		snprintf(hz_note, cap, "kernel HZ %u (from %s): wait times in seconds",
			 snap.kernel_hz, hz_from);
	else
		snprintf(hz_note, cap, "kernel HZ unknown (no CONFIG_HZ in /proc/config.gz or /boot): wait times stay in jiffies");
	ap_timeline_init(tl, &snap);
}

/* See observer.h for who may close windows, and why. */
static bool decide_owner(struct ap_observer *o,
			 const struct ap_observer_config *cfg)
{
	struct ap_error err;
	pid_t holder;

	if (!o->peak.ops) {
		snprintf(o->owner_note, sizeof(o->owner_note),
			 "no peak source: no windows");
		return false;
	}
	if (strcmp(ap_peak_source(&o->peak), "kernel") != 0) {
		snprintf(o->owner_note, sizeof(o->owner_note),
			 "windows closed by this process (the %s probe is private: no kernel reset, no audit record)",
			 ap_peak_source(&o->peak));
		return true;
	}
	if (!cfg->reset) {
		snprintf(o->owner_note, sizeof(o->owner_note),
			 "read-only: the kernel's backlog_max_depth is not reset without --reset (each reset writes an audit record)");
		return false;
	}
	o->owner_lock = ap_lock_take(cfg->lock_path, &holder, &err);
	if (o->owner_lock < 0) {
		snprintf(o->owner_note, sizeof(o->owner_note),
			 "read-only: %s", err.msg);
		return false;
	}
	snprintf(o->owner_note, sizeof(o->owner_note),
		 "owner of kernel resets (lock %s): one audit record per window",
		 cfg->lock_path);
	return true;
}

void ap_observer_peak_config(const struct ap_observer_config *cfg,
			     struct ap_peak_config *pc)
{
	ap_peak_config_defaults(pc);
	pc->timeout_ms = cfg->timeout_ms;
	pc->bpf_extras = cfg->bpf_extras;
	if (cfg->sample_interval_us)
		pc->sample_interval_us = cfg->sample_interval_us;
}

int ap_observer_open(struct ap_observer *o,
		     const struct ap_observer_config *cfg,
		     struct ap_error *err)
{
	struct ap_peak_config pc;
	struct ap_status st;
	bool owner;

	memset(o, 0, sizeof(*o));
	o->owner_lock = -1;
	ap_observer_peak_config(cfg, &pc);
	if (ap_nl_open(&o->nl, err) < 0)
		return -1;
	ap_nl_set_timeout(o->nl, cfg->timeout_ms);
	/* Fail at start on what will not fix itself: no audit, no permission. */
	if (ap_get_status(o->nl, &st, err) < 0 ||
	    ap_observer_open_peak(&o->peak, cfg->backend, &pc,
				  o->source_note, sizeof(o->source_note),
				  err) < 0) {
		ap_nl_close(o->nl);
		o->nl = NULL;
		return -1;
	}
	owner = decide_owner(o, cfg);
	ap_observer_start_timeline(&o->tl, &o->peak, owner, cfg->interval_ms,
				   cfg->window_ms, o->hz_note,
				   sizeof(o->hz_note));
	return 0;
}

void ap_observer_poll(struct ap_observer *o, struct ap_timeline_events *ev)
{
	struct ap_status st;
	struct ap_error err;
	bool ok = ap_get_status(o->nl, &st, &err) == 0;

	ap_timeline_poll(&o->tl, ok ? &st : NULL, &err, &o->peak,
			 ap_now_unix(), ev);
}

void ap_observer_close_window(struct ap_observer *o,
			      struct ap_timeline_events *ev)
{
	struct ap_timeline_events after;

	ap_timeline_close_window(&o->tl, &o->peak, ap_now_unix(), ev);
	/* As serve does: a poll right after the clear puts the queue's
	 * length then in the new window (a queue held across the end and
	 * drained before the next poll is the new window's too). */
	if (!ev->window_closed)
		return;
	ap_observer_poll(o, &after);
	/* The caller hears of that poll's failure like of any other. */
	if (after.failed && !ev->failed) {
		ev->failed = true;
		ev->error = after.error;
	}
}

void ap_observer_close(struct ap_observer *o)
{
	ap_peak_close(&o->peak);
	if (o->nl)
		ap_nl_close(o->nl);
	o->nl = NULL;
	ap_lock_release(o->owner_lock);
	o->owner_lock = -1;
}
