// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: `serve`'s option parsers (listen address, statsd host:port
 * and tags, durations) accept or refuse with a message naming the option;
 * what they accept is in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "exporter/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage addr;
	struct ap_error err;
	socklen_t alen;
	char host[256];
	uint16_t port;
	uint64_t ms;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ap_parse_listen("--listen", text, &addr, &alen, &err) == 0) {
		/* Whatever was accepted is classified without reading past it. */
		(void)ap_listen_is_loopback(&addr);
	} else if (!strstr(err.msg, "--listen")) {
		abort();
	}
	if (ap_parse_host_port("--statsd", text, host, sizeof(host), &port,
			       false, &err) == 0) {
		if (port == 0 || strlen(host) >= sizeof(host))
			abort();
	} else if (!strstr(err.msg, "--statsd")) {
		abort();
	}
	if (ap_parse_statsd_tags("--statsd-tags", text, &err) < 0 &&
	    !strstr(err.msg, "--statsd-tags"))
		abort();
	if (cli_parse_duration_ms("--interval", text, 10, 3600000, &ms, &err) == 0) {
		if (ms < 10 || ms > 3600000)
			abort();
	} else if (!strstr(err.msg, "--interval")) {
		abort();
	}
	free(text);
	return 0;
}
