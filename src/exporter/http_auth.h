/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HTTP basic authentication for `serve --basic-auth-file FILE`.
 * The file holds one `user:HASH` per line (# starts a comment), HASH a
 * crypt(3) hash such as `openssl passwd -6` or `mkpasswd -m yescrypt`
 * print: the file never holds a password.  Checking hashes the offered
 * password with the stored salt and compares in constant time; an unknown
 * user costs the same hash, so timing tells neither names nor passwords.
 *
 * The hash is slow on purpose, so its cost is bounded: a password that
 * verified is remembered per user (in memory only, wiped on free) and a
 * client offering it again is let in without hashing; and at most one
 * hash runs at a time, so wrong passwords, however many, keep one HTTP
 * thread busy at most and a request arriving meanwhile is told to retry
 * (AP_AUTH_BUSY) instead of waiting for a thread.
 */
#ifndef AUDITPEAK_EXPORTER_HTTP_AUTH_H
#define AUDITPEAK_EXPORTER_HTTP_AUTH_H

#include <stdbool.h>

#include "auditpeak/error.h"

#define AP_AUTH_USERS_MAX 16

struct ap_http_auth;

/* Parse the file's text; the message names @what and the line. */
int ap_http_auth_parse(const char *what, const char *text,
		       struct ap_http_auth **out, struct ap_error *err);
enum ap_auth_result {
	AP_AUTH_OK,
	AP_AUTH_DENIED,
	AP_AUTH_BUSY, /* another check is hashing: retry shortly */
};

/* Thread-safe. */
enum ap_auth_result ap_http_auth_check(struct ap_http_auth *a, const char *user,
				       const char *password);
void ap_http_auth_free(struct ap_http_auth *a);

#endif /* AUDITPEAK_EXPORTER_HTTP_AUTH_H */
