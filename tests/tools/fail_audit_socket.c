// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim: socket(AF_NETLINK, *, NETLINK_AUDIT) fails with the errno
 * in $FAIL_AUDIT_SOCKET_ERRNO (default EPROTONOSUPPORT, what a kernel built
 * without CONFIG_AUDIT answers).  Lets a test reach the CLI's "no audit"
 * path on a machine whose kernel has audit.  Every other socket is real.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include <linux/netlink.h>
#include <sys/socket.h>

int socket(int domain, int type, int protocol)
{
	int (*real_socket)(int, int, int);
	const char *e;

	if (domain == AF_NETLINK && protocol == NETLINK_AUDIT) {
		e = getenv("FAIL_AUDIT_SOCKET_ERRNO");
		errno = e ? atoi(e) : EPROTONOSUPPORT;
		return -1;
	}
	real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	return real_socket(domain, type, protocol);
}
