// SPDX-License-Identifier: GPL-2.0-or-later
/* statsd datagrams: content, tags, and every datagram under 1432 bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/statsd.h"

static const struct ap_statsd_values values = {
	.have_window_peak = true, .window_peak = 123, .window_peak_exact = true,
	.have_status = true, .backlog = 4, .backlog_limit = 8192,
	.lost_delta = 7,
};

static void plain_statsd(void **state)
{
	struct ap_statsd_batch b;
	struct ap_error err;

	(void)state;
	assert_int_equal(ap_statsd_build(&values, "auditpeak", NULL, &b, &err), 0);
	assert_int_equal(b.count, 1);
	assert_string_equal(b.packet[0],
			    "auditpeak.window_peak:123|g\n"
			    "auditpeak.window_peak_exact:1|g\n"
			    "auditpeak.backlog:4|g\n"
			    "auditpeak.backlog_limit:8192|g\n"
			    "auditpeak.lost:7|c");
	assert_int_equal(b.len[0], strlen(b.packet[0]));
}

static void dogstatsd_tags_and_missing_values(void **state)
{
	struct ap_statsd_values v = { .lost_delta = 0 };
	struct ap_statsd_batch b;
	struct ap_error err;

	(void)state;
	assert_int_equal(ap_statsd_build(&v, "ap", "host:a,env:prod", &b, &err), 0);
	assert_int_equal(b.count, 1);
	/* No window peak and no status: nothing made up, the counter still goes. */
	assert_string_equal(b.packet[0], "ap.lost:0|c|#host:a,env:prod");
}

static void every_datagram_fits(void **state)
{
	char tags[1000];
	struct ap_statsd_batch b;
	struct ap_error err;
	int lines = 0;

	(void)state;
	memset(tags, 'x', sizeof(tags) - 1);
	tags[sizeof(tags) - 1] = '\0';
	tags[1] = ':';
	assert_int_equal(ap_statsd_build(&values, "auditpeak", tags, &b, &err), 0);
	assert_true(b.count > 1);
	for (int i = 0; i < b.count; i++) {
		assert_true(b.len[i] < 1432);
		assert_int_equal(b.len[i], strlen(b.packet[i]));
		assert_int_not_equal(b.packet[i][b.len[i] - 1], '\n');
		for (size_t k = 0; k < b.len[i]; k++)
			lines += b.packet[i][k] == '\n';
		lines++;
	}
	assert_int_equal(lines, 5);
}

static void oversized_line_is_refused(void **state)
{
	char tags[1500];
	struct ap_statsd_batch b;
	struct ap_error err;

	(void)state;
	memset(tags, 'y', sizeof(tags) - 1);
	tags[sizeof(tags) - 1] = '\0';
	assert_int_equal(ap_statsd_build(&values, "auditpeak", tags, &b, &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_statsd),
		cmocka_unit_test(dogstatsd_tags_and_missing_values),
		cmocka_unit_test(every_datagram_fits),
		cmocka_unit_test(oversized_line_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
