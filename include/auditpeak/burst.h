/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sending a burst of audit records from several threads at once.
 *
 *   AP_BURST_USER     AUDIT_USER messages over netlink, one record each
 *                     (the kernel handles them one at a time under its
 *                     audit command lock; needs audit enabled)
 *   AP_BURST_SYSCALL  calls of the marker syscall (rule.h): the kernel
 *                     writes the records itself, on every CPU at once;
 *                     needs the marker rule and threads created after
 *                     audit was enabled, which a burst's threads are
 */
#ifndef AUDITPEAK_BURST_H
#define AUDITPEAK_BURST_H

#include <signal.h>
#include <stdint.h>

#include "auditpeak/error.h"

enum ap_burst_mode {
	AP_BURST_USER,
	AP_BURST_SYSCALL,
};

/* "user" / "syscall" <-> mode; -1 if unknown. */
int ap_burst_mode_parse(const char *name, enum ap_burst_mode *mode);
const char *ap_burst_mode_name(enum ap_burst_mode mode);

struct ap_burst {
	enum ap_burst_mode mode;
	unsigned int threads;   /* >= 1 */
	uint64_t count;         /* messages or syscalls in all threads together */
	/* Optional: stop early when *stop becomes non-zero (a signal). */
	volatile sig_atomic_t *stop;
};

/*
 * Send one burst: @b->count split evenly over @b->threads threads that
 * start together.  *@sent is how many were sent (less than count only on
 * error or stop).
 */
int ap_burst_send(const struct ap_burst *b, uint64_t *sent,
		  struct ap_error *err);

#endif /* AUDITPEAK_BURST_H */
