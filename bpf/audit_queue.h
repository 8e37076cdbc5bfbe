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
 * One CPU's high-water mark, alone in its cache line.  The probe raises
 * its own CPU's slot with a plain read and store (no BPF atomics, which
 * Linux 5.10 lacks); userspace reads the maximum over all slots and
 * read-and-clears each with an atomic exchange.  A store the probe makes
 * after the exchange lands in the next window, never nowhere.
 */
struct ap_probe_cpu_max {
	__u32 max;
	__u32 pad[15];
};

/*
 * Memory the queued records hold, per CPU: skb->truesize summed over the
 * records the probe sized, and how many.
 */
struct ap_probe_record_bytes {
	__u64 bytes;
	__u64 records;
};

#endif /* AUDITPEAK_BPF_AUDIT_QUEUE_H */
