// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auditpeak/control.h"

#include "audit_consumer.h"

/* Large enough that a burst never overflows it (ENOBUFS would drop
 * records on the floor and kauditd would retry them, slowing the drain). */
#define CONSUMER_RCVBUF (8 << 20)

static void consume(int ready_fd)
{
	static char buf[1 << 16];
	struct ap_error err;
	struct ap_nl *nl;
	int fd, size = CONSUMER_RCVBUF;
	char c = 1;

	if (ap_nl_open_fd(&nl, &fd, &err) < 0)
		_exit(1);
	/* SO_RCVBUFFORCE ignores rmem_max (we are root in the guest). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (ap_set_field(nl, AP_FIELD_PID, (uint32_t)getpid(), &err) < 0)
		_exit(1);
	if (write(ready_fd, &c, 1) != 1)
		_exit(1);
	close(ready_fd);
	for (;;)
		if (recv(fd, buf, sizeof(buf), 0) < 0 && errno != EINTR &&
		    errno != ENOBUFS)
			_exit(1);
}

pid_t bench_consumer_start(void)
{
	int ready[2];
	pid_t pid;
	char c = 0;

	if (pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		consume(ready[1]);
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1 || c != 1) {
		close(ready[0]);
		bench_consumer_stop(pid);
		errno = EPROTO;
		return -1;
	}
	close(ready[0]);
	return pid;
}

void bench_consumer_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
