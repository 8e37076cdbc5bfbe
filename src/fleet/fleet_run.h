/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `auditpeak advise --prometheus`: gather, advise per host, print. */
#ifndef AUDITPEAK_FLEET_FLEET_RUN_H
#define AUDITPEAK_FLEET_FLEET_RUN_H

#include "fleet_advice.h"
#include "fleet_report.h"
#include "prom_client.h"

#define FLEET_DEFAULT_SELECTOR "{job=\"auditpeak\"}"
#define FLEET_DEFAULT_RANGE_S (7 * 86400ULL)
#define FLEET_DEFAULT_TIMEOUT_MS 30000ULL

struct fleet_run_options {
	struct prom_client_options http;
	struct fleet_query_options query;   /* at == 0: now */
	struct fleet_advice_options advice;
	enum fleet_format format;
};

/* The exit code: 0, or the error's category after a one-line message. */
int fleet_run(struct fleet_run_options *o);

#endif /* AUDITPEAK_FLEET_FLEET_RUN_H */
