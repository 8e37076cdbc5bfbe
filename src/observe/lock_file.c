// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock_file.h"

static void make_parent(const char *path)
{
	char *copy = strdup(path);

	if (copy) {
		mkdir(dirname(copy), 0755);
		free(copy);
	}
}

static pid_t read_holder(int fd)
{
	char buf[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? (pid_t)atol(buf) : 0;
}

int ap_lock_take(const char *path, pid_t *holder, struct ap_error *err)
{
	char pid[32];
	int fd, n;

	*holder = 0;
	make_parent(path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return ap_fail(err, AP_ERR_SYSTEM, errno, "cannot open %s: %s",
			       path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;

		if (e == EWOULDBLOCK)
			*holder = read_holder(fd);
		close(fd);
		if (e == EWOULDBLOCK)
			return ap_fail(err, AP_ERR_BUSY, e,
				       "%s is held by another auditpeak serve (pid %ld)",
				       path, (long)*holder);
		return ap_fail(err, AP_ERR_SYSTEM, e, "cannot lock %s: %s",
			       path, strerror(e));
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* The lock holds without the PID; only the message is poorer. */
	}
	return fd;
}

void ap_lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}
