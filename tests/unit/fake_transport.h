/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A scripted netlink peer for unit tests: plays the kernel's part so the
 * engine meets replies a real kernel never sends.  Replies are queued when
 * the engine sends its request (on_send), so they can carry its sequence.
 */
#ifndef AUDITPEAK_FAKE_TRANSPORT_H
#define AUDITPEAK_FAKE_TRANSPORT_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "auditpeak/netlink.h"

#define FAKE_MAX_DGRAMS 16
#define FAKE_DGRAM_SIZE 1024
#define FAKE_MAX_SENT 8

struct fake_dgram {
	unsigned char buf[FAKE_DGRAM_SIZE];
	ssize_t len;    /* bytes, or -errno to return from recv */
	uint32_t sender;
	bool truncated;
};

struct fake_peer;
typedef void (*fake_on_send)(struct fake_peer *f, const struct nlmsghdr *req);

struct fake_peer {
	struct fake_dgram q[FAKE_MAX_DGRAMS];
	int head, count;
	/* every request the engine sent, for assertions */
	unsigned char sent[FAKE_MAX_SENT][FAKE_DGRAM_SIZE];
	size_t sent_len[FAKE_MAX_SENT];
	int sends;
	int send_error;   /* -errno for send to return, 0 for success */
	int send_delay_ms; /* send blocks this long after queueing replies */
	fake_on_send on_send;
	uint32_t status_len; /* for the stock AUDIT_GET responder */
	int32_t set_ack;     /* for the stock AUDIT_SET responder */
	bool closed;
};

extern const struct ap_transport_ops fake_ops;

/* Open an engine on a fresh fake peer. */
struct ap_nl *fake_open(struct fake_peer *f);

/* Queue a raw datagram / an errno for recv. */
struct fake_dgram *fake_push(struct fake_peer *f);
void fake_push_errno(struct fake_peer *f, int e);

/* Append one netlink message to the last queued datagram. */
void fake_append(struct fake_peer *f, uint16_t type, uint32_t seq,
		 const void *payload, size_t len);
void fake_append_ack(struct fake_peer *f, uint32_t seq, int32_t error);
/* status payload of @len bytes; field at offset o holds 1000 + o/4 */
void fake_append_status(struct fake_peer *f, uint32_t seq, size_t len);

/* Stock responder: GET -> ack + status(status_len); SET -> ack(set_ack). */
void fake_kernel(struct fake_peer *f, const struct nlmsghdr *req);

const struct nlmsghdr *fake_sent(const struct fake_peer *f, int i);

#endif
