/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rendering a snapshot as Prometheus text 0.0.4 or OpenMetrics 1.0.0.
 * A pure function of the snapshot: no clock, no kernel, no globals.
 *
 * Names follow Prometheus conventions: prefix auditpeak_, base units in the
 * name, _total only on counters.  Wait times are seconds when the kernel's
 * HZ is known, and keep the ABI's unit in their name (_jiffies) otherwise.
 * A field the kernel does not report is left out, never shown as 0.
 */
#ifndef AUDITPEAK_EXPORTER_METRICS_H
#define AUDITPEAK_EXPORTER_METRICS_H

#include <stddef.h>

#include "observe/snapshot.h"

enum ap_metrics_format {
	AP_FORMAT_PROMETHEUS_TEXT, /* text/plain; version=0.0.4 */
	AP_FORMAT_OPENMETRICS,     /* application/openmetrics-text; version=1.0.0 */
};

#define AP_CONTENT_TYPE_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define AP_CONTENT_TYPE_OPENMETRICS \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"

const char *ap_metrics_content_type(enum ap_metrics_format f);

/*
 * Render @snap; *@out is malloc'ed (caller frees) and NUL-terminated,
 * *@len its length.  Returns 0, or -1 when out of memory.
 */
int ap_metrics_render(const struct ap_exporter_snapshot *snap,
		      enum ap_metrics_format format, char **out, size_t *len);

/*
 * Choose the format for an HTTP Accept header (NULL when absent): the
 * acceptable type with the highest q wins, the earlier one on a tie;
 * Prometheus text when nothing we offer is asked for.
 */
enum ap_metrics_format ap_metrics_negotiate(const char *accept);

#endif /* AUDITPEAK_EXPORTER_METRICS_H */
