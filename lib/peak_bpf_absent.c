// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bpf backend in a build without it (meson's `bpf` feature found no
 * clang, bpftool or libbpf): it exists, and says so.
 */
#include <errno.h>

#include "auditpeak/peak.h"

#define ABSENT "built without clang, bpftool or libbpf; rebuild with meson -Dbpf=enabled"

const char *ap_peak_bpf_absent(void)
{
	return ABSENT;
}

int ap_peak_bpf_open(struct ap_peak *p, const struct ap_peak_config *cfg,
		     struct ap_error *err)
{
	(void)p;
	(void)cfg;
	return ap_fail(err, AP_ERR_UNSUPPORTED, ENOTSUP, "bpf: the bpf source is not in this build (" ABSENT ")");
}
