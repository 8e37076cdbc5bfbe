// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Read-and-clear and setters on the wire: the exact AUDIT_SET each sends,
 * and the refusal (without any AUDIT_SET) on a kernel lacking the field,
 * whose ack of 0 would otherwise pass for a value.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>
#include <linux/audit.h>

#include "auditpeak/abi.h"
#include "auditpeak/control.h"
#include "fake_transport.h"

static struct fake_peer peer;

static int setup(void **state)
{
	memset(&peer, 0, sizeof(peer));
	peer.on_send = fake_kernel;
	*state = fake_open(&peer);
	return 0;
}

static int teardown(void **state)
{
	ap_nl_close(*state);
	return 0;
}

static uint32_t sent_u32(int i, size_t off)
{
	uint32_t v;

	memcpy(&v, (const unsigned char *)NLMSG_DATA(fake_sent(&peer, i)) + off, 4);
	return v;
}

static void reset_max_depth_returns_ack_value(void **state)
{
	struct ap_error err;
	uint32_t old = 0;

	peer.status_len = 48;
	peer.set_ack = 1234;
	assert_int_equal(ap_reset_counter(*state, AP_FIELD_BACKLOG_MAX_DEPTH,
					  &old, &err), 0);
	assert_int_equal(old, 1234);
	assert_int_equal(peer.sends, 2); /* GET (support check), then SET */
	assert_int_equal(fake_sent(&peer, 1)->nlmsg_type, AUDIT_SET);
	assert_int_equal(sent_u32(1, AP_OFF_MASK), AUDIT_STATUS_BACKLOG_MAX_DEPTH);
	assert_int_equal(peer.sent_len[1], NLMSG_HDRLEN + AP_STATUS_KNOWN_PAYLOAD);
}

static void reset_zero_is_a_value_when_supported(void **state)
{
	struct ap_error err;
	uint32_t old = 99;

	peer.status_len = 48;
	peer.set_ack = 0;
	assert_int_equal(ap_reset_counter(*state, AP_FIELD_BACKLOG_MAX_DEPTH,
					  &old, &err), 0);
	assert_int_equal(old, 0);
}

static void reset_refused_without_field(void **state)
{
	struct ap_error err;
	uint32_t old = 77;

	peer.status_len = 44;
	assert_int_equal(ap_reset_counter(*state, AP_FIELD_BACKLOG_MAX_DEPTH,
					  &old, &err), -1);
	assert_int_equal(err.code, AP_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "44 bytes"));
	assert_int_equal(old, 77);        /* untouched */
	assert_int_equal(peer.sends, 1);  /* no AUDIT_SET went out */

	/* wait_time_actual came with 5.10: a 40-byte kernel lacks it */
	peer.status_len = 40;
	assert_int_equal(ap_reset_counter(*state,
					  AP_FIELD_BACKLOG_WAIT_TIME_ACTUAL,
					  &old, &err), -1);
	assert_int_equal(err.code, AP_ERR_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "Linux 5.10"));
}

static void reset_lost(void **state)
{
	struct ap_error err;
	uint32_t old;

	peer.status_len = 44;
	peer.set_ack = 5;
	assert_int_equal(ap_reset_counter(*state, AP_FIELD_LOST, &old, &err), 0);
	assert_int_equal(old, 5);
	assert_int_equal(sent_u32(1, AP_OFF_MASK), AUDIT_STATUS_LOST);
}

static void reset_refused_by_kernel(void **state)
{
	struct ap_error err;
	uint32_t old;

	peer.status_len = 48;
	peer.set_ack = -EINVAL;
	assert_int_equal(ap_reset_counter(*state, AP_FIELD_BACKLOG_MAX_DEPTH,
					  &old, &err), -1);
	assert_int_equal(err.code, AP_ERR_KERNEL);
	assert_non_null(strstr(err.msg, "reset of backlog_max_depth"));
}

static void not_resettable_or_settable(void **state)
{
	struct ap_error err;
	uint32_t old;

	assert_int_equal(ap_reset_counter(*state, AP_FIELD_BACKLOG, &old, &err), -1);
	assert_int_equal(err.code, AP_ERR_USAGE);
	assert_int_equal(ap_set_field(*state, AP_FIELD_LOST, 0, &err), -1);
	assert_int_equal(err.code, AP_ERR_USAGE);
	assert_int_equal(ap_set_field(*state, AP_FIELD_BACKLOG, 0, &err), -1);
	assert_int_equal(peer.sends, 0);
}

static void set_backlog_limit(void **state)
{
	struct ap_error err;

	assert_int_equal(ap_set_field(*state, AP_FIELD_BACKLOG_LIMIT, 8192, &err), 0);
	assert_int_equal(sent_u32(0, AP_OFF_MASK), AUDIT_STATUS_BACKLOG_LIMIT);
	assert_int_equal(sent_u32(0, AP_OFF_BACKLOG_LIMIT), 8192);
}

static void restore_sets_every_field_enabled_last(void **state)
{
	struct ap_settings s = {
		.enabled = 1, .failure = 1, .rate_limit = 0,
		.backlog_limit = 64, .backlog_wait_time = 15000,
		.has_backlog_wait_time = true,
	};
	struct ap_error err;

	assert_int_equal(ap_settings_restore(*state, &s, &err), 0);
	assert_int_equal(peer.sends, 5);
	assert_int_equal(sent_u32(4, AP_OFF_MASK), AUDIT_STATUS_ENABLED);

	/* a locked configuration (enabled 2) cannot be set: left alone */
	peer.sends = 0;
	s.enabled = 2;
	assert_int_equal(ap_settings_restore(*state, &s, &err), 0);
	assert_int_equal(peer.sends, 4);
}

static void user_message_payload(void **state)
{
	struct ap_error err;
	const struct nlmsghdr *h;

	assert_int_equal(ap_send_user_message(*state, "hello", &err), 0);
	h = fake_sent(&peer, 0);
	assert_int_equal(h->nlmsg_type, AUDIT_USER);
	/* libmnl pads the payload to 4 bytes, as libaudit does */
	assert_int_equal(h->nlmsg_len, NLMSG_HDRLEN + NLMSG_ALIGN(6));
	assert_string_equal((const char *)NLMSG_DATA(h), "hello");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(reset_max_depth_returns_ack_value),
		T(reset_zero_is_a_value_when_supported),
		T(reset_refused_without_field),
		T(reset_lost),
		T(reset_refused_by_kernel),
		T(not_resettable_or_settable),
		T(set_backlog_limit),
		T(restore_sets_every_field_enabled_last),
		T(user_message_payload),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
