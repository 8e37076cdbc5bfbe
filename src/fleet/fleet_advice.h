/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sizing a fleet: each host's evidence from Prometheus goes through the
 * same arithmetic as single-host `advise` (observe/advice.c), so a host's
 * recommendation is exactly what `advise --state` gives on the same window
 * peaks; then a verdict per host and one line for the fleet.  Pure: no
 * I/O (tests/unit/test_fleet.c).
 */
#ifndef AUDITPEAK_FLEET_FLEET_ADVICE_H
#define AUDITPEAK_FLEET_FLEET_ADVICE_H

#include "cli/advise_report.h"
#include "fleet_evidence.h"

enum fleet_verdict {
	FLEET_RAISE,       /* the recommendation is above the limit */
	FLEET_LOWER,       /* the limit is above the recommendation */
	FLEET_KEEP,        /* the limit is the recommendation */
	FLEET_UNKNOWN,     /* a lower bound at or under the limit: can't say */
	FLEET_UNLIMITED,   /* backlog_limit 0: no cap to compare with */
	FLEET_NO_EVIDENCE, /* no window peak in the range */
	FLEET_VERDICTS
};

const char *fleet_verdict_name(enum fleet_verdict v);

/* Short notes for the table and CSV (the JSON has the sentences). */
enum fleet_note {
	FLEET_NOTE_LOWER_BOUND = 1 << 0,  /* peak source or a window inexact */
	FLEET_NOTE_FEW_WINDOWS = 1 << 1,
	FLEET_NOTE_UNDER_A_DAY = 1 << 2,
	FLEET_NOTE_LIMIT_REACHED = 1 << 3,
	FLEET_NOTE_RESTARTED = 1 << 4,    /* serve's counters restarted */
	FLEET_NOTE_SOURCE_CHANGED = 1 << 5,
	FLEET_NOTE_UNSCRAPED_PEAK = 1 << 6, /* a window above the scraped max */
	FLEET_NOTES = 7
};

/* "lower-bound", "few-windows", ... for bit @i. */
const char *fleet_note_name(int i);

struct fleet_row {
	const struct fleet_host *host;
	struct ap_advice_input in;
	struct ap_advice advice;
	struct advise_evidence evidence; /* points into this row */
	bool exact;              /* the source and every window were exact */
	bool have_wait_seconds;
	double wait_seconds;
	enum fleet_verdict verdict;
	unsigned notes;
	int64_t delta_records;   /* recommended - limit, for raise and lower */
	int64_t delta_bytes;     /* the same in kernel memory (main queue) */
};

struct fleet_summary {
	size_t hosts;
	size_t by_verdict[FLEET_VERDICTS];
	int64_t bytes_needed;    /* sum over raise: memory added */
	int64_t bytes_freed;     /* sum over lower: memory given back */
};

struct fleet_advice_options {
	uint32_t headroom_percent;
	uint32_t record_bytes;   /* used where no size was measured */
	bool record_bytes_given; /* --record-bytes overrides measurements */
};

/* Fill @row for @h; @row must not move afterwards (evidence points in it). */
void fleet_advise_host(const struct fleet_host *h,
		       const struct fleet_advice_options *o,
		       struct fleet_row *row);

void fleet_summarise(const struct fleet_row *rows, size_t n,
		     struct fleet_summary *s);

#endif /* AUDITPEAK_FLEET_FLEET_ADVICE_H */
