// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One request, its ack and its reply.
 *
 * The kernel answers AUDIT_GET with NLM_F_ACK by sending the ack first and
 * the status after it (from another kernel thread), so we read until both
 * have arrived, in either order.  Everything we did not ask for is skipped:
 * messages from other senders (nl_pid != 0) and stale replies for earlier
 * sequence numbers, e.g. after a timeout.  Everything malformed is an
 * error, and nothing past the received bytes is read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <sys/capability.h>

#include "auditpeak/abi.h"
#include "auditpeak/clock.h"
#include "auditpeak/netlink.h"
#include "caps.h"

/* Large enough for any audit reply; longer datagrams are reported. */
#define AP_NL_BUF_SIZE 8192

struct ap_nl {
	const struct ap_transport_ops *ops;
	void *ctx;
	uint32_t seq;
	int timeout_ms;
	volatile sig_atomic_t *cancel;
	/* nlmsghdr alignment for the receive buffer */
	union {
		struct nlmsghdr hdr;
		unsigned char bytes[AP_NL_BUF_SIZE];
	} rx;
};

int ap_nl_open_transport(struct ap_nl **out, const struct ap_transport_ops *ops,
			 void *ctx, struct ap_error *err)
{
	struct ap_nl *nl = calloc(1, sizeof(*nl));

	if (!nl) {
		if (ops->close)
			ops->close(ctx);
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	}
	nl->ops = ops;
	nl->ctx = ctx;
	nl->timeout_ms = AP_NL_DEFAULT_TIMEOUT_MS;
	/* Start somewhere unpredictable so replies meant for an earlier
	 * process with the same port id are not mistaken for ours. */
	nl->seq = (uint32_t)time(NULL) ^ ((uint32_t)(uintptr_t)nl >> 4);
	*out = nl;
	return 0;
}

void ap_nl_close(struct ap_nl *nl)
{
	if (!nl)
		return;
	if (nl->ops->close)
		nl->ops->close(nl->ctx);
	free(nl);
}

void ap_nl_set_timeout(struct ap_nl *nl, int timeout_ms)
{
	nl->timeout_ms = timeout_ms;
}

void ap_nl_set_cancel_flag(struct ap_nl *nl, volatile sig_atomic_t *flag)
{
	nl->cancel = flag;
}

/* Turn the kernel's negative ack into a message a person can act on. */
static int refused(uint16_t type, int e, const char *what,
		   struct ap_error *err)
{
	cap_value_t cap = type == AUDIT_USER ? CAP_AUDIT_WRITE :
					       CAP_AUDIT_CONTROL;
	const char *cap_name = type == AUDIT_USER ? "CAP_AUDIT_WRITE" :
						    "CAP_AUDIT_CONTROL";

	switch (e) {
	case EPERM:
		if (ap_have_effective_cap(cap))
			return ap_fail(err, AP_ERR_NAMESPACE, e,
				       "%s refused: audit control is only allowed from the initial PID namespace",
				       what);
		return ap_fail(err, AP_ERR_PERMISSION, e,
			       "%s refused: needs %s (run as root)", what,
			       cap_name);
	case ECONNREFUSED:
		return ap_fail(err, AP_ERR_NAMESPACE, e,
			       "%s refused: audit control is only allowed from the initial user namespace",
			       what);
	default:
		return ap_fail(err, AP_ERR_KERNEL, e, "%s refused by the kernel: %s",
			       what, strerror(e));
	}
}

struct exchange {
	uint16_t type;
	uint16_t reply_type;
	uint32_t seq;
	const char *what;
	void *reply;
	size_t reply_cap;
	struct ap_nl_result *res;
	bool have_ack;
	bool have_reply;
};

/* One message of our sequence: an ack or the reply. */
static int take_message(struct exchange *x, const struct nlmsghdr *h,
			struct ap_error *err)
{
	size_t len = mnl_nlmsg_get_payload_len(h);
	const void *payload = mnl_nlmsg_get_payload(h);

	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = payload;

		if (len < sizeof(e->error))
			return ap_fail(err, AP_ERR_PROTOCOL, 0,
				       "short ack to %s (%zu bytes)", x->what,
				       len);
		/* errnos are 1..4095 (MAX_ERRNO); anything below is no errno
		 * and -INT_MIN would overflow (found by tests/fuzz). */
		if (e->error < -4095)
			return ap_fail(err, AP_ERR_PROTOCOL, 0,
				       "ack to %s carries an invalid error %d",
				       x->what, e->error);
		if (e->error < 0)
			return refused(x->type, -e->error, x->what, err);
		x->res->ack = e->error;
		x->have_ack = true;
		return 0;
	}
	if (x->reply_type && h->nlmsg_type == x->reply_type) {
		if (x->have_reply)
			return ap_fail(err, AP_ERR_PROTOCOL, 0,
				       "two replies to one %s", x->what);
		memcpy(x->reply, payload, len < x->reply_cap ? len : x->reply_cap);
		x->res->reply_len = len;
		x->have_reply = true;
		return 0;
	}
	if (h->nlmsg_type == NLMSG_NOOP)
		return 0;
	return ap_fail(err, AP_ERR_PROTOCOL, 0,
		       "unexpected netlink message type %u in reply to %s",
		       h->nlmsg_type, x->what);
}

static int take_datagram(struct exchange *x, const void *buf, ssize_t n,
			 struct ap_error *err)
{
	const struct nlmsghdr *h = buf;
	int left = (int)n;

	while (left > 0) {
		/* Not mnl_nlmsg_ok(): it compares (int)nlmsg_len, so a length
		 * of 2 GiB or more passes as negative and the walk runs off
		 * the buffer (found by tests/fuzz). */
		if (left < (int)sizeof(*h))
			return ap_fail(err, AP_ERR_PROTOCOL, 0,
				       "truncated netlink header in reply to %s (%d bytes)",
				       x->what, left);
		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > (uint32_t)left)
			return ap_fail(err, AP_ERR_PROTOCOL, 0,
				       "netlink message in reply to %s claims %u bytes, %d received",
				       x->what, h->nlmsg_len, left);
		/* A stale reply to an earlier request: not ours any more. */
		if (h->nlmsg_seq == x->seq && take_message(x, h, err) < 0)
			return -1;
		h = mnl_nlmsg_next(h, &left);
	}
	return 0;
}

static bool exchange_done(const struct exchange *x)
{
	return x->have_ack && (!x->reply_type || x->have_reply);
}

static int send_request(struct ap_nl *nl, struct exchange *x,
			const void *payload, size_t len, struct ap_error *err)
{
	union {
		struct nlmsghdr hdr;
		unsigned char bytes[AP_NL_BUF_SIZE];
	} tx;
	struct nlmsghdr *h;
	int rc;

	if (len > sizeof(tx) - MNL_NLMSG_HDRLEN)
		return ap_fail(err, AP_ERR_USAGE, EMSGSIZE,
			       "%s payload too large (%zu bytes)", x->what, len);
	h = mnl_nlmsg_put_header(tx.bytes);
	h->nlmsg_type = x->type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = x->seq;
	if (len)
		memcpy(mnl_nlmsg_put_extra_header(h, len), payload, len);
	do {
		rc = nl->ops->send(nl->ctx, tx.bytes, h->nlmsg_len);
	} while (rc == -EINTR && !(nl->cancel && *nl->cancel));
	if (rc == -EINTR)
		return ap_fail(err, AP_ERR_INTERRUPTED, EINTR,
			       "%s interrupted", x->what);
	if (rc < 0)
		return ap_fail(err, AP_ERR_SYSTEM, -rc, "sending %s: %s",
			       x->what, strerror(-rc));
	return 0;
}

static int receive_error(struct ap_nl *nl, const struct exchange *x,
			 ssize_t n, struct ap_error *err)
{
	switch (-n) {
	case ETIMEDOUT:
		return ap_fail(err, AP_ERR_TIMEOUT, ETIMEDOUT,
			       "no reply from the kernel to %s within %d ms",
			       x->what, nl->timeout_ms);
	case ENOBUFS:
		return ap_fail(err, AP_ERR_NOBUFS, ENOBUFS,
			       "netlink receive buffer overrun while waiting for the reply to %s",
			       x->what);
	case EINTR:
		return ap_fail(err, AP_ERR_INTERRUPTED, EINTR,
			       "%s interrupted", x->what);
	default:
		return ap_fail(err, AP_ERR_SYSTEM, (int)-n,
			       "receiving the reply to %s: %s", x->what,
			       strerror((int)-n));
	}
}

int ap_nl_request(struct ap_nl *nl, uint16_t type, const void *payload,
		  size_t len, uint16_t reply_type, void *reply, size_t reply_cap,
		  struct ap_nl_result *res, const char *what,
		  struct ap_error *err)
{
	struct exchange x = {
		.type = type, .reply_type = reply_type, .seq = ++nl->seq,
		.what = what, .reply = reply, .reply_cap = reply_cap, .res = res,
	};
	int64_t deadline;

	memset(res, 0, sizeof(*res));
	if (send_request(nl, &x, payload, len, err) < 0)
		return -1;
	/*
	 * The timeout is for the reply, so it starts only now: while the
	 * queue is over backlog_limit, the kernel's audit_receive() holds
	 * every sender in sendmsg() for up to backlog_wait_time after it
	 * has already queued the ack ("penalize the sender").
	 */
	deadline = (int64_t)ap_now_mono_ms() + nl->timeout_ms;
	while (!exchange_done(&x)) {
		struct ap_recv_info info = { 0 };
		int64_t left = deadline - (int64_t)ap_now_mono_ms();
		ssize_t n;

		n = left > 0 ? nl->ops->recv(nl->ctx, nl->rx.bytes,
					     sizeof(nl->rx.bytes), &info,
					     (int)left) :
			       -ETIMEDOUT;
		if (n == -EINTR && !(nl->cancel && *nl->cancel))
			continue;
		if (n < 0)
			return receive_error(nl, &x, n, err);
		if (info.sender_portid != 0)
			continue; /* not the kernel: nobody may answer for it */
		if (n == 0) /* would otherwise spin until the deadline */
			return ap_fail(err, AP_ERR_PROTOCOL, 0,
				       "empty datagram in reply to %s", what);
		if (info.truncated)
			return ap_fail(err, AP_ERR_PROTOCOL, EMSGSIZE,
				       "reply to %s larger than %zu bytes",
				       what, sizeof(nl->rx.bytes));
		if (take_datagram(&x, nl->rx.bytes, n, err) < 0)
			return -1;
	}
	return 0;
}
