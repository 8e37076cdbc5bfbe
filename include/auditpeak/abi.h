/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Kernel audit ABI facts auditpeak relies on.
 *
 * The system's <linux/audit.h> may predate fields the running kernel has
 * (or that only a patched kernel has), so everything that is not in every
 * supported header is defined here.  Offsets are those of struct
 * audit_status, a sequence of __u32 in host byte order.
 */
#ifndef AUDITPEAK_ABI_H
#define AUDITPEAK_ABI_H

#include <linux/audit.h>

#ifndef AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL
#define AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL 0x0080
#endif

/* The high-water mark proposed on LKML in March 2026; not in any release. */
#ifndef AUDIT_STATUS_BACKLOG_MAX_DEPTH
#define AUDIT_STATUS_BACKLOG_MAX_DEPTH 0x0100
#endif
/*
 * Its feature bit (our v2 of the proposal, kernel/linux-7.3): a kernel
 * has the field and the reset only when feature_bitmap carries it.  The
 * reply's length alone is no proof: a later kernel may append another
 * field at the same offset.
 */
#ifndef AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH
#define AUDIT_FEATURE_BITMAP_BACKLOG_MAX_DEPTH 0x00000080
#endif
/*
 * The RFC on top of it (kernel/linux-7.3, patch 2): two __u64 after the
 * mark, records queued since boot and the sum of the queue lengths they
 * found; two readings give the mean length a record found in between.
 */
#ifndef AUDIT_FEATURE_BITMAP_BACKLOG_DEPTH_SUM
#define AUDIT_FEATURE_BITMAP_BACKLOG_DEPTH_SUM 0x00000100
#endif

/* Byte offsets inside the AUDIT_GET payload. */
#define AP_OFF_MASK                     0
#define AP_OFF_ENABLED                  4
#define AP_OFF_FAILURE                  8
#define AP_OFF_PID                      12
#define AP_OFF_RATE_LIMIT               16
#define AP_OFF_BACKLOG_LIMIT            20
#define AP_OFF_LOST                     24
#define AP_OFF_BACKLOG                  28
#define AP_OFF_FEATURE_BITMAP           32
#define AP_OFF_BACKLOG_WAIT_TIME        36
#define AP_OFF_BACKLOG_WAIT_TIME_ACTUAL 40
#define AP_OFF_BACKLOG_MAX_DEPTH        44
#define AP_OFF_BACKLOG_RECORDS          48      /* __u64 */
#define AP_OFF_BACKLOG_DEPTH_SUM        56      /* __u64 */

/* Every kernel with audit sends at least the original eight fields. */
#define AP_STATUS_MIN_PAYLOAD           32
/* The largest struct audit_status we know (with the RFC's sums). */
#define AP_STATUS_KNOWN_PAYLOAD         64

#endif /* AUDITPEAK_ABI_H */
