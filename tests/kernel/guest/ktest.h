/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What ktest.c shares with the tests in other files of the guest program:
 * reporting, audit status helpers, the stalled fake daemon, sender crews.
 */
#ifndef AUDITPEAK_KTEST_H
#define AUDITPEAK_KTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "auditpeak/netlink.h"
#include "auditpeak/status.h"

#define NSENDERS 4

#define BACKLOG(st) ((st).value[AP_FIELD_BACKLOG])
#define MAXD(st) ((st).value[AP_FIELD_BACKLOG_MAX_DEPTH])
#define LOST(st) ((st).value[AP_FIELD_LOST])

extern struct ap_nl *ctl;

/* "ok - name: detail" / "not ok - name: detail" */
void __attribute__((format(printf, 3, 4)))
check(bool ok, const char *name, const char *fmt, ...);
/* "# text" */
void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...);
/* A failed check, then the summary, then exit. */
void __attribute__((noreturn, format(printf, 1, 2))) fatal(const char *fmt, ...);

/* Run argv[0] (a path) with stdout+stderr into @out (NUL-terminated, at
 * most @cap - 1 bytes); returns its exit status, 127 if it cannot run. */
int run_capture(char *out, size_t cap, char *const argv[]);

uint64_t now_ms(void);
void sleep_ms(int ms);
double wall_s(void); /* CLOCK_REALTIME, as serve's timestamps */

/* Fetch @url with curl (no shell in the guest) into @page, NUL-terminated;
 * false if curl failed or got nothing. */
bool http_get(const char *url, char *page, size_t cap);
/* The value of the unlabelled sample @name in @page; -1 if absent. */
double page_metric(const char *page, const char *name);
/* Start `auditpeak serve` (not waiting): @state NULL is --no-state. */
pid_t serve_start(const char *backend, const char *interval, const char *window,
		  const char *listen, const char *lock, const char *state,
		  const char *log);

/* AUDIT_GET / AUDIT_SET on ctl; fatal on error. */
struct ap_status get(void);
void set_field(enum ap_field f, uint32_t v);
uint32_t reset_max(void);            /* read-and-clear backlog_max_depth */
bool wait_drained(int timeout_ms);   /* backlog 0 within the time */
void wait_quiet(void);               /* drained and kauditd asleep */

/* Register a daemon that never reads, so kauditd leaves the queue alone
 * for ~0.5 s after each record reaches an empty queue; returns its fd. */
int fake_auditd_start(void);
void fake_auditd_stop(int fd);

/* An exit,always rule on getppid (AUDIT_ADD_RULE / AUDIT_DEL_RULE),
 * checked under the name "<test> add ..." / "<test> remove ...". */
void rule(const char *test, uint16_t type);

/*
 * WORK_NF_PACKET: a UDP datagram to 127.0.0.1:NF_AUDIT_PORT, which the
 * soak's nft rule logs at level audit: loopback delivers it from softirq,
 * so its record is queued in softirq context (ktest_soak.c).
 */
enum work { WORK_USER_MSG, WORK_GETPPID, WORK_NF_PACKET };
#define NF_AUDIT_PORT 9816

struct crew {
	pid_t pid[NSENDERS];
	int n;
	int go;	/* write end of the start pipe */
};

/* Fork @n workers pinned to CPUs 0..n-1, each doing @count[i] units of
 * @work once crew_go() is called. */
void crew_start(struct crew *c, int n, enum work work,
		const unsigned int *count);
void crew_go(struct crew *c);
bool crew_done(struct crew *c, int *failed); /* non-blocking */
int crew_wait(struct crew *c);               /* returns failed workers */
void split(unsigned int total, int n, unsigned int *count);
/* @bursts bursts of @records AUDIT_USER records from NSENDERS crews, 200 ms
 * apart; @poll gets every AUDIT_GET taken while one runs.  Returns the
 * number of failed workers. */
int polled_bursts(int bursts, unsigned int records,
		  void (*poll)(const struct ap_status *st, void *arg), void *arg);

/* Test 6 (ktest_bpf.c): the eBPF probe beside the native field. */
void test6_bpf_side_by_side(void);
/* Test 7 (ktest_serve.c): serve's window peak of a burst between polls. */
void test7_serve(void);
/* Test 8 (ktest_soak.c): serve under mixed load for many 1 s windows. */
void test8_soak(void);
/*
 * Whether tests/kernel/run expects this kernel to offer the probe's attach
 * path @name ("fexit", "kretprobe", "tracepoint"), from the kernel command
 * line's auditpeak_expect_paths=a,b; the first expected path, or NULL.
 */
bool path_expected(const char *name);
const char *first_expected_path(void);
/* Whether tests/kernel/run put @name=yes on the kernel command line (init
 * passes its parameters on as environment variables). */
bool cmdline_yes(const char *name);

#endif
