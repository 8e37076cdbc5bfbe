// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state_file.h"

/* The first line: this and the format's version. */
#define MAGIC "auditpeak-serve-state"

/* Every cumulative 64-bit value, by name. */
static const struct {
	const char *key;
	size_t offset;
} u64_fields[] = {
#define F(key, member) { key, offsetof(struct ap_exporter_snapshot, member) }
	F("polls", polls),
	F("poll_errors", poll_errors),
	F("resets", resets),
	F("windows", windows),
	F("foreign_resets.backlog_max_depth", foreign_resets[AP_WATCH_MAX_DEPTH]),
	F("foreign_resets.lost", foreign_resets[AP_WATCH_LOST]),
	F("foreign_resets.backlog_wait_time_actual",
	  foreign_resets[AP_WATCH_WAIT_ACTUAL]),
	F("lost_total", lost_total),
	F("probe_missed", probe_missed),
	F("wait_actual_total_jiffies", wait_actual_total_jiffies),
	F("window_peaks.count", window_peaks.count),
	F("window_peaks.sum", window_peaks.sum),
#undef F
};

#define N_U64 (sizeof(u64_fields) / sizeof(u64_fields[0]))

static uint64_t *u64_at(struct ap_exporter_snapshot *s, size_t i)
{
	return (uint64_t *)((char *)s + u64_fields[i].offset);
}

void ap_boot_id(char id[AP_BOOT_ID_MAX])
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	id[0] = '\0';
	if (!f)
		return;
	if (!fgets(id, AP_BOOT_ID_MAX, f))
		id[0] = '\0';
	id[strcspn(id, "\n")] = '\0';
	fclose(f);
}

static void write_state(FILE *f, const struct ap_timeline *tl,
			const char *boot_id)
{
	struct ap_exporter_snapshot s = tl->snap;

	fprintf(f, MAGIC " %d\nboot_id %s\n", AP_STATE_VERSION,
		boot_id[0] ? boot_id : "-");
	if (s.peak_source[0])
		fprintf(f, "peak_source %s %d\n", s.peak_source, s.peak_exact);
	if (s.window_seconds > 0)
		fprintf(f, "window_seconds %.3f\n", s.window_seconds);
	for (size_t i = 0; i < N_U64; i++)
		fprintf(f, "%s %" PRIu64 "\n", u64_fields[i].key, *u64_at(&s, i));
	for (int i = 0; i < AP_WINDOW_PEAK_BUCKETS; i++)
		fprintf(f, "window_peaks.bucket.%d %" PRIu64 "\n", i,
			s.window_peaks.bucket[i]);
	if (s.have_max_since_start)
		fprintf(f, "max_since_start %u\n", s.max_since_start);
	if (s.have_last_window)
		fprintf(f, "last_window %u %d %.3f %.3f\n", s.last_window_peak,
			s.last_window_exact, s.last_window_peak_time,
			s.last_window_end_time);
	for (int w = AP_WATCH_LOST; w < AP_WATCH_COUNT; w++)
		if (tl->watch[w].known)
			fprintf(f, "last_seen.%s %u\n", ap_watched_name(w),
				tl->watch[w].last);
}

/* fsync the directory holding @path so the rename itself is durable. */
static void sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int ap_state_save(const char *path, const struct ap_timeline *tl,
		  const char *boot_id, struct ap_error *err)
{
	char tmp[4096];
	FILE *f;
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return ap_fail(err, AP_ERR_USAGE, ENAMETOOLONG,
			       "state file path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return ap_fail(err, AP_ERR_SYSTEM, errno, "cannot write %s: %s",
			       tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		unlink(tmp);
		return ap_fail(err, AP_ERR_SYSTEM, e, "%s: %s", tmp, strerror(e));
	}
	write_state(f, tl, boot_id);
	if (fflush(f) != 0 || fsync(fd) != 0) {
		e = errno;
		fclose(f);
		unlink(tmp);
		return ap_fail(err, AP_ERR_SYSTEM, e, "cannot write %s: %s",
			       tmp, strerror(e));
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return ap_fail(err, AP_ERR_SYSTEM, e, "cannot replace %s: %s",
			       path, strerror(e));
	}
	sync_dir(path);
	return 0;
}

enum line_kind { LINE_APPLIED, LINE_UNKNOWN_KEY, LINE_GARBLED };

/* A known key's value: applied, or garbled when it did not parse. */
static enum line_kind parsed(bool ok)
{
	return ok ? LINE_APPLIED : LINE_GARBLED;
}

/*
 * Apply one "key value..." line to @s / @watch / @rep.  A key this version
 * writes must have a value that parses (else the line is garbled); any
 * other key shaped like ours is one of a newer version.
 */
static enum line_kind apply_line(const char *line,
				 struct ap_exporter_snapshot *s,
				 struct ap_monotone *watch, char *file_boot,
				 struct ap_state_load_report *rep)
{
	char key[64], rest[64];
	unsigned long long v;
	bool numeric, small;
	int i, exact;

	if (sscanf(line, "%63s %63s", key, rest) != 2)
		return LINE_GARBLED;
	if (strcmp(key, "boot_id") == 0) {
		snprintf(file_boot, AP_BOOT_ID_MAX, "%.*s", AP_BOOT_ID_MAX - 1,
			 rest);
		return LINE_APPLIED;
	}
	if (strcmp(key, "peak_source") == 0) {
		if (sscanf(line, "peak_source %15s %d", rep->source, &exact) != 2) {
			rep->source[0] = '\0';
			return LINE_GARBLED;
		}
		rep->exact = exact;
		return LINE_APPLIED;
	}
	if (strcmp(key, "window_seconds") == 0)
		return parsed(sscanf(rest, "%lf", &rep->window_seconds) == 1 &&
			      rep->window_seconds > 0 && rep->window_seconds < 1e9);
	if (strcmp(key, "last_window") == 0) {
		if (sscanf(line, "last_window %u %d %lf %lf", &s->last_window_peak,
			   &exact, &s->last_window_peak_time,
			   &s->last_window_end_time) != 4)
			return LINE_GARBLED;
		s->last_window_exact = exact;
		s->have_last_window = true;
		return LINE_APPLIED;
	}
	numeric = sscanf(rest, "%llu", &v) == 1;
	small = numeric && v <= UINT32_MAX;
	for (size_t k = 0; k < N_U64; k++) {
		if (strcmp(key, u64_fields[k].key) == 0) {
			if (numeric)
				*u64_at(s, k) = v;
			return parsed(numeric);
		}
	}
	if (sscanf(key, "window_peaks.bucket.%d", &i) == 1) {
		if (!numeric || i < 0 || i >= AP_WINDOW_PEAK_BUCKETS)
			return LINE_GARBLED;
		s->window_peaks.bucket[i] = v;
		return LINE_APPLIED;
	}
	if (strcmp(key, "max_since_start") == 0) {
		if (small) {
			s->max_since_start = (unsigned)v;
			s->have_max_since_start = true;
		}
		return parsed(small);
	}
	if (strncmp(key, "last_seen.", 10) == 0) {
		for (int w = AP_WATCH_LOST; w < AP_WATCH_COUNT && small; w++) {
			if (strcmp(key + 10, ap_watched_name(w)) == 0) {
				watch[w].last = (unsigned)v;
				watch[w].known = true;
				return LINE_APPLIED;
			}
		}
		return LINE_GARBLED;
	}
	return strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.") == strlen(key) ?
	       LINE_UNKNOWN_KEY : LINE_GARBLED;
}

/* "ignored N values ...; skipped M garbled lines (...)": what a load of
 * @path skipped, in the words every caller logs; "" when nothing was. */
void ap_state_load_describe(const char *path,
			    const struct ap_state_load_report *rep,
			    char *out, size_t cap)
{
	int n = 0;

	out[0] = '\0';
	if (rep->unknown_keys)
		n = snprintf(out, cap,
			     "%s: ignored %u value%s this version does not know (written by a newer auditpeak, format %u)",
			     path, rep->unknown_keys,
			     rep->unknown_keys == 1 ? "" : "s", rep->version);
	if (rep->garbled_lines && n >= 0 && (size_t)n < cap)
		snprintf(out + n, cap - (size_t)n,
			 "%s%s: skipped %u garbled line%s (the first, line %d: '%s'); the rest is kept",
			 n ? "; " : "", path, rep->garbled_lines,
			 rep->garbled_lines == 1 ? "" : "s",
			 rep->first_garbled_line, rep->first_garbled);
}

int ap_state_load(const char *path, struct ap_timeline *tl,
		  const char *boot_id, struct ap_state_load_report *rep,
		  struct ap_error *err)
{
	struct ap_exporter_snapshot s = tl->snap;
	struct ap_monotone watch[AP_WATCH_COUNT] = { 0 };
	char line[256], file_boot[AP_BOOT_ID_MAX] = "";
	FILE *f = fopen(path, "re");
	int lineno = 1;
	char tail;

	memset(rep, 0, sizeof(*rep));
	if (!f) {
		if (errno == ENOENT)
			return 1;
		return ap_fail(err, AP_ERR_SYSTEM, errno, "cannot read %s: %s",
			       path, strerror(errno));
	}
	if (!fgets(line, sizeof(line), f) ||
	    sscanf(line, MAGIC " %u%c", &rep->version, &tail) != 2 ||
	    tail != '\n' || rep->version == 0) {
		fclose(f);
		return ap_fail(err, AP_ERR_PROTOCOL, 0,
			       "%s is not an auditpeak serve state file", path);
	}
	while (fgets(line, sizeof(line), f)) {
		enum line_kind k;

		lineno++;
		/* A line longer than the buffer: skip the rest of it too. */
		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
			k = LINE_GARBLED;
		} else {
			k = apply_line(line, &s, watch, file_boot, rep);
		}
		if (k == LINE_UNKNOWN_KEY) {
			rep->unknown_keys++;
		} else if (k == LINE_GARBLED) {
			if (!rep->garbled_lines++) {
				rep->first_garbled_line = lineno;
				snprintf(rep->first_garbled, sizeof(rep->first_garbled),
					 "%.*s", (int)strcspn(line, "\n"), line);
			}
		}
	}
	fclose(f);
	tl->snap = s;
	/* Raw kernel values only mean something within the boot they came from. */
	if (boot_id[0] && strcmp(file_boot, boot_id) == 0)
		for (int w = AP_WATCH_LOST; w < AP_WATCH_COUNT; w++)
			tl->watch[w] = watch[w];
	return 0;
}
