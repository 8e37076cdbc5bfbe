// SPDX-License-Identifier: GPL-2.0-or-later
/* `serve` option parsers: listen addresses, tags, HZ (durations: test_cli_args). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/parse.h"
#include "observe/kernel_hz.h"

static void listen_addresses(void **state)
{
	struct sockaddr_storage a;
	struct ap_error err;
	socklen_t len;

	(void)state;
	assert_int_equal(ap_parse_listen("--listen", "127.0.0.1:9814", &a, &len, &err), 0);
	assert_int_equal(a.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&a)->sin_port), 9814);
	assert_int_equal(ap_parse_listen("--listen", "[::1]:9814", &a, &len, &err), 0);
	assert_int_equal(a.ss_family, AF_INET6);
	assert_int_equal(ap_parse_listen("--listen", "127.0.0.1:0", &a, &len, &err), 0);
	static const char *const bad[] = {
		"127.0.0.1", "127.0.0.1:", ":9814", "127.0.0.1:65536", "127.0.0.1:-1",
		"127.0.0.1:99x", "localhost:9814", "::1:9814", "[::1]9814", "999.1.1.1:80",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ap_parse_listen("--listen", bad[i], &a, &len, &err), -1);
		assert_int_equal(err.code, AP_ERR_USAGE);
		assert_non_null(strstr(err.msg, "--listen"));
	}
}

static void statsd_tags(void **state)
{
	struct ap_error err;

	(void)state;
	assert_int_equal(ap_parse_statsd_tags("--statsd-tags", "env:prod,role:db", &err), 0);
	assert_int_equal(ap_parse_statsd_tags("--statsd-tags", "solo", &err), 0);
	assert_int_equal(ap_parse_statsd_tags("--statsd-tags", "", &err), -1);
	assert_int_equal(ap_parse_statsd_tags("--statsd-tags", "a:b,,c:d", &err), -1);
	assert_int_equal(ap_parse_statsd_tags("--statsd-tags", "a:b,", &err), -1);
	assert_int_equal(ap_parse_statsd_tags("--statsd-tags", "a b", &err), -1);
	assert_int_equal(ap_parse_statsd_tags("--statsd-tags", "a|b", &err), -1);
	assert_int_equal(ap_parse_statsd_tags("--statsd-tags", "a#b", &err), -1);
}

static void kernel_config_hz(void **state)
{
	(void)state;
	assert_int_equal(ap_kernel_hz_from_line("CONFIG_HZ=250\n"), 250);
	assert_int_equal(ap_kernel_hz_from_line("CONFIG_HZ=1000"), 1000);
	assert_int_equal(ap_kernel_hz_from_line("CONFIG_HZ_250=y\n"), 0);
	assert_int_equal(ap_kernel_hz_from_line("# CONFIG_HZ is not set\n"), 0);
	assert_int_equal(ap_kernel_hz_from_line("CONFIG_HZ=abc\n"), 0);
	assert_int_equal(ap_kernel_hz_from_line("CONFIG_HZ=0\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listen_addresses),
		cmocka_unit_test(statsd_tags),
		cmocka_unit_test(kernel_config_hz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
