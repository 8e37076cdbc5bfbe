// SPDX-License-Identifier: LGPL-2.1-or-later
/* The kernel backend: backlog_max_depth of a patched kernel. */
#include <errno.h>
#include <stdlib.h>

#include "auditpeak/control.h"
#include "auditpeak/peak.h"

static int kernel_read(void *state, const struct ap_status *given,
		       uint32_t *max, struct ap_error *err)
{
	struct ap_status st;

	if (!given) {
		if (ap_get_status(state, &st, err) < 0)
			return -1;
		given = &st;
	}
	if (!ap_status_has(given, AP_FIELD_BACKLOG_MAX_DEPTH))
		return ap_fail(err, AP_ERR_UNSUPPORTED, ENOTSUP,
			       "the kernel stopped reporting backlog_max_depth");
	*max = given->value[AP_FIELD_BACKLOG_MAX_DEPTH];
	return 0;
}

static int kernel_read_and_clear(void *state, uint32_t *old,
				 struct ap_error *err)
{
	return ap_reset_counter(state, AP_FIELD_BACKLOG_MAX_DEPTH, old, err);
}

static void kernel_close(void *state)
{
	ap_nl_close(state);
}

static const struct ap_peak_ops kernel_ops = {
	.name = "kernel",
	.exact = true,
	.read = kernel_read,
	.read_and_clear = kernel_read_and_clear,
	.close = kernel_close,
};

int ap_peak_kernel_open(struct ap_peak *p, const struct ap_peak_config *cfg,
			struct ap_error *err)
{
	struct ap_status st;
	struct ap_nl *nl;
	char why[160];

	if (ap_nl_open(&nl, err) < 0)
		return -1;
	ap_nl_set_timeout(nl, cfg->timeout_ms);
	if (ap_get_status(nl, &st, err) < 0) {
		ap_nl_close(nl);
		return -1;
	}
	if (!ap_status_has(&st, AP_FIELD_BACKLOG_MAX_DEPTH)) {
		ap_nl_close(nl);
		return ap_fail(err, AP_ERR_UNSUPPORTED, ENOTSUP,
			       "kernel has no backlog_max_depth (%s; needs %s)",
			       ap_status_absence(&st, AP_FIELD_BACKLOG_MAX_DEPTH,
						 why, sizeof(why)),
			       ap_field_origin(AP_FIELD_BACKLOG_MAX_DEPTH));
	}
	p->ops = &kernel_ops;
	p->state = nl;
	return 0;
}
