/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exporter's log: stderr (journald adds time and priority there), or a
 * file given with --log, reopened on SIGHUP for logrotate.  Thread-safe:
 * HTTP threads log too.
 */
#ifndef AUDITPEAK_EXPORTER_LOG_H
#define AUDITPEAK_EXPORTER_LOG_H

#include "auditpeak/error.h"

/* NULL: stderr.  Fails when the file cannot be opened for appending. */
int ap_log_open(const char *path, struct ap_error *err);
/* Reopen the file (after rotation); stays on the old one on failure. */
void ap_log_reopen(void);
void ap_log_close(void);

void ap_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* AUDITPEAK_EXPORTER_LOG_H */
