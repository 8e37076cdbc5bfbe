/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A temporary audit rule that makes one cheap "marker" syscall produce
 * audit records, for load generation and benchmarks.  The rule matches
 * only the calling process (-F pid=) and carries a key, so it neither
 * audits anyone else nor gets confused with the admin's rules.
 */
#ifndef AUDITPEAK_RULE_H
#define AUDITPEAK_RULE_H

#include <stdbool.h>
#include <stdint.h>

#include "auditpeak/error.h"
#include "auditpeak/netlink.h"

#define AP_MARKER_RULE_KEY "auditpeak-load"

struct ap_marker_rule {
	uint32_t pid;     /* the process whose marker calls are audited */
	bool installed;
};

/*
 * AUDIT_ADD_RULE: exit filter, always, arch = this build's, syscall =
 * the marker, pid = @pid, key = AP_MARKER_RULE_KEY.  Records are only
 * produced while audit is enabled, and only for threads created after
 * audit was first enabled (earlier tasks have no audit context).
 */
int ap_marker_rule_add(struct ap_nl *nl, struct ap_marker_rule *r,
		       uint32_t pid, struct ap_error *err);

/* AUDIT_DEL_RULE of the same rule; a no-op if it is not installed. */
int ap_marker_rule_delete(struct ap_nl *nl, struct ap_marker_rule *r,
			  struct ap_error *err);

/* One call of the marker syscall (audited while the rule is in place). */
void ap_marker_syscall(void);

#endif /* AUDITPEAK_RULE_H */
