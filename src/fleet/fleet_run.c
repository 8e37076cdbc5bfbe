// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "cli/cli.h"
#include "fleet_run.h"

int fleet_run(struct fleet_run_options *o)
{
	struct fleet_context ctx = {
		.url = o->http.url,
		.selector = o->query.selector,
		.range_s = o->query.range_s,
		.headroom_percent = o->advice.headroom_percent,
	};
	struct fleet_summary sum;
	struct prom_client *c = NULL;
	struct fleet_row *rows = NULL;
	struct fleet f = { 0 };
	struct ap_error err;
	int rc = 0;

	if (o->query.at == 0) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		o->query.at = (double)now.tv_sec + now.tv_nsec / 1e9;
	}
	ctx.at = o->query.at;
	if (prom_client_open(&c, &o->http, &err) < 0 ||
	    fleet_gather(c, &o->query, &f, &err) < 0) {
		rc = cli_report(&err);
		goto out;
	}
	rows = calloc(f.n, sizeof(*rows));
	if (!rows) {
		ap_fail(&err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
		rc = cli_report(&err);
		goto out;
	}
	for (size_t i = 0; i < f.n; i++)
		fleet_advise_host(&f.hosts[i], &o->advice, &rows[i]);
	fleet_summarise(rows, f.n, &sum);
	prom_client_counts(c, &ctx.queries, &ctx.bytes);
	fleet_print(stdout, o->format, &ctx, rows, f.n, &sum);
	/* Like single-host advise: no recommendation anywhere is no answer. */
	if (sum.by_verdict[FLEET_NO_EVIDENCE] == sum.hosts)
		rc = AP_ERR_UNSUPPORTED;
out:
	free(rows);
	fleet_free(&f);
	prom_client_close(c);
	return rc;
}
