/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Printing a fleet's sizing: a terminal table, JSON or CSV, one row a host
 * and one line (or object) for the fleet. */
#ifndef AUDITPEAK_FLEET_FLEET_REPORT_H
#define AUDITPEAK_FLEET_FLEET_REPORT_H

#include <stdio.h>

#include "fleet_advice.h"

enum fleet_format { FLEET_TABLE, FLEET_JSON, FLEET_CSV };

/* What was asked, for the report's header. */
struct fleet_context {
	const char *url;
	const char *selector;
	uint64_t range_s;
	double at;
	uint32_t headroom_percent;
	uint64_t queries, bytes; /* what the server was asked and sent */
};

void fleet_print(FILE *out, enum fleet_format f, const struct fleet_context *c,
		 const struct fleet_row *rows, size_t n,
		 const struct fleet_summary *s);

#endif /* AUDITPEAK_FLEET_FLEET_REPORT_H */
