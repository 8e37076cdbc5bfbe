// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The real transport: a NETLINK_AUDIT socket opened with libmnl.  We read
 * with recvmsg() ourselves because we need the sender's port id (only the
 * kernel, port 0, may answer) and MSG_TRUNC, which mnl_socket_recvfrom()
 * does not hand back.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "auditpeak/netlink.h"

static int kernel_send(void *ctx, const void *buf, size_t len)
{
	struct mnl_socket *sock = ctx;
	ssize_t n = mnl_socket_sendto(sock, buf, len);

	if (n < 0)
		return -errno;
	return 0;
}

static ssize_t kernel_recv(void *ctx, void *buf, size_t cap,
			   struct ap_recv_info *info, int timeout_ms)
{
	struct mnl_socket *sock = ctx;
	struct pollfd pfd = { .fd = mnl_socket_get_fd(sock), .events = POLLIN };
	struct sockaddr_nl addr;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = {
		.msg_name = &addr, .msg_namelen = sizeof(addr),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	ssize_t n;
	int rc = poll(&pfd, 1, timeout_ms);

	if (rc < 0)
		return -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	n = recvmsg(pfd.fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	info->sender_portid = addr.nl_pid;
	info->truncated = (msg.msg_flags & MSG_TRUNC) != 0;
	return n;
}

static void kernel_close(void *ctx)
{
	mnl_socket_close(ctx);
}

static const struct ap_transport_ops kernel_ops = {
	.send = kernel_send,
	.recv = kernel_recv,
	.close = kernel_close,
};

int ap_nl_open(struct ap_nl **nl, struct ap_error *err)
{
	int fd;

	return ap_nl_open_fd(nl, &fd, err);
}

int ap_nl_open_fd(struct ap_nl **nl, int *fd, struct ap_error *err)
{
	struct mnl_socket *sock = mnl_socket_open(NETLINK_AUDIT);
	int one = 1;

	if (!sock) {
		int e = errno;

		if (e == EPROTONOSUPPORT)
			return ap_fail(err, AP_ERR_NO_AUDIT, e,
				       "this kernel has no audit support (CONFIG_AUDIT is off)");
		if (e == EACCES || e == EPERM)
			return ap_fail(err, AP_ERR_PERMISSION, e,
				       "cannot open the audit netlink socket: %s",
				       strerror(e));
		return ap_fail(err, AP_ERR_SYSTEM, e,
			       "cannot open the audit netlink socket: %s",
			       strerror(e));
	}
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(sock);
		return ap_fail(err, AP_ERR_SYSTEM, e,
			       "cannot bind the audit netlink socket: %s",
			       strerror(e));
	}
	/* Error acks need not echo our request back; older kernels lack it. */
	mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof(one));
	*fd = mnl_socket_get_fd(sock);
	return ap_nl_open_transport(nl, &kernel_ops, sock, err);
}
