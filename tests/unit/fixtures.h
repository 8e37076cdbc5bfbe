/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What exporter unit tests share: a status as a kernel would send it and a
 * fake peak backend whose high-water mark the test moves by hand. */
#ifndef AUDITPEAK_TEST_FIXTURES_H
#define AUDITPEAK_TEST_FIXTURES_H

#include <stdbool.h>
#include <stdint.h>

#include "auditpeak/peak.h"
#include "auditpeak/status.h"
#include "observe/snapshot.h"

/* A 44-byte status (6.x without the patch) with these values. */
void fixture_status(struct ap_status *st, uint32_t backlog_limit,
		    uint32_t backlog, uint32_t lost, uint32_t wait_actual);

/* The fake backend: `kernel_max` only rises between clears, like the real one. */
struct fake_peak {
	uint32_t kernel_max;
	bool fail_reads;
	bool not_ready;   /* reads answer "not yet" like bpf before it knows the queue */
	bool fail_clears;
	unsigned reads, clears;
	bool with_distribution;
	uint64_t misses;  /* records "missed" so far (the bpf ops count them) */
};

void fake_peak_attach(struct ap_peak *p, struct fake_peak *f, bool exact);
/* Something queued @depth records: the mark rises to it if higher. */
void fake_peak_depth(struct fake_peak *f, uint32_t depth);

/* A snapshot with every family filled in. */
void fixture_full_snapshot(struct ap_exporter_snapshot *s, uint32_t hz);

#endif
