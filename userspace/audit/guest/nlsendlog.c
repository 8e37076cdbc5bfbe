// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim for the guest tests: appends the type of every netlink
 * message a program sends with sendto() to the file named by $NLSENDLOG,
 * as "T," (decimal), then sends it.  It shows which requests a program sent
 * (libaudit sends each request with sendto), e.g. that a refused reset sent
 * AUDIT_GET and no AUDIT_SET.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/socket.h>

typedef ssize_t (*sendto_fn)(int, const void *, size_t, int,
			     const struct sockaddr *, socklen_t);

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	static sendto_fn real_sendto;
	const char *log = getenv("NLSENDLOG");

	if (!real_sendto)
		real_sendto = (sendto_fn)dlsym(RTLD_NEXT, "sendto");
	if (log && to && to->sa_family == AF_NETLINK &&
	    len >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		char line[16];
		int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		memcpy(&h, buf, sizeof(h));
		if (lfd >= 0) {
			int n = snprintf(line, sizeof(line), "%u,", h.nlmsg_type);

			if (write(lfd, line, (size_t)n) != n)
				perror("nlsendlog");
			close(lfd);
		}
	}
	return real_sendto(fd, buf, len, flags, to, tolen);
}
