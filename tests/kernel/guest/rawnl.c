// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/netlink.h>

#include "rawnl.h"

static uint32_t next_seq = 1;

int rawnl_open(int rcvbuf)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);

	if (fd < 0)
		return -errno;
	/* the kernel raises tiny values to its minimum (SOCK_MIN_RCVBUF) */
	if (rcvbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	return fd;
fail:
	rcvbuf = -errno;
	close(fd);
	return rcvbuf;
}

int rawnl_join_readlog(int fd)
{
	int group = AUDIT_NLGRP_READLOG;

	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof(group)) < 0)
		return -errno;
	return 0;
}

static int send_seq(int fd, uint16_t type, uint16_t flags, const void *payload,
		    size_t len, uint32_t seq)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_LENGTH(len),
		.nlmsg_type = type,
		.nlmsg_flags = NLM_F_REQUEST | flags,
		.nlmsg_seq = seq,
	};
	static const char pad[NLMSG_ALIGNTO];
	struct iovec iov[3] = {
		{ &nlh, sizeof(nlh) },
		{ (void *)payload, len },
		{ (void *)pad, NLMSG_ALIGN(len) - len },
	};
	struct msghdr msg = {
		.msg_name = &kernel,
		.msg_namelen = sizeof(kernel),
		.msg_iov = iov,
		.msg_iovlen = 3,
	};

	for (;;) {
		if (sendmsg(fd, &msg, 0) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int rawnl_send(int fd, uint16_t type, uint16_t flags, const void *payload,
	       size_t len)
{
	return send_seq(fd, type, flags, payload, len, next_seq++);
}

static ssize_t recv_timeout(int fd, void *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return 0;
	n = recv(fd, buf, cap, MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	return n;
}

int rawnl_request_ack(int fd, uint16_t type, const void *payload, size_t len,
		      int32_t *ack, int timeout_ms)
{
	uint32_t seq = next_seq++;
	union {
		struct nlmsghdr h;
		char raw[16384];
	} buf;
	int rc = send_seq(fd, type, NLM_F_ACK, payload, len, seq);

	if (rc < 0)
		return rc;
	for (;;) {
		ssize_t n = recv_timeout(fd, &buf, sizeof(buf), timeout_ms);
		size_t left;
		struct nlmsghdr *h;

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -ETIMEDOUT;
		left = (size_t)n;
		for (h = &buf.h; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e->error)))
				return -EPROTO;
			*ack = e->error;
			return 0;
		}
	}
}

int rawnl_recv_record(int fd, char *text, size_t cap, int timeout_ms)
{
	union {
		struct nlmsghdr h;
		char raw[16384];
	} buf;
	ssize_t n = recv_timeout(fd, &buf, sizeof(buf), timeout_ms);
	size_t len;

	if (n <= 0)
		return (int)n;
	if ((size_t)n < NLMSG_HDRLEN)
		return -EPROTO;
	/*
	 * Records sent by kauditd carry one message per datagram, and the
	 * unicast ones have a historically wrong nlmsg_len: take the length
	 * from the datagram instead.
	 */
	len = (size_t)n - NLMSG_HDRLEN;
	if (len > cap - 1)
		len = cap - 1;
	memcpy(text, (char *)&buf + NLMSG_HDRLEN, len);
	text[len] = '\0';
	return buf.h.nlmsg_type;
}
