/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small files read whole at start-up, before privileges are dropped: TLS
 * key and certificate, the basic-auth file.  Bounded in size, NUL
 * terminated, and wiped when freed (a key should not linger in freed heap).
 */
#ifndef AUDITPEAK_EXPORTER_SECRET_FILE_H
#define AUDITPEAK_EXPORTER_SECRET_FILE_H

#include <stddef.h>

#include "auditpeak/error.h"

#define AP_SECRET_FILE_MAX (256 * 1024)

/* @what names the file in messages ("--tls-key"). */
int ap_secret_file_read(const char *what, const char *path, char **text,
			struct ap_error *err);
void ap_secret_file_free(char *text);

#endif /* AUDITPEAK_EXPORTER_SECRET_FILE_H */
