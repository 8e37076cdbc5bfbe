// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: any Accept header a scraper (or an attacker) sends picks one
 * of the two formats we serve, and the page rendered for it is well formed:
 * OpenMetrics ends in "# EOF", text 0.0.4 does not.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ap_exporter_snapshot snap = {
		.peak_source = "none", .up = true, .interval_seconds = 1,
		.window_seconds = 60,
	};
	char *accept = malloc(size + 1);
	enum ap_metrics_format f;
	char *page;
	size_t len;

	if (!accept)
		return 0;
	memcpy(accept, data, size);
	accept[size] = '\0';
	f = ap_metrics_negotiate(accept);
	free(accept);
	if (f != AP_FORMAT_PROMETHEUS_TEXT && f != AP_FORMAT_OPENMETRICS)
		abort();
	if (ap_metrics_render(&snap, f, &page, &len) < 0)
		return 0;
	if (strlen(page) != len)
		abort();
	if ((f == AP_FORMAT_OPENMETRICS) !=
	    (len >= 6 && strcmp(page + len - 6, "# EOF\n") == 0))
		abort();
	free(page);
	return 0;
}
