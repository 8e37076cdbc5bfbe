/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few kernel types the probe reads, declared by us instead of a
 * vmlinux.h generated from the build machine's kernel: the build then
 * needs no BTF and no particular kernel.  preserve_access_index makes
 * every field access a CO-RE relocation that libbpf resolves against the
 * running kernel's BTF at load time, by name (fields inside the kernel's
 * anonymous unions included), so only the fields named here must exist,
 * at whatever offset that kernel puts them.
 */
#ifndef AUDITPEAK_BPF_KERNEL_TYPES_H
#define AUDITPEAK_BPF_KERNEL_TYPES_H

#include <stdbool.h>
#include <linux/types.h>

struct sk_buff {
	struct sk_buff *next;
	struct sk_buff *prev;
	unsigned int truesize;
} __attribute__((preserve_access_index));

struct sk_buff_head {
	struct sk_buff *next;
	struct sk_buff *prev;
	__u32 qlen;
} __attribute__((preserve_access_index));

/*
 * skb_list exists from Linux 6.17 on; every access to it is guarded by
 * bpf_core_field_exists(), so on older kernels it is dead code.
 */
struct audit_buffer {
	struct sk_buff *skb;
	struct sk_buff_head skb_list;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

#endif /* AUDITPEAK_BPF_KERNEL_TYPES_H */
