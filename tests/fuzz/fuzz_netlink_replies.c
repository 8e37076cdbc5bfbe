// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: whatever a netlink peer sends, the engine and the control
 * calls on top of it end in a value that the bytes justify or in a clear
 * error, and never read past what was received.
 *
 * Input: a sequence of datagrams, each
 *   u8 flags   bit0 from a foreign sender, bit1 truncated (MSG_TRUNC),
 *              bit2 rewrite every message's seq to the request's,
 *              bit3 deliver an errno instead (next byte picks it)
 *   u16 len    little endian, then len bytes
 * When the input runs out the peer goes quiet (timeout).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "auditpeak/abi.h"
#include "auditpeak/control.h"

struct peer {
	const uint8_t *data;
	size_t left;
	uint32_t seq; /* of the request just sent */
};

static int peer_send(void *ctx, const void *buf, size_t len)
{
	struct peer *p = ctx;
	const struct nlmsghdr *h = buf;

	if (len < sizeof(*h))
		abort(); /* the engine never sends less than a header */
	p->seq = h->nlmsg_seq;
	return 0;
}

static void rewrite_seq(uint8_t *buf, size_t n, uint32_t seq)
{
	size_t off = 0;

	while (off + sizeof(struct nlmsghdr) <= n) {
		struct nlmsghdr h;

		memcpy(&h, buf + off, sizeof(h));
		h.nlmsg_seq = seq;
		memcpy(buf + off, &h, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > n - off)
			break;
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
}

static ssize_t peer_recv(void *ctx, void *buf, size_t cap,
			 struct ap_recv_info *info, int timeout_ms)
{
	static const int errnos[] = { EINTR, ENOBUFS, EAGAIN, ETIMEDOUT, EIO };
	struct peer *p = ctx;
	uint8_t flags;
	size_t len;

	(void)timeout_ms;
	if (p->left < 3)
		return -ETIMEDOUT;
	flags = p->data[0];
	len = (size_t)p->data[1] | (size_t)p->data[2] << 8;
	p->data += 3;
	p->left -= 3;
	if (flags & 8)
		return -errnos[len % (sizeof(errnos) / sizeof(errnos[0]))];
	if (len > p->left)
		len = p->left;
	if (len > cap)
		len = cap;
	memcpy(buf, p->data, len);
	p->data += len;
	p->left -= len;
	if (flags & 4)
		rewrite_seq(buf, len, p->seq);
	info->sender_portid = flags & 1 ? 77 : 0;
	info->truncated = flags & 2;
	return (ssize_t)len;
}

static const struct ap_transport_ops peer_ops = {
	.send = peer_send,
	.recv = peer_recv,
};

static void check_status(const struct ap_status *st)
{
	if (st->payload_len < 32)
		abort(); /* short replies must be refused */
	uint32_t bitmap = st->value[AP_FIELD_FEATURE_BITMAP];

	for (int f = 0; f < AP_FIELD_COUNT; f++) {
		size_t off = ap_field_offset(f);
		bool covered = st->payload_len >= off + 4 && off + 4 <= 256;

		/* backlog_max_depth needs its feature bit as well */
		if (f == AP_FIELD_BACKLOG_MAX_DEPTH)
			covered = covered && (bitmap & AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH);
		if (ap_status_has(st, f) != covered)
			abort();
	}
	if (st->has_backlog_sums !=
	    (st->payload_len >= AP_OFF_BACKLOG_DEPTH_SUM + 8 &&
	     (bitmap & AUDIT_FEATURE_BITMAP_BACKLOG_DEPTH_SUM) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static volatile sig_atomic_t cancel = 1; /* EINTR ends the call */
	struct peer p = { .data = data, .left = size };
	struct ap_status st;
	struct ap_error err;
	struct ap_nl *nl;
	uint32_t old;

	if (ap_nl_open_transport(&nl, &peer_ops, &p, &err) < 0)
		return 0;
	ap_nl_set_cancel_flag(nl, &cancel);
	if (ap_get_status(nl, &st, &err) == 0)
		check_status(&st);
	else if (err.code == AP_OK || !err.msg[0])
		abort(); /* every failure says what happened */
	if (ap_reset_counter(nl, AP_FIELD_BACKLOG_MAX_DEPTH, &old, &err) < 0 &&
	    !err.msg[0])
		abort();
	ap_set_field(nl, AP_FIELD_BACKLOG_LIMIT, 8192, &err);
	ap_send_user_message(nl, "fuzz", &err);
	ap_nl_close(nl);
	return 0;
}
