/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the eBPF probe (audit_queue.bpf.c) and its loader (lib/peak_bpf.c)
 * must agree on: map value layouts and array bounds.  Both include this
 * file, so a change on one side is a change on the other.
 *
 * Compiled with clang -target bpf and into the library: plain __u32/__u64
 * from <linux/types.h>, which the includer brings, and nothing else.
 */
#ifndef AUDITPEAK_BPF_AUDIT_QUEUE_H
#define AUDITPEAK_BPF_AUDIT_QUEUE_H

#include "depth_math.h"

/* Code ranges of audit_log_start() and its compiler clones (tracepoint path). */
#define AP_PROBE_MAX_SITES 4

/*
 * What the probe keeps, one slot per CPU in a mmapable array map: one
 * lookup per record, and userspace reads it with plain loads, no bpf()
 * call once the probe is attached (Linux 5.10 refuses every bpf() call
 * from a process without CAP_BPF or CAP_SYS_ADMIN while unprivileged BPF
 * is off, as it is on Debian: a daemon that dropped its privileges read
 * zeros there).  The probe updates its own CPU's slot with plain reads and
 * stores (no BPF atomics, which 5.10 lacks; a tracing program does not
 * nest with itself on a CPU from 5.11); userspace read-and-clears the
 * maximum with an atomic exchange: a store the probe makes after the
 * exchange lands in the next window, never nowhere.  Slots start on their
 * own cache lines.
 */
struct ap_probe_cpu {
	__u32 max;           /* high-water mark since the last clear */
	__u32 pad;
	__u64 record_bytes;  /* skb->truesize summed over the records sized */
	__u64 records_sized;
	__u64 enqueues;      /* records queued, without the histogram */
	__u64 bucket[AP_DEPTH_MATH_BUCKETS]; /* depth at enqueue, log2 */
} __attribute__((aligned(64)));

#endif /* AUDITPEAK_BPF_AUDIT_QUEUE_H */
