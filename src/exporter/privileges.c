// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "privileges.h"

static bool in(cap_value_t c, const cap_value_t *set, int n)
{
	for (int i = 0; i < n; i++)
		if (set[i] == c)
			return true;
	return false;
}

/*
 * Empty the bounding set.  That needs CAP_SETPCAP; without it (a unit or
 * setpriv already bounded us) what remains is counted.  Returns how many
 * capabilities outside @keep stay in the bounding set: no_new_privs keeps
 * them out of reach of any execve, but the log says so.
 */
static int clear_bounding(const cap_value_t *keep, int n, int *left)
{
	int extra = 0;

	*left = 0;
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++) {
		if (cap_get_bound(c) != 1)
			continue;
		if (cap_drop_bound(c) == 0)
			continue;
		(*left)++;
		if (!in(c, keep, n))
			extra++;
	}
	return extra;
}

/* @keep reduced to what is permitted now: asking for more would fail. */
static int permitted_subset(const cap_value_t *keep, int n, cap_value_t *out)
{
	cap_t now = cap_get_proc();
	int kept = 0;

	if (!now)
		return 0;
	for (int i = 0; i < n; i++) {
		cap_flag_value_t v = CAP_CLEAR;

		cap_get_flag(now, keep[i], CAP_PERMITTED, &v);
		if (v == CAP_SET)
			out[kept++] = keep[i];
	}
	cap_free(now);
	return kept;
}

int ap_privileges_drop(const cap_value_t *keep, int n, char *summary,
		       size_t summary_cap, struct ap_error *err)
{
	cap_value_t kept[16];
	size_t used;
	cap_t caps;
	int extra, left, e;

	if (n > (int)(sizeof(kept) / sizeof(kept[0])))
		return ap_fail(err, AP_ERR_SYSTEM, EINVAL,
			       "privileges: too many capabilities to keep (%d)", n);
	n = permitted_subset(keep, n, kept);
	/* First, while CAP_SETPCAP may still be effective. */
	extra = clear_bounding(kept, n, &left);
	/* Ambient capabilities would survive an execve: none. */
	if (cap_reset_ambient() < 0 && errno != EINVAL)
		return ap_fail(err, AP_ERR_SYSTEM, errno,
			       "privileges: cannot clear the ambient set: %s",
			       strerror(errno));
	caps = cap_init(); /* every flag clear, inheritable included */
	if (!caps)
		return ap_fail(err, AP_ERR_SYSTEM, errno,
			       "privileges: %s", strerror(errno));
	if ((n > 0 && (cap_set_flag(caps, CAP_EFFECTIVE, n, kept, CAP_SET) < 0 ||
		       cap_set_flag(caps, CAP_PERMITTED, n, kept, CAP_SET) < 0)) ||
	    cap_set_proc(caps) < 0) {
		e = errno;
		cap_free(caps);
		return ap_fail(err, AP_ERR_SYSTEM, e,
			       "privileges: cannot drop capabilities: %s",
			       strerror(e));
	}
	cap_free(caps);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return ap_fail(err, AP_ERR_SYSTEM, errno,
			       "privileges: cannot set no_new_privs: %s",
			       strerror(errno));
	used = (size_t)snprintf(summary, summary_cap, "privileges: kept");
	for (int i = 0; i < n && used < summary_cap; i++) {
		char *name = cap_to_name(kept[i]);

		used += (size_t)snprintf(summary + used, summary_cap - used,
					 " %s", name ? name : "?");
		cap_free(name);
	}
	if (used < summary_cap)
		snprintf(summary + used, summary_cap - used,
			 "%s; inheritable and ambient sets empty; %s; no_new_privs set",
			 n ? "" : " nothing",
			 extra ? "bounding set NOT reduced to it (no CAP_SETPCAP)" :
			 left ? "bounding set holds only that (no CAP_SETPCAP to empty it)" :
				"bounding set empty");
	return 0;
}
