/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Finding kernel addresses in /proc/kallsyms (private to the library).
 */
#ifndef AUDITPEAK_LIB_KALLSYMS_H
#define AUDITPEAK_LIB_KALLSYMS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "audit_queue.h"

/* As many code ranges as the probe takes. */
#define AP_KSYM_MAX_RANGES AP_PROBE_MAX_SITES

struct ap_ksym_range {
	uint64_t start;
	uint64_t end; /* the next symbol's address: where the code ends */
};

struct ap_ksym_lookup {
	/* Input: functions whose code ranges we want; "name" matches the
	 * symbol and its compiler clones ("name.part.0", "name.cold"). */
	const char *function;
	/* Input: a data symbol whose address we want (may be absent). */
	const char *object;

	struct ap_ksym_range ranges[AP_KSYM_MAX_RANGES];
	int n_ranges;
	uint64_t object_addr; /* 0 if not listed */
	bool addresses_hidden; /* kptr_restrict shows every address as 0 */
};

/* Scan @f (kallsyms format) for what @q asks; never fails. */
void ap_ksym_scan(FILE *f, struct ap_ksym_lookup *q);

#endif /* AUDITPEAK_LIB_KALLSYMS_H */
