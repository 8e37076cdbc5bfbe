/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running kernel's HZ, which turns the ABI's jiffies into seconds.
 * Only read from the kernel's own build configuration (/proc/config.gz, or
 * /boot/config-<release>); sysconf(_SC_CLK_TCK) is USER_HZ, a different
 * number, and guessing would put wrong seconds on every dashboard.
 */
#ifndef AUDITPEAK_OBSERVE_KERNEL_HZ_H
#define AUDITPEAK_OBSERVE_KERNEL_HZ_H

#include <stddef.h>
#include <stdint.h>

/* HZ, or 0 when it cannot be read reliably; @from names the source. */
uint32_t ap_kernel_hz(char *from, size_t from_cap);

/* CONFIG_HZ from one line of a kernel config, or 0. */
uint32_t ap_kernel_hz_from_line(const char *line);

#endif /* AUDITPEAK_OBSERVE_KERNEL_HZ_H */
