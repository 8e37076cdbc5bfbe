/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A kernel value that only rises between resets: lost,
 * backlog_wait_time_actual and the high-water mark all behave this way.
 * One tracker serves all three, so "it dropped, yet we did not reset it"
 * means the same thing everywhere: somebody else reset it.
 */
#ifndef AUDITPEAK_OBSERVE_MONOTONE_H
#define AUDITPEAK_OBSERVE_MONOTONE_H

#include <stdbool.h>
#include <stdint.h>

struct ap_monotone {
	uint32_t last;  /* the value last seen */
	bool known;     /* last is meaningful */
};

struct ap_monotone_step {
	uint32_t increase; /* how much was added since the last reading */
	bool dropped;      /* the value fell: a reset we did not make */
	bool rose;
};

/*
 * Take a new reading.  After a drop the whole new value is counted as the
 * increase: everything since that reset is new.  The first reading ever is
 * all increase too (it counts since boot or the last reset).
 */
struct ap_monotone_step ap_monotone_advance(struct ap_monotone *m,
					    uint32_t value);

/* We cleared the value ourselves and it was @after right afterwards. */
void ap_monotone_cleared(struct ap_monotone *m, uint32_t after);

#endif /* AUDITPEAK_OBSERVE_MONOTONE_H */
