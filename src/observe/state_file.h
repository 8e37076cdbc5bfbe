/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file: cumulative values (counters, max since start, the
 * window-peak histogram, the last window) survive restarts.  Written
 * atomically: a temporary file, fsync, rename over the old one, fsync of
 * the directory, so a crash leaves the old or the new file, never half.
 *
 * The last raw kernel values of lost and backlog_wait_time_actual are kept
 * with the boot they came from: after a restart in the same boot a lower
 * value means a reset while we were away; after a reboot the kernel counted
 * from zero and everything it shows is new.
 */
#ifndef AUDITPEAK_OBSERVE_STATE_FILE_H
#define AUDITPEAK_OBSERVE_STATE_FILE_H

#include "auditpeak/error.h"
#include "timeline.h"

#define AP_BOOT_ID_MAX 40

/* The kernel's boot id (empty string when unreadable). */
void ap_boot_id(char id[AP_BOOT_ID_MAX]);

int ap_state_save(const char *path, const struct ap_timeline *tl,
		  const char *boot_id, struct ap_error *err);

/*
 * Load into @tl (after ap_timeline_init): 0 loaded, 1 no file yet, -1 on
 * an unreadable or malformed file (@tl is then left as it was).
 */
int ap_state_load(const char *path, struct ap_timeline *tl,
		  const char *boot_id, struct ap_error *err);

#endif /* AUDITPEAK_OBSERVE_STATE_FILE_H */
