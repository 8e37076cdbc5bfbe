/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every command that follows the queue over time needs (serve, watch,
 * advise): an AUDIT_GET channel, a peak backend, the decision whether this
 * process may close windows, and the peak timeline they feed.  The window
 * logic itself stays in timeline.c; this file only wires it up.
 *
 * Who closes windows:
 *   bpf, sample  the probe is private to this process: closing its windows
 *                touches nothing in the kernel and writes no audit record,
 *                so the observer always owns them.
 *   kernel       backlog_max_depth is one field for the whole machine, and
 *                every clear writes an AUDIT_CONFIG_CHANGE record.  The
 *                observer is read-only unless asked to reset (@reset) and
 *                it takes the owner lock `serve` uses; while serve holds it
 *                the observer stays read-only instead of fighting it.
 */
#ifndef AUDITPEAK_OBSERVE_OBSERVER_H
#define AUDITPEAK_OBSERVE_OBSERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "auditpeak/clock.h"
#include "auditpeak/netlink.h"
#include "auditpeak/peak.h"
#include "timeline.h"

/* Bounds of --interval and --window, shared by every command that takes
 * them: short enough to follow bursts, long enough to keep the log quiet. */
#define AP_MIN_INTERVAL_MS 10
#define AP_MAX_INTERVAL_MS (3600 * 1000ULL)
#define AP_MIN_WINDOW_MS 1000
#define AP_MAX_WINDOW_MS (24 * 3600 * 1000ULL)

#define AP_OBSERVER_NOTE_MAX 640

/* The owner lock: whoever holds it may read-and-clear the kernel's peak.
 * serve takes it by default; watch and advise take it with --reset. */
#define AP_OWNER_LOCK_DEFAULT "/run/auditpeak/owner.lock"

struct ap_observer_config {
	enum ap_peak_kind backend;
	int timeout_ms;
	int sample_interval_us; /* 0: the sample source's default */
	unsigned int bpf_extras; /* AP_BPF_EXTRA_*: what the bpf source keeps */
	uint64_t interval_ms;
	uint64_t window_ms;
	bool reset;            /* kernel backend: try to own window resets */
	const char *lock_path; /* the owner lock, shared with serve */
};

struct ap_observer {
	struct ap_nl *nl;
	struct ap_peak peak;   /* ops NULL: no peak source */
	int owner_lock;        /* -1: not held */
	struct ap_timeline tl;
	/* One line each, for the caller to show. */
	char source_note[AP_OBSERVER_NOTE_MAX];
	char owner_note[AP_OBSERVER_NOTE_MAX];
	char hz_note[AP_OBSERVER_NOTE_MAX];
};

/*
 * Open @kind; for AP_PEAK_AUTO with nothing usable, succeed with no
 * backend (ops NULL) and say why in @note.  Otherwise @note names the
 * source, whether it is exact, and what `auto` passed over.
 */
int ap_observer_open_peak(struct ap_peak *peak, enum ap_peak_kind kind,
			  const struct ap_peak_config *pc, char *note,
			  size_t cap, struct ap_error *err);

/*
 * Start @tl for this run: source, exactness, owner, periods, start time
 * and the kernel's HZ (@hz_note says where it came from, or that it is
 * unknown and wait times stay in jiffies).
 */
void ap_observer_start_timeline(struct ap_timeline *tl,
				const struct ap_peak *peak, bool owner,
				uint64_t interval_ms, uint64_t window_ms,
				char *hz_note, size_t cap);

/* The peak source's settings for @cfg. */
void ap_observer_peak_config(const struct ap_observer_config *cfg,
			     struct ap_peak_config *pc);

/* Open everything; on failure nothing is left open. */
int ap_observer_open(struct ap_observer *o,
		     const struct ap_observer_config *cfg,
		     struct ap_error *err);

/* One AUDIT_GET and backend read into the timeline. */
void ap_observer_poll(struct ap_observer *o, struct ap_timeline_events *ev);

/* A window end: the owner read-and-clears, anyone else does nothing.
 * @ev->failed: the read-and-clear, or the poll that follows it, failed. */
void ap_observer_close_window(struct ap_observer *o,
			      struct ap_timeline_events *ev);

void ap_observer_close(struct ap_observer *o);

#endif /* AUDITPEAK_OBSERVE_OBSERVER_H */
