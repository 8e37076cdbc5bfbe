// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * audit-ctl: what integration tests need to change the host's audit
 * settings and put them back, through the library under test.
 *
 *   audit-ctl save FILE          write the restorable settings to FILE
 *   audit-ctl restore FILE       put the settings in FILE back
 *   audit-ctl set FIELD VALUE    AUDIT_SET one field
 *   audit-ctl user-msg COUNT     queue COUNT AUDIT_USER records
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auditpeak/control.h"

static int die(const struct ap_error *err)
{
	fprintf(stderr, "audit-ctl: %s\n", err->msg);
	return 1;
}

static int save(struct ap_nl *nl, const char *path)
{
	struct ap_settings s;
	struct ap_error err;
	FILE *f;

	if (ap_settings_capture(nl, &s, &err) < 0)
		return die(&err);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		return 1;
	}
	fprintf(f, "%u %u %u %u %u %d\n", s.enabled, s.failure, s.rate_limit,
		s.backlog_limit, s.backlog_wait_time, s.has_backlog_wait_time);
	return fclose(f) == 0 ? 0 : 1;
}

static int restore(struct ap_nl *nl, const char *path)
{
	struct ap_settings s;
	struct ap_error err;
	int has_wait;
	FILE *f = fopen(path, "r");

	if (!f) {
		perror(path);
		return 1;
	}
	if (fscanf(f, "%u %u %u %u %u %d", &s.enabled, &s.failure,
		   &s.rate_limit, &s.backlog_limit, &s.backlog_wait_time,
		   &has_wait) != 6) {
		fprintf(stderr, "audit-ctl: %s: not a settings file\n", path);
		fclose(f);
		return 1;
	}
	fclose(f);
	s.has_backlog_wait_time = has_wait;
	if (ap_settings_restore(nl, &s, &err) < 0)
		return die(&err);
	return 0;
}

int main(int argc, char **argv)
{
	struct ap_error err;
	struct ap_nl *nl;
	int rc = 2;

	if (argc < 3) {
		fprintf(stderr, "usage: audit-ctl save|restore FILE | set FIELD VALUE | user-msg COUNT\n");
		return 2;
	}
	if (ap_nl_open(&nl, &err) < 0)
		return die(&err);
	if (strcmp(argv[1], "save") == 0) {
		rc = save(nl, argv[2]);
	} else if (strcmp(argv[1], "restore") == 0) {
		rc = restore(nl, argv[2]);
	} else if (strcmp(argv[1], "set") == 0 && argc == 4) {
		enum ap_field f = ap_field_by_name(argv[2]);

		rc = ap_set_field(nl, f, (uint32_t)strtoul(argv[3], NULL, 0),
				  &err) < 0 ? die(&err) : 0;
	} else if (strcmp(argv[1], "user-msg") == 0) {
		long n = strtol(argv[2], NULL, 10);

		rc = 0;
		for (long i = 0; i < n && rc == 0; i++)
			if (ap_send_user_message(nl, "auditpeak test record",
						 &err) < 0)
				rc = die(&err);
	}
	ap_nl_close(nl);
	return rc;
}
