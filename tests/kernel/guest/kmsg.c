// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"

static const char *const trouble[] = {
	"WARNING:", "BUG:", "Oops", "Call Trace", "lockdep", "KASAN", "UBSAN",
	"rcu_sched self-detected", "rcu: INFO:",
};

int kmsg_scan(struct kmsg_counts *c, void (*show)(const char *line))
{
	char buf[2048];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;

	c->records = c->warnings = 0;
	if (fd < 0)
		return -1;
	/* One record per read; EPIPE: records overwritten meanwhile. */
	while ((n = read(fd, buf, sizeof(buf) - 1)) != 0) {
		char *text;

		if (n < 0) {
			if (errno == EPIPE)
				continue;
			break;
		}
		buf[n] = '\0';
		text = strchr(buf, ';');
		text = text ? text + 1 : buf;
		text[strcspn(text, "\n")] = '\0';
		if (strstr(text, "audit: type="))
			c->records++;
		for (size_t i = 0; i < sizeof(trouble) / sizeof(trouble[0]); i++) {
			if (strstr(text, trouble[i])) {
				c->warnings++;
				if (show)
					show(text);
				break;
			}
		}
	}
	close(fd);
	return 0;
}
