/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability checks shared inside the library. */
#ifndef AUDITPEAK_LIB_CAPS_H
#define AUDITPEAK_LIB_CAPS_H

#include <stdbool.h>
#include <sys/capability.h>

/* Whether this thread has @cap in its effective set. */
bool ap_have_effective_cap(cap_value_t cap);

#endif /* AUDITPEAK_LIB_CAPS_H */
