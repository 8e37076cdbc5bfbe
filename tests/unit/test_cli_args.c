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
	enum ap_bpf_path bp = AP_BPF_PATH_AUTO;
	unsigned int ex = 1234;
	struct ap_peak_config pc;

	(void)state;
	assert_int_equal(ap_peak_kind_parse("bpf", &k), 0);
	assert_int_equal(k, AP_PEAK_BPF);
	assert_int_equal(ap_peak_kind_parse("sample", &k), 0);
	assert_int_equal(k, AP_PEAK_SAMPLE);
	assert_int_equal(ap_peak_kind_parse("auto", &k), 0);
	assert_int_equal(ap_peak_kind_parse("ebpf", &k), -1);
	assert_string_equal(ap_peak_kind_name(AP_PEAK_SAMPLE), "sample");
	assert_int_equal(ap_bpf_path_parse("kretprobe", &bp), 0);
	assert_int_equal(bp, AP_BPF_PATH_KPROBE);
	assert_int_equal(ap_bpf_path_parse("tracepoint", &bp), 0);
	assert_int_equal(bp, AP_BPF_PATH_TRACEPOINT);
	assert_int_equal(ap_bpf_path_parse("kprobe", &bp), -1);
	assert_int_equal(bp, AP_BPF_PATH_TRACEPOINT);
	assert_int_equal(ap_bpf_extras_parse("none", &ex), 0);
	assert_int_equal(ex, 0);
	assert_int_equal(ap_bpf_extras_parse("sizes,mean", &ex), 0);
	assert_int_equal(ex, AP_BPF_EXTRA_MEAN | AP_BPF_EXTRA_SIZES);
	assert_string_equal(ap_bpf_extras_name(ex), "mean,sizes");
	assert_int_equal(ap_bpf_extras_parse("mean", &ex), 0);
	assert_int_equal(ex, AP_BPF_EXTRA_MEAN);
	assert_string_equal(ap_bpf_extras_name(ex), "mean");
	assert_int_equal(ap_bpf_extras_parse("all", &ex), 0);
	assert_int_equal(ex, AP_BPF_EXTRAS_ALL);
	assert_int_equal(ap_bpf_extras_parse("histogram,mean", &ex), 0);
	assert_int_equal(ex, AP_BPF_EXTRA_MEAN | AP_BPF_EXTRA_HISTOGRAM);
	assert_string_equal(ap_bpf_extras_name(ex), "mean,histogram");
	assert_string_equal(ap_bpf_extras_name(AP_BPF_EXTRAS_ALL), "mean,sizes,histogram");
	assert_int_equal(ap_bpf_extras_parse("all", &ex), 0);
	/* unknown names, empty items and a trailing comma change nothing */
	assert_int_equal(ap_bpf_extras_parse("mean,drains", &ex), -1);
	assert_int_equal(ap_bpf_extras_parse("mean,", &ex), -1);
	assert_int_equal(ap_bpf_extras_parse("", &ex), -1);
	assert_int_equal(ex, AP_BPF_EXTRAS_ALL);
	ap_peak_config_defaults(&pc);
	assert_int_equal(ap_bpf_spec_parse("fexit:sizes", &pc), 0);
	assert_int_equal(pc.bpf_path, AP_BPF_PATH_FEXIT);
	assert_int_equal(pc.bpf_extras, AP_BPF_EXTRA_SIZES);
	assert_int_equal(ap_bpf_spec_parse("auto", &pc), 0);
	assert_int_equal(pc.bpf_path, AP_BPF_PATH_AUTO);
	assert_int_equal(pc.bpf_extras, 0);
	assert_int_equal(ap_bpf_spec_parse("fexit:bogus", &pc), -1);
	assert_int_equal(ap_bpf_spec_parse("kprobe:all", &pc), -1);
	assert_int_equal(ap_bpf_spec_parse("a-path-name-far-too-long:all", &pc), -1);
	assert_int_equal(ap_burst_mode_parse("syscall", &m), 0);
	assert_int_equal(m, AP_BURST_SYSCALL);
	assert_int_equal(ap_burst_mode_parse("users", &m), -1);
	assert_string_equal(ap_burst_mode_name(AP_BURST_USER), "user");
}

/* Defaults in help texts and the progress line, written as the options
 * take them: each printed duration parses back to itself. */
static void formatted_durations(void **state)
{
	static const struct {
		uint64_t us;
		const char *text;
	} cases[] = {
		{ 1000000, "1s" }, { 60000000, "60s" }, { 600000000, "10m" },
		{ 3600000000ULL, "1h" }, { 1000, "1ms" }, { 250000, "250ms" },
		{ 1500000, "1500ms" }, { 7, "7us" },
	};
	struct ap_error err;
	char buf[32];
	uint64_t back;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cli_format_duration_us(cases[i].us, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
		assert_int_equal(cli_parse_duration_us("--d", buf, 0, UINT64_MAX / 2,
						       &back, &err), 0);
		assert_int_equal(back, cases[i].us);
	}
	cli_format_elapsed(5.9, buf, sizeof(buf));
	assert_string_equal(buf, "5s");
	cli_format_elapsed(123, buf, sizeof(buf));
	assert_string_equal(buf, "2m03s");
	cli_format_elapsed(3600, buf, sizeof(buf));
	assert_string_equal(buf, "1h00m00s");
	cli_format_elapsed(-1, buf, sizeof(buf));
	assert_string_equal(buf, "0s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(durations),
		cmocka_unit_test(bad_durations),
		cmocka_unit_test(backend_and_mode_names),
		cmocka_unit_test(formatted_durations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
