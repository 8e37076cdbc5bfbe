/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Audit netlink request/reply engine.
 *
 * The engine is written against a small transport interface so unit tests
 * and fault injection can play the kernel's part; ap_nl_open() gives the
 * real NETLINK_AUDIT socket (libmnl).
 */
#ifndef AUDITPEAK_NETLINK_H
#define AUDITPEAK_NETLINK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "auditpeak/error.h"

#define AP_NL_DEFAULT_TIMEOUT_MS 1000

struct ap_recv_info {
	uint32_t sender_portid; /* 0 for the kernel */
	bool truncated;         /* datagram was larger than the buffer */
};

/*
 * send: 0 or -errno.
 * recv: bytes received, or -errno; -ETIMEDOUT when nothing came within
 *       @timeout_ms, -EINTR when a signal interrupted the wait.
 */
struct ap_transport_ops {
	int (*send)(void *ctx, const void *buf, size_t len);
	ssize_t (*recv)(void *ctx, void *buf, size_t cap,
			struct ap_recv_info *info, int timeout_ms);
	void (*close)(void *ctx);
};

struct ap_nl;

/* Open the kernel's audit netlink socket. */
int ap_nl_open(struct ap_nl **nl, struct ap_error *err);

/*
 * The same, also handing out the socket's file descriptor for socket
 * options (the fake audit daemon shrinks its receive buffer).  The fd
 * stays owned by @nl.
 */
int ap_nl_open_fd(struct ap_nl **nl, int *fd, struct ap_error *err);

/* Use a caller-provided transport; @ops->close(@ctx) runs on ap_nl_close(). */
int ap_nl_open_transport(struct ap_nl **nl, const struct ap_transport_ops *ops,
			 void *ctx, struct ap_error *err);

void ap_nl_close(struct ap_nl *nl);

/* Reply timeout per request; default AP_NL_DEFAULT_TIMEOUT_MS. */
void ap_nl_set_timeout(struct ap_nl *nl, int timeout_ms);

/*
 * When *@flag becomes non-zero, a wait interrupted by a signal ends with
 * AP_ERR_INTERRUPTED instead of being resumed.
 */
void ap_nl_set_cancel_flag(struct ap_nl *nl, volatile sig_atomic_t *flag);

/* What one request produced. */
struct ap_nl_result {
	int32_t ack;         /* error field of the ack: 0, or >0 for read-and-clear */
	size_t reply_len;    /* payload bytes copied into the reply buffer */
};

/*
 * Send one request of @type with @payload and wait for the kernel's ack and,
 * if @reply_type is non-zero, one reply of that type whose payload is copied
 * into @reply (at most @reply_cap bytes; longer payloads are cut, which is
 * safe for audit_status whose later fields we do not know).  Replies for
 * other sequence numbers or from other senders are skipped.  A negative ack
 * is turned into an error with a message naming @what.
 */
int ap_nl_request(struct ap_nl *nl, uint16_t type, const void *payload,
		  size_t len, uint16_t reply_type, void *reply, size_t reply_cap,
		  struct ap_nl_result *res, const char *what,
		  struct ap_error *err);

#endif /* AUDITPEAK_NETLINK_H */
