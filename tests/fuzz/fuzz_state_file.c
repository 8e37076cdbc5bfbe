// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: whatever is in the state file (a torn write, another
 * version, an attacker with write access to the state directory), loading
 * it either succeeds or leaves the timeline exactly as it was; it never
 * crashes, and what it loads saves and loads again to the same values.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "observe/state_file.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ap_exporter_snapshot start = {
		.peak_source = "kernel", .interval_seconds = 1,
		.window_seconds = 60,
	};
	struct ap_timeline tl, before, again;
	struct ap_state_load_report rep;
	struct ap_error err;
	FILE *f;
	int rc;

	if (!path[0])
		snprintf(path, sizeof(path), "/dev/shm/auditpeak-fuzz-state.%d",
			 (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	ap_timeline_init(&tl, &start);
	before = tl;
	rc = ap_state_load(path, &tl, "boot-a", &rep, &err);
	if (rc < 0 && memcmp(&tl, &before, sizeof(tl)) != 0)
		abort(); /* a refused file must change nothing */
	if (rc < 0 && !err.msg[0])
		abort();
	if (rc == 0) {
		/* round trip: what was accepted is what gets written */
		if (ap_state_save(path, &tl, "boot-a", &err) < 0)
			abort();
		ap_timeline_init(&again, &start);
		if (ap_state_load(path, &again, "boot-a", &rep, &err) != 0 ||
		    rep.garbled_lines || rep.unknown_keys)
			abort();
		if (memcmp(&again.snap.window_peaks, &tl.snap.window_peaks,
			   sizeof(tl.snap.window_peaks)) != 0 ||
		    again.snap.lost_total != tl.snap.lost_total ||
		    again.snap.max_since_start != tl.snap.max_since_start)
			abort();
	}
	unlink(path);
	return 0;
}
