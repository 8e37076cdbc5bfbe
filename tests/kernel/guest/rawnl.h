/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Raw NETLINK_AUDIT helpers for the guest tests.
 *
 * Ordinary requests (AUDIT_GET, settings, resets) go through libauditpeak.
 * These helpers do what the library deliberately does not: act as a fake
 * audit daemon with a tiny receive buffer, listen on the multicast group,
 * fire AUDIT_USER messages without waiting for acks (to make bursts fast),
 * manage syscall rules and send requests the library refuses (a reset on a
 * kernel that lacks the field).
 */
#ifndef KTEST_RAWNL_H
#define KTEST_RAWNL_H

#include <stddef.h>
#include <stdint.h>

/* NETLINK_AUDIT socket, bound with an automatic port id; @rcvbuf 0 keeps
 * the default receive buffer.  -errno on failure. */
int rawnl_open(int rcvbuf);

/* Subscribe @fd to AUDIT_NLGRP_READLOG; -errno on failure. */
int rawnl_join_readlog(int fd);

/* Send one message; -errno on failure. */
int rawnl_send(int fd, uint16_t type, uint16_t flags, const void *payload,
	       size_t len);

/*
 * Send a request with NLM_F_ACK and wait up to @timeout_ms for its ack,
 * skipping any other message (records, replies).  Stores the ack's error
 * field in *@ack.  0 when the ack arrived, -errno otherwise.
 */
int rawnl_request_ack(int fd, uint16_t type, const void *payload, size_t len,
		      int32_t *ack, int timeout_ms);

/*
 * Receive one message within @timeout_ms.  Returns its type and copies up
 * to @cap - 1 payload bytes, NUL-terminated, into @text; 0 on timeout,
 * -errno on error.
 */
int rawnl_recv_record(int fd, char *text, size_t cap, int timeout_ms);

#endif /* KTEST_RAWNL_H */
