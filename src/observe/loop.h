/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the commands' main loops share: a periodic timer, and one way of
 * taking signals.
 *
 * A signal only raises a flag; the main path acts on it (restores the
 * terminal, writes the state file, puts audit settings back, prints what
 * was seen).  Handlers are installed without SA_RESTART, so a blocking
 * call returns EINTR and its caller looks at the flag (the library's
 * netlink waits and bursts do).  A loop that waits in one place blocks the
 * signals and waits with ap_wait(), which unblocks them only while it
 * sleeps: a signal can neither slip in between the flag test and the wait
 * nor interrupt anything else.
 */
#ifndef AUDITPEAK_OBSERVE_LOOP_H
#define AUDITPEAK_OBSERVE_LOOP_H

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* The number of the signal that asked us to stop (SIGINT, SIGTERM, and
 * SIGHUP for a terminal program); 0 while none has. */
extern volatile sig_atomic_t ap_stop_signal;
/* Raised by SIGHUP when it does not stop (a daemon reopens its log). */
extern volatile sig_atomic_t ap_hangup_signal;
/* Raised by SIGWINCH (a terminal view redraws). */
extern volatile sig_atomic_t ap_resize_signal;

enum ap_signal_use {
	AP_SIGNALS_STOP = 0,          /* SIGINT, SIGTERM stop */
	AP_SIGNALS_HANGUP_STOPS = 1,  /* ... and SIGHUP (the terminal is gone) */
	AP_SIGNALS_HANGUP_FLAG = 2,   /* SIGHUP raises ap_hangup_signal */
	AP_SIGNALS_RESIZE = 4,        /* SIGWINCH raises ap_resize_signal */
};

/* The signal mask ap_wait() sleeps with. */
struct ap_signals {
	sigset_t wait_mask;
};

/*
 * Install the handlers for @use (AP_SIGNALS_* or-ed).  With @sig, also
 * block those signals in this thread (and the threads it starts later)
 * and keep the mask for ap_wait(); with NULL, leave them unblocked so any
 * blocking call returns EINTR.  SIGPIPE is ignored either way (a peer
 * that went away is an error value, not a death).  -1 with errno.
 */
int ap_signals_catch(int use, struct ap_signals *sig);

/*
 * poll(2) on @fds (may be NULL with @n 0) for at most @timeout_ms (-1:
 * no limit) with the caught signals deliverable; returns poll's result,
 * -1 with EINTR when a signal arrived.
 */
int ap_wait(const struct ap_signals *sig, struct pollfd *fds, nfds_t n,
	    int64_t timeout_ms);

/*
 * A CLOCK_MONOTONIC timerfd firing every @interval_ms, first at once
 * (@at_once) or after one interval; -1 with errno on failure.
 */
int ap_interval_timer(uint64_t interval_ms, bool at_once);

#endif /* AUDITPEAK_OBSERVE_LOOP_H */
