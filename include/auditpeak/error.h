/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Errors are values: every library call that can fail fills a struct
 * ap_error with a category (also the CLI's exit code), the errno behind it
 * and a one-line message meant for a human.
 */
#ifndef AUDITPEAK_ERROR_H
#define AUDITPEAK_ERROR_H

enum ap_err {
	AP_OK = 0,
	AP_ERR_SYSTEM = 1,       /* unexpected system call failure */
	AP_ERR_USAGE = 2,        /* bad arguments */
	AP_ERR_PERMISSION = 3,   /* no CAP_AUDIT_CONTROL */
	AP_ERR_NAMESPACE = 4,    /* not in the initial user/PID namespace */
	AP_ERR_NO_AUDIT = 5,     /* kernel built without audit */
	AP_ERR_UNSUPPORTED = 6,  /* the running kernel lacks a field */
	AP_ERR_TIMEOUT = 7,      /* no reply in time */
	AP_ERR_PROTOCOL = 8,     /* malformed, short, truncated or unexpected reply */
	AP_ERR_NOBUFS = 9,       /* netlink receive buffer overrun (ENOBUFS) */
	AP_ERR_INTERRUPTED = 10, /* a signal asked us to stop */
	AP_ERR_BUSY = 11,        /* another instance owns the resets */
	AP_ERR_KERNEL = 12,      /* the kernel refused the request (other errno) */
};

#define AP_ERROR_MSG_MAX 256

struct ap_error {
	enum ap_err code;
	int sys_errno;
	char msg[AP_ERROR_MSG_MAX];
};

/* Fill @err (if not NULL) and return -1, so callers can `return ap_fail(...)`. */
int ap_fail(struct ap_error *err, enum ap_err code, int sys_errno,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A short stable name for @code ("permission", "timeout", ...). */
const char *ap_err_name(enum ap_err code);

#endif /* AUDITPEAK_ERROR_H */
