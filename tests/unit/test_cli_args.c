// SPDX-License-Identifier: GPL-2.0-or-later
/* The CLI's duration parser (--duration, --period, --sample-interval). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auditpeak/burst.h"
#include "auditpeak/peak.h"
#include "cli/cli.h"

#define MAX_US (24ULL * 3600 * 1000000)

static uint64_t parse_ok(const char *text)
{
	struct ap_error err;
	uint64_t us = 0;

	assert_int_equal(cli_parse_duration_us("--duration", text, 1, MAX_US, &us, &err), 0);
	return us;
}

static void durations(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("5"), 5000000);
	assert_int_equal(parse_ok("5s"), 5000000);
	assert_int_equal(parse_ok("250ms"), 250000);
	assert_int_equal(parse_ok("1.5s"), 1500000);
	assert_int_equal(parse_ok("2m"), 120000000);
	assert_int_equal(parse_ok("1h"), 3600000000ULL);
	assert_int_equal(parse_ok("750us"), 750);
	assert_int_equal(parse_ok(".5s"), 500000);
}

static void bad_durations(void **state)
{
	const char *bad[] = { "", "s", "-1s", "5 s", "5sec", "1e3x", "abc", "+5s", "5ss" };
	struct ap_error err;
	uint64_t us;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(cli_parse_duration_us("--duration", bad[i], 1, MAX_US, &us, &err), -1);
		assert_int_equal(err.code, AP_ERR_USAGE);
	}
	/* Out of range says the range. */
	assert_int_equal(cli_parse_duration_us("--period", "10us", 1000, MAX_US, &us, &err), -1);
	assert_non_null(strstr(err.msg, "between"));
	assert_int_equal(cli_parse_duration_us("--duration", "25h", 1, MAX_US, &us, &err), -1);
}

static void backend_and_mode_names(void **state)
{
	enum ap_peak_kind k;
	enum ap_burst_mode m;

	(void)state;
	assert_int_equal(ap_peak_kind_parse("bpf", &k), 0);
	assert_int_equal(k, AP_PEAK_BPF);
	assert_int_equal(ap_peak_kind_parse("sample", &k), 0);
	assert_int_equal(k, AP_PEAK_SAMPLE);
	assert_int_equal(ap_peak_kind_parse("auto", &k), 0);
	assert_int_equal(ap_peak_kind_parse("ebpf", &k), -1);
	assert_string_equal(ap_peak_kind_name(AP_PEAK_SAMPLE), "sample");
	assert_int_equal(ap_burst_mode_parse("syscall", &m), 0);
	assert_int_equal(m, AP_BURST_SYSCALL);
	assert_int_equal(ap_burst_mode_parse("users", &m), -1);
	assert_string_equal(ap_burst_mode_name(AP_BURST_USER), "user");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(bad_durations),
		cmocka_unit_test(backend_and_mode_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
