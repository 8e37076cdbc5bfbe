// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PID 1 of the auditpeak test guests.
 *
 * Mounts what the tests need, brings up lo where the kernel has TCP/IP,
 * runs /bin/ktest with the test groups given on the kernel command line
 * (auditpeak_flavor=GROUP[,GROUP...], GROUP patched, vanilla or bpf: see
 * ktest.c; passed to us in the environment), and powers the machine off.  The benchmarks run another
 * program the same way: auditpeak_prog=NAME runs /bin/NAME with the
 * comma-separated arguments of auditpeak_args= (a kernel command line
 * cannot quote spaces) instead.  Everything the tests print goes
 * to the second serial port (ttyS1), framed by markers, so kernel messages on
 * the console cannot interleave with the results.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
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

/* Kernels without TCP/IP (most flavors) have no AF_INET: nothing to do. */
static void loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			fprintf(stderr, "init: lo up: %s\n", strerror(errno));
	}
	close(fd);
}

#define MAX_ARGS 16

/* argv for /bin/@prog from "a,b,c" (modified in place); NULL-terminated. */
static void split_args(const char *prog, char *args, char **argv)
{
	int n = 0;

	argv[n++] = (char *)prog;
	for (char *a = args ? strtok(args, ",") : NULL; a && n < MAX_ARGS - 1;
	     a = strtok(NULL, ","))
		argv[n++] = a;
	argv[n] = NULL;
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
	const char *prog = getenv("auditpeak_prog");
	char *argv[MAX_ARGS], path[256];
	int out, status = 0;
	pid_t pid;

	try_mount("devtmpfs", "/dev", "devtmpfs");
	try_mount("proc", "/proc", "proc");
	try_mount("sysfs", "/sys", "sysfs");
	try_mount("tmpfs", "/tmp", "tmpfs");
	loopback_up();

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

	if (prog) {
		split_args(prog, getenv("auditpeak_args"), argv);
	} else {
		prog = "ktest";
		split_args(prog, NULL, argv);
		argv[1] = (char *)(flavor ? flavor : "unknown");
		argv[2] = NULL;
	}
	snprintf(path, sizeof(path), "/bin/%s", prog);

	printf("@@AUDITPEAK-BEGIN@@\n");
	pid = fork();
	if (pid == 0) {
		execv(path, argv);
		fprintf(stderr, "init: exec %s: %s\n", path, strerror(errno));
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
