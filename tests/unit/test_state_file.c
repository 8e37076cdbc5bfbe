// SPDX-License-Identifier: GPL-2.0-or-later
/* The state file: round trip, boot awareness, refusal of damaged files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fixtures.h"
#include "observe/state_file.h"

struct files {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	static struct files f;

	strcpy(f.dir, "/tmp/auditpeak-state-XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	snprintf(f.path, sizeof(f.path), "%s/serve.state", f.dir);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct files *f = *state;
	char tmp[160];

	unlink(f->path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
	unlink(tmp);
	rmdir(f->dir);
	return 0;
}

static void filled_timeline(struct ap_timeline *tl)
{
	struct ap_exporter_snapshot s;

	fixture_full_snapshot(&s, 250);
	ap_timeline_init(tl, &s);
	tl->watch[AP_WATCH_LOST] = (struct ap_monotone){ .last = 7, .known = true };
	tl->watch[AP_WATCH_WAIT_ACTUAL] = (struct ap_monotone){ .last = 9, .known = true };
}

static void fresh_timeline(struct ap_timeline *tl)
{
	struct ap_exporter_snapshot cfg = { 0 };

	strcpy(cfg.peak_source, "kernel");
	cfg.owner = true;
	ap_timeline_init(tl, &cfg);
}

static void round_trip(void **state)
{
	struct files *f = *state;
	struct ap_timeline saved, loaded;
	struct ap_state_load_report rep;
	struct ap_error err;

	filled_timeline(&saved);
	assert_int_equal(ap_state_save(f->path, &saved, "boot-1", &err), 0);
	assert_int_equal(access(f->dir, F_OK), 0);
	fresh_timeline(&loaded);
	snprintf(loaded.snap.peak_source, sizeof(loaded.snap.peak_source), "sample");
	assert_int_equal(ap_state_load(f->path, &loaded, "boot-1", &rep, &err), 0);
	assert_int_equal(rep.version, AP_STATE_VERSION);
	assert_int_equal(rep.unknown_keys + rep.garbled_lines, 0);
	/* What the writer measured with is reported, not taken over. */
	assert_string_equal(rep.source, saved.snap.peak_source);
	assert_int_equal(rep.exact, saved.snap.peak_exact);
	assert_true(rep.window_seconds == saved.snap.window_seconds);
	assert_string_equal(loaded.snap.peak_source, "sample");
	snprintf(loaded.snap.peak_source, sizeof(loaded.snap.peak_source), "kernel");
	assert_int_equal(loaded.snap.polls, saved.snap.polls);
	assert_int_equal(loaded.snap.poll_errors, saved.snap.poll_errors);
	assert_int_equal(loaded.snap.resets, saved.snap.resets);
	assert_int_equal(loaded.snap.lost_total, 42);
	assert_int_equal(loaded.snap.wait_actual_total_jiffies, 1000);
	assert_int_equal(loaded.snap.foreign_resets[AP_WATCH_LOST], 1);
	assert_true(loaded.snap.have_max_since_start);
	assert_int_equal(loaded.snap.max_since_start, 7000);
	assert_memory_equal(&loaded.snap.window_peaks, &saved.snap.window_peaks,
			    sizeof(saved.snap.window_peaks));
	assert_true(loaded.snap.have_last_window);
	assert_int_equal(loaded.snap.last_window_peak, 3);
	assert_true(loaded.snap.last_window_end_time == 1795600060.0);
	/* Same boot: the raw kernel values carry over. */
	assert_true(loaded.watch[AP_WATCH_LOST].known);
	assert_int_equal(loaded.watch[AP_WATCH_LOST].last, 7);
	assert_int_equal(loaded.watch[AP_WATCH_WAIT_ACTUAL].last, 9);
	/* Configuration comes from this run, not the file. */
	assert_string_equal(loaded.snap.peak_source, "kernel");
	assert_false(loaded.snap.up);
	/* No temporary file is left behind. */
	{
		char tmp[160];

		snprintf(tmp, sizeof(tmp), "%s.tmp", f->path);
		assert_int_not_equal(access(tmp, F_OK), 0);
	}
}

/* After a reboot the kernel counts from zero: old raw values are void. */
static void other_boot_keeps_totals_not_raw_values(void **state)
{
	struct files *f = *state;
	struct ap_timeline saved, loaded;
	struct ap_state_load_report rep;
	struct ap_error err;

	filled_timeline(&saved);
	assert_int_equal(ap_state_save(f->path, &saved, "boot-1", &err), 0);
	fresh_timeline(&loaded);
	assert_int_equal(ap_state_load(f->path, &loaded, "boot-2", &rep, &err), 0);
	assert_int_equal(loaded.snap.lost_total, 42);
	assert_false(loaded.watch[AP_WATCH_LOST].known);
	assert_false(loaded.watch[AP_WATCH_WAIT_ACTUAL].known);
}

static void missing_file_is_a_first_start(void **state)
{
	struct files *f = *state;
	struct ap_state_load_report rep;
	struct ap_timeline tl;
	struct ap_error err;

	fresh_timeline(&tl);
	assert_int_equal(ap_state_load(f->path, &tl, "boot-1", &rep, &err), 1);
}

static void write_file(const char *path, const char *text)
{
	FILE *out = fopen(path, "w");

	assert_non_null(out);
	fputs(text, out);
	fclose(out);
}

static void not_a_state_file_is_refused_untouched(void **state)
{
	static const char *const bad[] = {
		"not a state file\n",
		"auditpeak-serve-state\npolls 1\n",
		"auditpeak-serve-state x\n",
		"",
	};
	struct files *f = *state;
	struct ap_state_load_report rep;
	struct ap_timeline tl;
	struct ap_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(f->path, bad[i]);
		fresh_timeline(&tl);
		tl.snap.polls = 5;
		assert_int_equal(ap_state_load(f->path, &tl, "b", &rep, &err), -1);
		assert_int_equal(err.code, AP_ERR_PROTOCOL);
		assert_int_equal(tl.snap.polls, 5);
		assert_false(tl.snap.have_max_since_start);
	}
}

/*
 * A downgrade after an upgrade meets keys it does not know, and a damaged
 * disk a garbled line: neither costs the values that are still readable.
 */
static void newer_or_damaged_lines_keep_the_rest(void **state)
{
	struct files *f = *state;
	struct ap_state_load_report rep;
	struct ap_timeline tl;
	struct ap_error err;

	write_file(f->path,
		   "auditpeak-serve-state 3\n"
		   "polls many\n"
		   "a_key_from_a_newer_version 42\n"
		   "max_since_start 800\n"
		   "max_since_start 99999999999\n"
		   "lost_total 17\n"
		   "window_peaks.bucket.10 4\n"
		   "!!! \n"
		   "peak_source bpf 1\n"
		   "another.newer.key 1 2 3\n");
	fresh_timeline(&tl);
	assert_int_equal(ap_state_load(f->path, &tl, "b", &rep, &err), 0);
	assert_int_equal(rep.version, 3);
	assert_int_equal(rep.unknown_keys, 2);
	assert_int_equal(rep.garbled_lines, 3);
	assert_int_equal(rep.first_garbled_line, 2);
	assert_string_equal(rep.first_garbled, "polls many");
	assert_true(tl.snap.have_max_since_start);
	assert_int_equal(tl.snap.max_since_start, 800);
	assert_int_equal(tl.snap.lost_total, 17);
	assert_int_equal(tl.snap.window_peaks.bucket[10], 4);
	assert_string_equal(rep.source, "bpf");
	assert_true(rep.exact);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(other_boot_keeps_totals_not_raw_values, setup, teardown),
		cmocka_unit_test_setup_teardown(missing_file_is_a_first_start, setup, teardown),
		cmocka_unit_test_setup_teardown(not_a_state_file_is_refused_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(newer_or_damaged_lines_keep_the_rest, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
