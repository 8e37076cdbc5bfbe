/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where `auditpeak status` gets backlog_max_depth: the kernel field when
 * the kernel has it, else a peak backend observing for --duration.  Only
 * the kernel knows the maximum since boot; a probe or a poller only sees
 * what happens while it runs, so without --duration there is no value.
 */
#ifndef AUDITPEAK_CLI_STATUS_PEAK_H
#define AUDITPEAK_CLI_STATUS_PEAK_H

#include <stdint.h>

#include "auditpeak/peak.h"
#include "observe/loop.h"

struct status_peak {
	bool have;          /* a value was obtained */
	uint32_t value;
	const char *source; /* "kernel", "bpf", "sample" or "none" */
	bool exact;
	double observed_s;  /* 0 for the kernel field (since boot or reset) */
	uint64_t asked_us;  /* the --duration asked for */
	int stopped_by;     /* the signal that ended the observation early, or 0 */
	bool have_distribution;
	unsigned int asked_extras; /* --bpf-extras */
	struct ap_depth_distribution dist;
	char fallback[AP_PEAK_REASON_MAX];
	char detail[AP_PEAK_REASON_MAX];
};

/*
 * Fill @r.  @st is the AUDIT_GET reply (refreshed in place after an
 * observation, so the other lines are as current as the max).  A stop
 * signal (observe/loop.h) ends the observation early; @sig is the mask to
 * wait with (NULL: the signals are not blocked).
 */
int status_peak_get(enum ap_peak_kind kind, uint64_t duration_us,
		    const struct ap_peak_config *cfg, struct ap_nl *nl,
		    struct ap_status *st, const struct ap_signals *sig,
		    struct status_peak *r, struct ap_error *err);

/* The lines after the auditctl ones; the first is backlog_max_depth. */
void status_peak_print_text(const struct status_peak *r,
			    const struct ap_status *st);

/* ,"peak":{...} for the JSON object. */
void status_peak_print_json(const struct status_peak *r);

#endif /* AUDITPEAK_CLI_STATUS_PEAK_H */
