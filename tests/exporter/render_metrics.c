// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * render-metrics text|openmetrics [HZ]: print the exposition of a snapshot
 * with every family filled (peak, window histogram, bpf distribution), so
 * promtool and an OpenMetrics parser can check families this host's kernel
 * cannot produce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/metrics.h"
#include "fixtures.h"

int main(int argc, char **argv)
{
	struct ap_exporter_snapshot s;
	enum ap_metrics_format f;
	size_t len;
	char *out;

	if (argc < 2 || (strcmp(argv[1], "text") && strcmp(argv[1], "openmetrics"))) {
		fprintf(stderr, "usage: render-metrics text|openmetrics [HZ]\n");
		return 2;
	}
	f = strcmp(argv[1], "text") ? AP_FORMAT_OPENMETRICS : AP_FORMAT_PROMETHEUS_TEXT;
	fixture_full_snapshot(&s, argc > 2 ? (uint32_t)atoi(argv[2]) : 250);
	if (ap_metrics_render(&s, f, &out, &len) < 0)
		return 1;
	fwrite(out, 1, len, stdout);
	free(out);
	return 0;
}
