// SPDX-License-Identifier: GPL-2.0-or-later
/* serve in the guest: starting it, reading its /metrics with curl. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ktest.h"

double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool http_get(const char *url, char *page, size_t cap)
{
	char *argv[] = { "/bin/curl", "-sS", "--max-time", "2", (char *)url, NULL };

	return run_capture(page, cap, argv) == 0 && page[0];
}

double page_metric(const char *page, const char *name)
{
	size_t len = strlen(name);

	for (const char *l = page; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, name, len) == 0 && l[len] == ' ')
			return strtod(l + len + 1, NULL);
	return -1;
}

pid_t serve_start(const char *backend, const char *interval, const char *window,
		  const char *listen, const char *lock, const char *state,
		  const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (state)
			execl("/bin/auditpeak", "auditpeak", "serve", "--backend", backend,
			      "--interval", interval, "--window", window, "--listen", listen,
			      "--lock", lock, "--state", state, "--log", log, (char *)NULL);
		else
			execl("/bin/auditpeak", "auditpeak", "serve", "--backend", backend,
			      "--interval", interval, "--window", window, "--listen", listen,
			      "--lock", lock, "--no-state", "--log", log, (char *)NULL);
		_exit(127);
	}
	if (pid < 0)
		fatal("fork auditpeak serve: %s", strerror(errno));
	return pid;
}
