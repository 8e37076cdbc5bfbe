/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The benchmarks' stand-in for auditd inside the QEMU guests: a child
 * process registered as the audit daemon that reads and drops every
 * record, so kauditd drains the queue as it would with a real auditd
 * (without one, kauditd prints records to the console and holds them).
 */
#ifndef AUDITPEAK_BENCH_AUDIT_CONSUMER_H
#define AUDITPEAK_BENCH_AUDIT_CONSUMER_H

#include <sys/types.h>

/* Fork the consumer; returns once it is registered, or -1 (errno set). */
pid_t bench_consumer_start(void);

/* Kill and reap it (no-op for pid <= 0). */
void bench_consumer_stop(pid_t pid);

#endif
