/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Least privilege after start-up: once sockets are open, the peak source is
 * attached, the HTTP socket is bound and files are open, the exporter keeps
 * only the capabilities its run-time calls check (CAP_AUDIT_CONTROL for
 * AUDIT_GET and the read-and-clear), empties the inheritable and ambient
 * sets and the bounding set, and sets no_new_privs.
 *
 * Call it while the process has one thread: capability sets, the bounding
 * set and no_new_privs belong to each thread, and a thread copies its
 * creator's at creation.  Threads started afterwards get the reduced sets.
 */
#ifndef AUDITPEAK_EXPORTER_PRIVILEGES_H
#define AUDITPEAK_EXPORTER_PRIVILEGES_H

#include <stddef.h>
#include <sys/capability.h>

#include "auditpeak/error.h"

/*
 * Keep the @n capabilities of @keep that are permitted now (effective and
 * permitted), drop everything else.  @summary gets one line for the log.
 * Fails (AP_ERR_SYSTEM) only when the kernel refuses to lower a set.
 */
int ap_privileges_drop(const cap_value_t *keep, int n, char *summary,
		       size_t summary_cap, struct ap_error *err);

#endif /* AUDITPEAK_EXPORTER_PRIVILEGES_H */
