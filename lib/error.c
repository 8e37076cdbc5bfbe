// SPDX-License-Identifier: LGPL-2.1-or-later
#include <stdarg.h>
#include <stdio.h>

#include "auditpeak/error.h"

int ap_fail(struct ap_error *err, enum ap_err code, int sys_errno,
	    const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	err->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

const char *ap_err_name(enum ap_err code)
{
	static const char *const names[] = {
		[AP_OK] = "ok",
		[AP_ERR_SYSTEM] = "system",
		[AP_ERR_USAGE] = "usage",
		[AP_ERR_PERMISSION] = "permission",
		[AP_ERR_NAMESPACE] = "namespace",
		[AP_ERR_NO_AUDIT] = "no-audit",
		[AP_ERR_UNSUPPORTED] = "unsupported",
		[AP_ERR_TIMEOUT] = "timeout",
		[AP_ERR_PROTOCOL] = "protocol",
		[AP_ERR_NOBUFS] = "nobufs",
		[AP_ERR_INTERRUPTED] = "interrupted",
		[AP_ERR_BUSY] = "busy",
		[AP_ERR_KERNEL] = "kernel",
	};

	if ((unsigned int)code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "unknown";
}
