/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading, setting and read-and-clearing the kernel's audit status.
 */
#ifndef AUDITPEAK_CONTROL_H
#define AUDITPEAK_CONTROL_H

#include <stdint.h>

#include "auditpeak/error.h"
#include "auditpeak/netlink.h"
#include "auditpeak/status.h"

/* AUDIT_GET: no side effect. */
int ap_get_status(struct ap_nl *nl, struct ap_status *st, struct ap_error *err);

/*
 * AUDIT_SET of one settable field (enabled, failure, pid, rate_limit,
 * backlog_limit, backlog_wait_time).
 */
int ap_set_field(struct ap_nl *nl, enum ap_field f, uint32_t value,
		 struct ap_error *err);

/*
 * Atomically read and clear one of the resettable counters (lost,
 * backlog_wait_time_actual, backlog_max_depth).  The kernel returns the
 * value it cleared in the ack.  The field's support is checked first with
 * AUDIT_GET: a kernel that lacks it would ack 0 and that 0 is no value, so
 * this fails with AP_ERR_UNSUPPORTED and sends no AUDIT_SET.
 */
int ap_reset_counter(struct ap_nl *nl, enum ap_field f, uint32_t *old,
		     struct ap_error *err);

/* Whether @f is one of the counters ap_reset_counter() accepts. */
bool ap_field_is_resettable(enum ap_field f);

/* The settings tests and `load` may change, captured to be put back. */
struct ap_settings {
	uint32_t enabled;
	uint32_t failure;
	uint32_t rate_limit;
	uint32_t backlog_limit;
	uint32_t backlog_wait_time;
	bool has_backlog_wait_time;
};

void ap_settings_from_status(const struct ap_status *st, struct ap_settings *s);
int ap_settings_capture(struct ap_nl *nl, struct ap_settings *s,
			struct ap_error *err);
/* Puts every captured value back; tries all and reports the first failure. */
int ap_settings_restore(struct ap_nl *nl, const struct ap_settings *s,
			struct ap_error *err);

/* Queue one AUDIT_USER record with @text (needs CAP_AUDIT_WRITE). */
int ap_send_user_message(struct ap_nl *nl, const char *text,
			 struct ap_error *err);

#endif /* AUDITPEAK_CONTROL_H */
