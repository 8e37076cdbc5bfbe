// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PID 1 of the auditpeak test guests.
 *
 * Mounts what the tests need, runs /bin/ktest with the flavor given on the
 * kernel command line (auditpeak_flavor=patched|vanilla, passed to us in the
 * environment), and powers the machine off.  Everything the tests print goes
 * to the second serial port (ttyS1), framed by markers, so kernel messages on
 * the console cannot interleave with the results.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void try_mount(const char *src, const char *dst, const char *type)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, NULL) < 0 && errno != EBUSY)
		fprintf(stderr, "init: mount %s on %s: %s\n", type, dst,
			strerror(errno));
}

static void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* not reached unless power-off failed; -no-reboot turns a panic
	 * into an exit, so make one */
	for (;;)
		pause();
}

int main(void)
{
	const char *flavor = getenv("auditpeak_flavor");
	int out, status = 0;
	pid_t pid;

	try_mount("devtmpfs", "/dev", "devtmpfs");
	try_mount("proc", "/proc", "proc");
	try_mount("sysfs", "/sys", "sysfs");
	try_mount("tmpfs", "/tmp", "tmpfs");

	out = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
	if (out < 0) {
		fprintf(stderr, "init: cannot open /dev/ttyS1: %s\n",
			strerror(errno));
		power_off();
	}
	dup2(out, 1);
	dup2(out, 2);
	if (out > 2)
		close(out);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("@@AUDITPEAK-BEGIN@@\n");
	pid = fork();
	if (pid == 0) {
		execl("/bin/ktest", "ktest", flavor ? flavor : "unknown",
		      (char *)NULL);
		fprintf(stderr, "init: exec /bin/ktest: %s\n", strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		printf("init: fork: %s\n", strerror(errno));
		status = 1 << 8;
	} else {
		/* reap everything (orphans are re-parented to us) until the
		 * test program itself is done */
		for (;;) {
			int st;
			pid_t p = wait(&st);

			if (p < 0 && errno == EINTR)
				continue;
			if (p < 0)
				break;
			if (p == pid) {
				status = st;
				break;
			}
		}
	}
	fflush(stdout);
	printf("@@AUDITPEAK-END rc=%d@@\n",
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	fflush(stdout);
	power_off();
	return 0;
}
