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

/* Entry points of one function: itself and its compiler clones. */
#define AP_KSYM_MAX_ENTRIES 4
#define AP_KSYM_NAME_MAX 64
/* Functions whose entry points one scan finds. */
#define AP_KSYM_MAX_ATTACH 2

/*
 * Where calls of a function really land.  GCC may split a function
 * ("f.part.0": the body, called directly by callers that inlined f's
 * early return), specialise it ("f.isra.0", "f.constprop.0": full copies
 * for some callers) or move its cold tail away ("f.cold", no entry).
 * Only f itself is in BTF; the clones are in kallsyms alone.
 */
struct ap_ksym_entries {
	char name[AP_KSYM_MAX_ENTRIES][AP_KSYM_NAME_MAX];
	int n;
	bool cloned;    /* an entry is a clone: BTF (fexit) does not reach it */
	bool truncated; /* more entries than fit: attaching would miss some */
};

struct ap_ksym_lookup {
	/* Input: functions whose code ranges we want; "name" matches the
	 * symbol and its compiler clones ("name.part.0", "name.cold"). */
	const char *function;
	/* Input: a data symbol whose address we want (may be absent). */
	const char *object;

	/* Input: functions whose entry points we want (NULL ends the list). */
	const char *attach[AP_KSYM_MAX_ATTACH];

	struct ap_ksym_range ranges[AP_KSYM_MAX_RANGES];
	/* Entry points of attach[i]: every symbol of its family except
	 * ".cold" tails and a symbol whose body is in a ".part" split of it
	 * (it only tests and calls the split: attaching both would count
	 * one call twice). */
	struct ap_ksym_entries entries[AP_KSYM_MAX_ATTACH];
	int n_ranges;
	uint64_t object_addr; /* 0 if not listed */
	bool addresses_hidden; /* kptr_restrict shows every address as 0 */
};

/* Scan @f (kallsyms format) for what @q asks; never fails. */
void ap_ksym_scan(FILE *f, struct ap_ksym_lookup *q);

#endif /* AUDITPEAK_LIB_KALLSYMS_H */
