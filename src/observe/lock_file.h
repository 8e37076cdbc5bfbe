/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An exclusive, non-blocking flock on a file that holds the owner's PID.
 * The kernel drops the lock when the process dies, however it dies, so a
 * crashed owner never blocks the next one.
 */
#ifndef AUDITPEAK_OBSERVE_LOCK_FILE_H
#define AUDITPEAK_OBSERVE_LOCK_FILE_H

#include <sys/types.h>

#include "auditpeak/error.h"

/*
 * Take the lock at @path (creating the file, and its directory if that is
 * missing).  Returns the open fd, or -1: AP_ERR_BUSY when another process
 * holds it (*@holder is its PID, or 0 when unknown), another code when the
 * file cannot be used at all.
 */
int ap_lock_take(const char *path, pid_t *holder, struct ap_error *err);
void ap_lock_release(int fd);

#endif /* AUDITPEAK_OBSERVE_LOCK_FILE_H */
