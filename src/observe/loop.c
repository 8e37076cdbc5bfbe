// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

volatile sig_atomic_t ap_stop_signal;
volatile sig_atomic_t ap_hangup_signal;
volatile sig_atomic_t ap_resize_signal;

static void on_stop(int signo)
{
	ap_stop_signal = signo;
}

static void on_hangup(int signo)
{
	(void)signo;
	ap_hangup_signal = 1;
}

static void on_resize(int signo)
{
	(void)signo;
	ap_resize_signal = 1;
}

static int catch_one(int signo, void (*handler)(int), sigset_t *set)
{
	/* No SA_RESTART: a blocking call returns EINTR and sees the flag. */
	struct sigaction sa = { .sa_handler = handler };

	sigemptyset(&sa.sa_mask);
	sigaddset(set, signo);
	return sigaction(signo, &sa, NULL);
}

int ap_signals_catch(int use, struct ap_signals *sig)
{
	sigset_t set;

	sigemptyset(&set);
	signal(SIGPIPE, SIG_IGN);
	if (catch_one(SIGINT, on_stop, &set) < 0 ||
	    catch_one(SIGTERM, on_stop, &set) < 0)
		return -1;
	if ((use & AP_SIGNALS_HANGUP_STOPS) &&
	    catch_one(SIGHUP, on_stop, &set) < 0)
		return -1;
	if ((use & AP_SIGNALS_HANGUP_FLAG) &&
	    catch_one(SIGHUP, on_hangup, &set) < 0)
		return -1;
	if ((use & AP_SIGNALS_RESIZE) && catch_one(SIGWINCH, on_resize, &set) < 0)
		return -1;
	if (!sig)
		return 0;
	/* Threads started later inherit the mask: the signals come here. */
	errno = pthread_sigmask(SIG_BLOCK, &set, &sig->wait_mask);
	return errno ? -1 : 0;
}

int ap_wait(const struct ap_signals *sig, struct pollfd *fds, nfds_t n,
	    int64_t timeout_ms)
{
	struct timespec ts, *tp = NULL;

	if (timeout_ms >= 0) {
		ts.tv_sec = (time_t)(timeout_ms / 1000);
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
		tp = &ts;
	}
	return ppoll(fds, n, tp, sig ? &sig->wait_mask : NULL);
}

int ap_interval_timer(uint64_t interval_ms, bool at_once)
{
	struct timespec every = { (time_t)(interval_ms / 1000),
				  (long)(interval_ms % 1000) * 1000000 };
	struct itimerspec its = {
		.it_value = at_once ? (struct timespec){ 0, 1 } : every,
		.it_interval = every,
	};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);

	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
