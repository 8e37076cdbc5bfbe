// SPDX-License-Identifier: LGPL-2.1-or-later
/* The marker rule as struct audit_rule_data, added and deleted by netlink. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/audit.h>
#include <sys/syscall.h>

#include "auditpeak/rule.h"

/* getppid: cheap, no arguments, no side effects, never cached by libc. */
#define MARKER_NR SYS_getppid

#if defined(__x86_64__)
#define MARKER_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define MARKER_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define MARKER_ARCH AUDIT_ARCH_I386
#else
#error "add this architecture's AUDIT_ARCH_* value"
#endif

void ap_marker_syscall(void)
{
	syscall(MARKER_NR);
}

static void add_field(struct audit_rule_data *d, uint32_t field, uint32_t value)
{
	d->fields[d->field_count] = field;
	d->values[d->field_count] = value;
	d->fieldflags[d->field_count] = AUDIT_EQUAL;
	d->field_count++;
}

/* The rule, the same bytes for add and delete (the kernel matches them). */
static struct audit_rule_data *build_rule(uint32_t pid, size_t *len)
{
	size_t keylen = strlen(AP_MARKER_RULE_KEY);
	struct audit_rule_data *d;

	*len = sizeof(*d) + keylen;
	d = calloc(1, *len);
	if (!d)
		return NULL;
	d->flags = AUDIT_FILTER_EXIT;
	d->action = AUDIT_ALWAYS;
	d->mask[AUDIT_WORD(MARKER_NR)] |= AUDIT_BIT(MARKER_NR);
	add_field(d, AUDIT_ARCH, MARKER_ARCH);
	add_field(d, AUDIT_PID, pid);
	add_field(d, AUDIT_FILTERKEY, (uint32_t)keylen);
	memcpy(d->buf, AP_MARKER_RULE_KEY, keylen);
	d->buflen = (uint32_t)keylen;
	return d;
}

static int send_rule(struct ap_nl *nl, uint16_t type, uint32_t pid,
		     const char *what, struct ap_error *err)
{
	struct ap_nl_result res;
	struct audit_rule_data *d;
	size_t len;
	int rc;

	d = build_rule(pid, &len);
	if (!d)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	rc = ap_nl_request(nl, type, d, len, 0, NULL, 0, &res, what, err);
	free(d);
	return rc;
}

int ap_marker_rule_add(struct ap_nl *nl, struct ap_marker_rule *r,
		       uint32_t pid, struct ap_error *err)
{
	r->pid = pid;
	r->installed = false;
	if (send_rule(nl, AUDIT_ADD_RULE, pid, "AUDIT_ADD_RULE of the marker rule",
		      err) < 0)
		return -1;
	r->installed = true;
	return 0;
}

int ap_marker_rule_delete(struct ap_nl *nl, struct ap_marker_rule *r,
			  struct ap_error *err)
{
	if (!r->installed)
		return 0;
	if (send_rule(nl, AUDIT_DEL_RULE, r->pid,
		      "AUDIT_DEL_RULE of the marker rule", err) < 0)
		return -1;
	r->installed = false;
	return 0;
}
