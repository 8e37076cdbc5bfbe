// SPDX-License-Identifier: LGPL-2.1-or-later
/* The stalled audit daemon; stall.h explains the kernel's side. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "auditpeak/control.h"
#include "auditpeak/stall.h"

/* Far more than a minimum-size receive buffer holds. */
#define FILL_RECORDS 16
/* kauditd needs one 100 ms send timeout to give up on the main queue. */
#define ARM_TIMEOUT_MS 3000
#define ARM_POLL_MS 5
/* After the backlog reads 0, kauditd still has to reach its sleep. */
#define ARM_SETTLE_MS 20

struct ap_stall {
	pid_t child;
	int command;       /* write end: closing it tells the child to stop */
	struct ap_nl *ctl; /* the caller's: records and status */
};

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * The child: register on a tiny never-read socket, report the outcome
 * on @report ("" or an error message), wait for @command to close, then
 * unregister through a second socket (the first one is full and would
 * drop the ack).
 */
static void daemon_main(int command, int report)
{
	struct ap_nl *daemon = NULL, *ctl = NULL;
	struct ap_error err = { 0 };
	int fd, zero = 0;
	char c;

	/* Stop with the parent even if it cannot tell us. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (ap_nl_open(&ctl, &err) == 0 && ap_nl_open_fd(&daemon, &fd, &err) == 0) {
		/* The kernel rounds 0 up to its minimum: a couple of records. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)) < 0)
			ap_fail(&err, AP_ERR_SYSTEM, errno,
				"cannot shrink the daemon socket's receive buffer");
		else if (ap_set_field(daemon, AP_FIELD_PID, (uint32_t)getpid(), &err) == 0)
			err.msg[0] = '\0';
	}
	if (write(report, err.msg, strlen(err.msg) + 1) < 0)
		_exit(1);
	close(report);
	if (err.msg[0] == '\0')
		while (read(command, &c, 1) != 0 && errno == EINTR)
			;
	if (err.msg[0] == '\0')
		ap_set_field(ctl, AP_FIELD_PID, 0, NULL);
	ap_nl_close(daemon);
	ap_nl_close(ctl);
	_exit(0);
}

static int start_child(struct ap_stall *st, struct ap_error *err)
{
	int command[2], report[2];
	char msg[AP_ERROR_MSG_MAX] = "";
	ssize_t n;

	if (pipe2(command, O_CLOEXEC) < 0)
		return ap_fail(err, AP_ERR_SYSTEM, errno, "pipe: %s", strerror(errno));
	if (pipe2(report, O_CLOEXEC) < 0) {
		close(command[0]);
		close(command[1]);
		return ap_fail(err, AP_ERR_SYSTEM, errno, "pipe: %s", strerror(errno));
	}
	st->child = fork();
	if (st->child == 0) {
		close(command[1]);
		close(report[0]);
		daemon_main(command[0], report[1]);
	}
	close(command[0]);
	close(report[1]);
	st->command = command[1];
	if (st->child < 0) {
		close(report[0]);
		close(command[1]);
		return ap_fail(err, AP_ERR_SYSTEM, errno, "fork: %s", strerror(errno));
	}
	do {
		n = read(report[0], msg, sizeof(msg) - 1);
	} while (n < 0 && errno == EINTR);
	close(report[0]);
	if (n <= 0)
		return ap_fail(err, AP_ERR_SYSTEM, 0, "the stalled daemon died while starting");
	if (msg[0] != '\0')
		return ap_fail(err, AP_ERR_KERNEL, 0, "stalled daemon: %s", msg);
	return 0;
}

static void stop_child(struct ap_stall *st)
{
	if (st->command >= 0)
		close(st->command);
	st->command = -1;
	if (st->child > 0)
		while (waitpid(st->child, NULL, 0) < 0 && errno == EINTR)
			;
	st->child = 0;
}

int ap_stall_start(struct ap_stall **out, struct ap_nl *ctl,
		   struct ap_error *err)
{
	struct ap_stall *st;
	struct ap_status status;

	if (ap_get_status(ctl, &status, err) < 0)
		return -1;
	if (status.value[AP_FIELD_PID] != 0)
		return ap_fail(err, AP_ERR_BUSY, EEXIST,
			       "an audit daemon (pid %u) is registered; will not stall it",
			       status.value[AP_FIELD_PID]);
	st = calloc(1, sizeof(*st));
	if (!st)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	st->ctl = ctl;
	st->command = -1;
	if (start_child(st, err) < 0)
		goto fail;
	for (int i = 0; i < FILL_RECORDS; i++)
		if (ap_send_user_message(ctl, "auditpeak stall: fill", err) < 0)
			goto fail;
	if (ap_stall_arm(st, err) < 0)
		goto fail;
	*out = st;
	return 0;
fail:
	stop_child(st);
	free(st);
	return -1;
}

int ap_stall_arm(struct ap_stall *st, struct ap_error *err)
{
	struct ap_status status;

	for (int waited = 0; waited < ARM_TIMEOUT_MS; waited += ARM_POLL_MS) {
		if (ap_get_status(st->ctl, &status, err) < 0)
			return -1;
		if (status.value[AP_FIELD_BACKLOG] == 0) {
			sleep_ms(ARM_SETTLE_MS);
			return 0;
		}
		sleep_ms(ARM_POLL_MS);
	}
	return ap_fail(err, AP_ERR_TIMEOUT, ETIMEDOUT,
		       "kauditd did not drain the main queue within %d ms (backlog %u)",
		       ARM_TIMEOUT_MS, status.value[AP_FIELD_BACKLOG]);
}

int ap_stall_stop(struct ap_stall *st, struct ap_error *err)
{
	struct ap_status status;
	pid_t pid;
	int rc = 0;

	if (!st)
		return 0;
	pid = st->child;
	stop_child(st);
	if (ap_get_status(st->ctl, &status, err) < 0)
		rc = -1;
	else if (status.value[AP_FIELD_PID] == (uint32_t)pid)
		rc = ap_fail(err, AP_ERR_SYSTEM, 0,
			     "the stalled daemon is still registered (pid %u)",
			     status.value[AP_FIELD_PID]);
	free(st);
	return rc;
}
