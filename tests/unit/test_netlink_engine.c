// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The request/reply engine against a scripted peer: every malformed,
 * foreign, stale or late reply docs/abi.md lists ends in a clear error or
 * is skipped, never in a wrong value.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>
#include <linux/audit.h>
#include <sys/capability.h>

#include "auditpeak/control.h"
#include "fake_transport.h"

struct fixture {
	struct fake_peer peer;
	struct ap_nl *nl;
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	fx.peer.status_len = 44;
	fx.nl = fake_open(&fx.peer);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	ap_nl_close(fx->nl);
	assert_true(fx->peer.closed);
	return 0;
}

/* Expect ap_get_status to fail with @code and a message containing @text. */
static void expect_get_error(struct fixture *fx, enum ap_err code,
			     const char *text)
{
	struct ap_status st;
	struct ap_error err;

	assert_int_equal(ap_get_status(fx->nl, &st, &err), -1);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, text))
		fail_msg("message '%s' lacks '%s'", err.msg, text);
}

/* The seq the engine will use for its next request: ask once properly. */
static uint32_t next_seq(struct fixture *fx)
{
	struct ap_status st;
	struct ap_error err;
	uint32_t seq;

	fx->peer.on_send = fake_kernel;
	assert_int_equal(ap_get_status(fx->nl, &st, &err), 0);
	seq = fake_sent(&fx->peer, fx->peer.sends - 1)->nlmsg_seq + 1;
	fx->peer.on_send = NULL;
	return seq;
}

static void get_ack_then_reply(void **state)
{
	struct fixture *fx = *state;
	struct ap_status st;
	struct ap_error err;

	fx->peer.on_send = fake_kernel;
	assert_int_equal(ap_get_status(fx->nl, &st, &err), 0);
	assert_int_equal(st.payload_len, 44);
	assert_int_equal(st.value[AP_FIELD_BACKLOG_LIMIT], 1005);
	assert_false(ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH));
	/* the request: AUDIT_GET, asks for an ack, no payload */
	assert_int_equal(fake_sent(&fx->peer, 0)->nlmsg_type, AUDIT_GET);
	assert_true(fake_sent(&fx->peer, 0)->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(fx->peer.sent_len[0], NLMSG_HDRLEN);
}

static void reply_then_ack_in_one_datagram(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);
	struct ap_status st;
	struct ap_error err;

	fake_push(&fx->peer);
	fake_append_status(&fx->peer, seq, 48);
	fake_append_ack(&fx->peer, seq, 0);
	assert_int_equal(ap_get_status(fx->nl, &st, &err), 0);
	assert_true(ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH));
	assert_int_equal(st.value[AP_FIELD_BACKLOG_MAX_DEPTH], 1011);
}

static void stale_and_foreign_replies_are_skipped(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);
	struct ap_status st;
	struct ap_error err;
	struct fake_dgram *d;

	/* a late reply to an earlier request */
	fake_push(&fx->peer);
	fake_append_status(&fx->peer, seq - 1, 48);
	fake_append_ack(&fx->peer, seq - 1, 0);
	/* a forged reply from another process */
	d = fake_push(&fx->peer);
	d->sender = 4242;
	fake_append_status(&fx->peer, seq, 48);
	fake_append_ack(&fx->peer, seq, 0);
	/* the kernel's */
	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq, 0);
	fake_append_status(&fx->peer, seq, 40);
	assert_int_equal(ap_get_status(fx->nl, &st, &err), 0);
	assert_int_equal(st.payload_len, 40);
}

static void only_stale_replies_time_out(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq + 7, 0);
	fake_append_status(&fx->peer, seq + 7, 44);
	expect_get_error(fx, AP_ERR_TIMEOUT, "no reply from the kernel to AUDIT_GET within 1000 ms");
}

static void silence_times_out(void **state)
{
	struct fixture *fx = *state;

	ap_nl_set_timeout(fx->nl, 250);
	expect_get_error(fx, AP_ERR_TIMEOUT, "within 250 ms");
}

/*
 * The kernel queues the ack, then holds the sender in sendmsg() while the
 * queue is over backlog_limit; the reply must still be taken, however long
 * the send blocked.
 */
static void reply_queued_during_a_long_send(void **state)
{
	struct fixture *fx = *state;
	struct ap_status st;
	struct ap_error err;

	ap_nl_set_timeout(fx->nl, 50);
	fx->peer.on_send = fake_kernel;
	fx->peer.send_delay_ms = 200;
	if (ap_get_status(fx->nl, &st, &err) < 0)
		fail_msg("a reply queued before a 200 ms send was lost: %s", err.msg);
	assert_int_equal(st.payload_len, 44);
}

static void ack_without_reply_times_out(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq, 0);
	expect_get_error(fx, AP_ERR_TIMEOUT, "AUDIT_GET");
}

static void truncated_header(void **state)
{
	struct fixture *fx = *state;
	struct fake_dgram *d = fake_push(&fx->peer);

	memset(d->buf, 0, 10);
	d->len = 10;
	expect_get_error(fx, AP_ERR_PROTOCOL, "truncated netlink header");
}

static void length_beyond_received(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);
	struct fake_dgram *d;
	struct nlmsghdr *h;

	d = fake_push(&fx->peer);
	fake_append_status(&fx->peer, seq, 44);
	h = (struct nlmsghdr *)d->buf;
	h->nlmsg_len += 64; /* claims more than arrived */
	expect_get_error(fx, AP_ERR_PROTOCOL, "claims 124 bytes, 60 received");
}

static void length_below_header(void **state)
{
	struct fixture *fx = *state;
	struct fake_dgram *d = fake_push(&fx->peer);
	struct nlmsghdr *h = (struct nlmsghdr *)d->buf;

	d->len = NLMSG_HDRLEN;
	h->nlmsg_len = 4;
	expect_get_error(fx, AP_ERR_PROTOCOL, "claims 4 bytes");
}

static void oversized_datagram(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer)->truncated = true;
	fake_append_status(&fx->peer, seq, 44);
	expect_get_error(fx, AP_ERR_PROTOCOL, "larger than");
}

static void wrong_type(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer);
	fake_append(&fx->peer, AUDIT_USER, seq, "x", 2);
	expect_get_error(fx, AP_ERR_PROTOCOL, "unexpected netlink message type 1005");
}

static void short_status(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq, 0);
	fake_append_status(&fx->peer, seq, 20);
	expect_get_error(fx, AP_ERR_PROTOCOL, "short AUDIT_GET reply: 20 bytes");
}

static void longer_than_known_status(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);
	struct ap_status st;
	struct ap_error err;

	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq, 0);
	fake_append_status(&fx->peer, seq, 64);
	assert_int_equal(ap_get_status(fx->nl, &st, &err), 0);
	assert_int_equal(st.payload_len, 64);
	assert_int_equal(st.value[AP_FIELD_BACKLOG_MAX_DEPTH], 1011);
}

static void length_of_two_gib(void **state)
{
	struct fixture *fx = *state;
	struct fake_dgram *d = fake_push(&fx->peer);
	struct nlmsghdr *h = (struct nlmsghdr *)d->buf;

	/* libmnl's (int) compare would accept this and walk off the buffer */
	d->len = NLMSG_HDRLEN;
	h->nlmsg_len = 0x80000010u;
	expect_get_error(fx, AP_ERR_PROTOCOL, "claims 2147483664 bytes, 16 received");
}

static void ack_error_not_an_errno(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq, INT32_MIN);
	expect_get_error(fx, AP_ERR_PROTOCOL, "invalid error -2147483648");
}

static void short_ack(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer);
	fake_append(&fx->peer, NLMSG_ERROR, seq, "\0\0", 2);
	expect_get_error(fx, AP_ERR_PROTOCOL, "short ack");
}

static void two_replies(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer);
	fake_append_status(&fx->peer, seq, 44);
	fake_append_status(&fx->peer, seq, 44);
	expect_get_error(fx, AP_ERR_PROTOCOL, "two replies");
}

static void noop_is_ignored(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);
	struct ap_status st;
	struct ap_error err;

	fake_push(&fx->peer);
	fake_append(&fx->peer, NLMSG_NOOP, seq, NULL, 0);
	fake_append_ack(&fx->peer, seq, 0);
	fake_append_status(&fx->peer, seq, 44);
	assert_int_equal(ap_get_status(fx->nl, &st, &err), 0);
}

static void nobufs_is_retried_then_reported(void **state)
{
	struct fixture *fx = *state;
	struct ap_status st;
	struct ap_error err;

	/* One overrun eats the first reply; the GET has no side effect, so
	 * it is asked again and the first reply, now stale, is skipped. */
	fx->peer.on_send = fake_kernel;
	fake_push_errno(&fx->peer, ENOBUFS);
	assert_int_equal(ap_get_status(fx->nl, &st, &err), 0);
	assert_int_equal(st.payload_len, 44);
	assert_int_equal(fx->peer.sends, 2);

	/* overruns every time: a clear error, not a value */
	fx->peer.on_send = NULL;
	fx->peer.count = 0;
	for (int i = 0; i < 3; i++)
		fake_push_errno(&fx->peer, ENOBUFS);
	expect_get_error(fx, AP_ERR_NOBUFS, "receive buffer overrun");
}

static volatile sig_atomic_t cancel;

static void eintr_resumes_unless_cancelled(void **state)
{
	struct fixture *fx = *state;
	struct ap_status st;
	struct ap_error err;

	ap_nl_set_cancel_flag(fx->nl, &cancel);
	fx->peer.on_send = fake_kernel;
	fake_push_errno(&fx->peer, EINTR);
	cancel = 0;
	assert_int_equal(ap_get_status(fx->nl, &st, &err), 0);

	fx->peer.on_send = NULL;
	fx->peer.count = 0;
	fake_push_errno(&fx->peer, EINTR);
	cancel = 1;
	expect_get_error(fx, AP_ERR_INTERRUPTED, "interrupted");
	cancel = 0;
}

static void send_failure(void **state)
{
	struct fixture *fx = *state;

	fx->peer.send_error = -ECONNREFUSED;
	expect_get_error(fx, AP_ERR_SYSTEM, "sending AUDIT_GET");
}

static void transport_faults(void **state)
{
	struct fixture *fx = *state;

	fake_push_errno(&fx->peer, EAGAIN);
	expect_get_error(fx, AP_ERR_SYSTEM, "receiving the reply to AUDIT_GET: Resource temporarily unavailable");
	/* the socket closed under us */
	fake_push_errno(&fx->peer, EBADF);
	expect_get_error(fx, AP_ERR_SYSTEM, "Bad file descriptor");
	fake_push(&fx->peer)->len = 0;
	expect_get_error(fx, AP_ERR_PROTOCOL, "empty datagram");
}

static bool have_audit_control(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	cap_get_flag(caps, CAP_AUDIT_CONTROL, CAP_EFFECTIVE, &v);
	cap_free(caps);
	return v == CAP_SET;
}

static void kernel_refusals(void **state)
{
	struct fixture *fx = *state;
	uint32_t seq = next_seq(fx);

	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq, -ECONNREFUSED);
	expect_get_error(fx, AP_ERR_NAMESPACE, "initial user namespace");

	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq + 1, -EINVAL);
	expect_get_error(fx, AP_ERR_KERNEL, "AUDIT_GET refused by the kernel: Invalid argument");

	/* EPERM: with the capability it can only be the PID namespace */
	fake_push(&fx->peer);
	fake_append_ack(&fx->peer, seq + 2, -EPERM);
	if (have_audit_control())
		expect_get_error(fx, AP_ERR_NAMESPACE, "initial PID namespace");
	else
		expect_get_error(fx, AP_ERR_PERMISSION, "needs CAP_AUDIT_CONTROL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(get_ack_then_reply),
		T(reply_then_ack_in_one_datagram),
		T(stale_and_foreign_replies_are_skipped),
		T(only_stale_replies_time_out),
		T(silence_times_out),
		T(reply_queued_during_a_long_send),
		T(ack_without_reply_times_out),
		T(truncated_header),
		T(length_beyond_received),
		T(length_below_header),
		T(oversized_datagram),
		T(wrong_type),
		T(short_status),
		T(longer_than_known_status),
		T(length_of_two_gib),
		T(ack_error_not_an_errno),
		T(short_ack),
		T(two_replies),
		T(noop_is_ignored),
		T(nobufs_is_retried_then_reported),
		T(eintr_resumes_unless_cancelled),
		T(send_failure),
		T(transport_faults),
		T(kernel_refusals),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
