/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stalled audit daemon, to make the audit queue hold a backlog.
 *
 * How kauditd behaves (6.12 and later; docs/kauditd.md): a daemon that merely
 * never reads does not make records pile up.  The audit socket has a
 * 100 ms send timeout; a record that cannot be delivered goes to the retry
 * queue and the rest of the main queue follows it at once, so the backlog
 * collapses.  What holds a plateau: once the daemon's (tiny) receive
 * buffer is full and the retry queue holds a record, kauditd sleeps until
 * the next record arrives, then spends about 500 ms (5 tries x 100 ms) on
 * the retry queue before it looks at the main queue again.  A burst sent
 * inside that window stays in the main queue: the backlog rises by exactly
 * the burst's size.
 *
 * The daemon is a child process: the kernel never audits the syscalls of
 * the registered daemon's process, so syscall bursts must come from
 * another one.  The child unregisters and exits when the parent stops it
 * or dies (its end of a pipe closes).
 */
#ifndef AUDITPEAK_STALL_H
#define AUDITPEAK_STALL_H

#include "auditpeak/error.h"
#include "auditpeak/netlink.h"

/* How long a window lasts, conservatively (kauditd: 5 x HZ/10). */
#define AP_STALL_WINDOW_MS 450

struct ap_stall;

/*
 * Start a child that registers as the audit daemon (AUDIT_SET pid) on a
 * socket whose receive buffer is the kernel's minimum and is never read;
 * fill it with AUDIT_USER records sent through @ctl (audit must be
 * enabled), and arm the first window.  Fails with AP_ERR_BUSY if a daemon
 * is registered.
 */
int ap_stall_start(struct ap_stall **st, struct ap_nl *ctl,
		   struct ap_error *err);

/*
 * Wait until kauditd has moved everything off the main queue and sleeps
 * (backlog 0): the next record opens a window of about
 * AP_STALL_WINDOW_MS during which the main queue is left alone.
 */
int ap_stall_arm(struct ap_stall *st, struct ap_error *err);

/* Make the child unregister and exit, and wait for it; safe with NULL. */
int ap_stall_stop(struct ap_stall *st, struct ap_error *err);

#endif /* AUDITPEAK_STALL_H */
