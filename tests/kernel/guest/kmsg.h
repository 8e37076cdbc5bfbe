/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel log as the guest programs read it (/dev/kmsg): audit records
 * kauditd printed, and lines that mean the kernel went wrong (WARNING,
 * BUG, Oops, Call Trace, lockdep, KASAN, UBSAN, RCU stalls).  Guests boot
 * with `quiet`, so a WARN never reaches the console: every guest program
 * reads the log itself and fails on any such line.
 */
#ifndef AUDITPEAK_GUEST_KMSG_H
#define AUDITPEAK_GUEST_KMSG_H

struct kmsg_counts {
	unsigned int records;  /* "audit: type=" lines */
	unsigned int warnings; /* lines that mean trouble */
};

/*
 * Read the whole log (from its start): -1 with errno if /dev/kmsg cannot
 * be opened.  @show, when not NULL, gets each line that means trouble.
 */
int kmsg_scan(struct kmsg_counts *c, void (*show)(const char *line));

#endif
