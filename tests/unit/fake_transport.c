// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <linux/audit.h>

#include "fake_transport.h"

static int fake_send(void *ctx, const void *buf, size_t len)
{
	struct fake_peer *f = ctx;

	if (f->send_error)
		return f->send_error;
	assert_true(f->sends < FAKE_MAX_SENT);
	assert_true(len <= FAKE_DGRAM_SIZE);
	memcpy(f->sent[f->sends], buf, len);
	f->sent_len[f->sends] = len;
	f->sends++;
	if (f->on_send)
		f->on_send(f, buf);
	if (f->send_delay_ms) {
		struct timespec ts = {
			.tv_sec = f->send_delay_ms / 1000,
			.tv_nsec = (long)(f->send_delay_ms % 1000) * 1000000,
		};

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	return 0;
}

static ssize_t fake_recv(void *ctx, void *buf, size_t cap,
			 struct ap_recv_info *info, int timeout_ms)
{
	struct fake_peer *f = ctx;
	struct fake_dgram *d;

	assert_true(timeout_ms > 0);
	if (!f->count)
		return -ETIMEDOUT;
	d = &f->q[f->head];
	f->head = (f->head + 1) % FAKE_MAX_DGRAMS;
	f->count--;
	if (d->len < 0)
		return d->len;
	info->sender_portid = d->sender;
	info->truncated = d->truncated;
	assert_true((size_t)d->len <= cap);
	memcpy(buf, d->buf, d->len);
	return d->len;
}

static void fake_close(void *ctx)
{
	((struct fake_peer *)ctx)->closed = true;
}

const struct ap_transport_ops fake_ops = {
	.send = fake_send,
	.recv = fake_recv,
	.close = fake_close,
};

struct ap_nl *fake_open(struct fake_peer *f)
{
	struct ap_nl *nl;
	struct ap_error err;

	assert_int_equal(ap_nl_open_transport(&nl, &fake_ops, f, &err), 0);
	return nl;
}

struct fake_dgram *fake_push(struct fake_peer *f)
{
	struct fake_dgram *d;

	assert_true(f->count < FAKE_MAX_DGRAMS);
	d = &f->q[(f->head + f->count) % FAKE_MAX_DGRAMS];
	f->count++;
	memset(d, 0, sizeof(*d));
	return d;
}

void fake_push_errno(struct fake_peer *f, int e)
{
	fake_push(f)->len = -e;
}

static struct fake_dgram *last(struct fake_peer *f)
{
	assert_true(f->count > 0);
	return &f->q[(f->head + f->count - 1) % FAKE_MAX_DGRAMS];
}

void fake_append(struct fake_peer *f, uint16_t type, uint32_t seq,
		 const void *payload, size_t len)
{
	struct fake_dgram *d = last(f);
	struct nlmsghdr h = {
		.nlmsg_len = (uint32_t)NLMSG_LENGTH(len),
		.nlmsg_type = type,
		.nlmsg_seq = seq,
	};

	assert_true(d->len + NLMSG_SPACE(len) <= FAKE_DGRAM_SIZE);
	memcpy(d->buf + d->len, &h, sizeof(h));
	if (len)
		memcpy(d->buf + d->len + NLMSG_HDRLEN, payload, len);
	d->len += NLMSG_SPACE(len);
}

void fake_append_ack(struct fake_peer *f, uint32_t seq, int32_t error)
{
	struct nlmsgerr e = { .error = error };

	fake_append(f, NLMSG_ERROR, seq, &e, sizeof(e));
}

void fake_append_status(struct fake_peer *f, uint32_t seq, size_t len)
{
	unsigned char p[256] = { 0 };

	assert_true(len <= sizeof(p));
	for (size_t o = 0; o + 4 <= len; o += 4) {
		uint32_t v = 1000 + (uint32_t)(o / 4);

		memcpy(p + o, &v, 4);
	}
	fake_append(f, AUDIT_GET, seq, p, len);
}

void fake_kernel(struct fake_peer *f, const struct nlmsghdr *req)
{
	/* Like 6.x: the ack first, the status in a datagram of its own. */
	fake_push(f);
	if (req->nlmsg_type == AUDIT_GET) {
		fake_append_ack(f, req->nlmsg_seq, 0);
		fake_push(f);
		fake_append_status(f, req->nlmsg_seq, f->status_len);
	} else {
		fake_append_ack(f, req->nlmsg_seq, f->set_ack);
	}
}

const struct nlmsghdr *fake_sent(const struct fake_peer *f, int i)
{
	assert_true(i < f->sends);
	return (const struct nlmsghdr *)f->sent[i];
}
