// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file; /* NULL: stderr */
static char *log_path;

int ap_log_open(const char *path, struct ap_error *err)
{
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "ae");
	if (!f)
		return ap_fail(err, AP_ERR_USAGE, errno,
			       "--log: cannot open %s: %s", path, strerror(errno));
	setvbuf(f, NULL, _IOLBF, 0);
	log_path = strdup(path);
	log_file = f;
	return 0;
}

void ap_log_reopen(void)
{
	FILE *f;

	if (!log_path)
		return;
	f = fopen(log_path, "ae");
	if (!f) {
		ap_log("cannot reopen %s: %s; logging on to the old file",
		       log_path, strerror(errno));
		return;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	pthread_mutex_lock(&log_lock);
	fclose(log_file);
	log_file = f;
	pthread_mutex_unlock(&log_lock);
}

void ap_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	free(log_path);
	log_path = NULL;
}

void ap_log(const char *fmt, ...)
{
	FILE *out;
	va_list ap;

	pthread_mutex_lock(&log_lock);
	out = log_file ? log_file : stderr;
	/* A file has no journald to stamp the time. */
	if (log_file) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z",
			 localtime_r(&now, &tm));
		fprintf(out, "%s ", stamp);
	}
	fputs("auditpeak serve: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
	pthread_mutex_unlock(&log_lock);
}
