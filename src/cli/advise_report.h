/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Printing `auditpeak advise`'s recommendation with its evidence. */
#ifndef AUDITPEAK_CLI_ADVISE_REPORT_H
#define AUDITPEAK_CLI_ADVISE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "observe/advice.h"

/* Where the evidence came from, beside the numbers advice.h works on. */
struct advise_evidence {
	const char *origin;     /* "observed" or "state file PATH" */
	const char *source;     /* peak source name, NULL when unknown */
	bool exact;
	bool owner;             /* windows were closed (else: readings only) */
	double window_seconds;  /* 0: unknown */
	uint64_t wait_jiffies;
	uint32_t kernel_hz;     /* 0: unknown */
	bool record_bytes_given; /* --record-bytes */
	/* Records the probe sized (mean truesize used); 0: not measured. */
	uint64_t records_sized;
	const struct ap_advice_input *in;
	const struct ap_advice *advice;
};

#define ADVISE_MAX_WARNINGS 6
#define ADVISE_WARNING_MAX 256

/* The warnings the evidence calls for, one sentence each; returns how many. */
int advise_warnings(const struct advise_evidence *e,
		    char w[ADVISE_MAX_WARNINGS][ADVISE_WARNING_MAX]);

void advise_print_text(FILE *out, const struct advise_evidence *e);
void advise_print_json(FILE *out, const struct advise_evidence *e);

#endif /* AUDITPEAK_CLI_ADVISE_REPORT_H */
