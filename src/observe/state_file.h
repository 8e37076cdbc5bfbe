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
/* The format written; files of any version are read. */
#define AP_STATE_VERSION 2

/* The kernel's boot id (empty string when unreadable). */
void ap_boot_id(char id[AP_BOOT_ID_MAX]);

int ap_state_save(const char *path, const struct ap_timeline *tl,
		  const char *boot_id, struct ap_error *err);

/* What a load found besides the values, for the caller to report, and
 * what the last run that wrote the file measured with (its peak source,
 * its window), which a restart must not take over as its own. */
struct ap_state_load_report {
	unsigned version;           /* of the file's format */
	unsigned unknown_keys;      /* keys of a newer version: ignored */
	unsigned garbled_lines;     /* lines that made no sense: skipped */
	int first_garbled_line;     /* its number, 0: none */
	char first_garbled[64];     /* and its start */
	/* The peak source the values were measured with (format 2 on). */
	char source[AP_PEAK_SOURCE_MAX]; /* "": not recorded */
	bool exact;
	double window_seconds;      /* serve's --window; 0: not recorded */
};

/*
 * Load into @tl (after ap_timeline_init): 0 loaded, 1 no file yet, -1 when
 * the file cannot be read or is not a state file (@tl is then left as it
 * was).  Forward compatible: a key this version does not know (written by
 * a newer auditpeak) is ignored, and a garbled line is skipped and
 * counted in @rep, never a reason to drop the rest.
 */
int ap_state_load(const char *path, struct ap_timeline *tl,
		  const char *boot_id, struct ap_state_load_report *rep,
		  struct ap_error *err);

/* What a load of @path skipped, as one log line; "" when nothing. */
void ap_state_load_describe(const char *path,
			    const struct ap_state_load_report *rep,
			    char *out, size_t cap);

#endif /* AUDITPEAK_OBSERVE_STATE_FILE_H */
