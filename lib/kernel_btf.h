/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading the kernel's BTF for the bpf backend (private to the library).
 */
#ifndef AUDITPEAK_LIB_KERNEL_BTF_H
#define AUDITPEAK_LIB_KERNEL_BTF_H

#include <stdbool.h>

struct btf;

/*
 * Whether the slab tracepoint @name ("kmem_cache_free") passes the
 * kmem_cache as its third argument (Linux 6.1+; 5.10 has no third
 * argument, 5.12-6.0 pass the cache's name).
 */
bool ap_btf_tracepoint_third_is_cache(const struct btf *btf, const char *name);

/* Whether struct @type has a member @member. */
bool ap_btf_struct_has_member(const struct btf *btf, const char *type,
			      const char *member);

#endif /* AUDITPEAK_LIB_KERNEL_BTF_H */
