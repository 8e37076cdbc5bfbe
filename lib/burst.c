// SPDX-License-Identifier: LGPL-2.1-or-later
/* One burst of audit records from several threads started together. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "auditpeak/burst.h"
#include "auditpeak/control.h"
#include "auditpeak/rule.h"

static const char *const mode_names[] = {
	[AP_BURST_USER] = "user",
	[AP_BURST_SYSCALL] = "syscall",
};

int ap_burst_mode_parse(const char *name, enum ap_burst_mode *mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(name, mode_names[i]) == 0) {
			*mode = (enum ap_burst_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *ap_burst_mode_name(enum ap_burst_mode mode)
{
	return (unsigned int)mode < sizeof(mode_names) / sizeof(mode_names[0]) ?
		       mode_names[mode] : "unknown";
}

/* Threads wait here so the burst starts at once, or is called off. */
struct start_line {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int state; /* 0 wait, 1 go, -1 called off */
};

static void start_line_set(struct start_line *l, int state)
{
	pthread_mutex_lock(&l->lock);
	l->state = state;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

static bool start_line_wait(struct start_line *l)
{
	int state;

	pthread_mutex_lock(&l->lock);
	while (l->state == 0)
		pthread_cond_wait(&l->cond, &l->lock);
	state = l->state;
	pthread_mutex_unlock(&l->lock);
	return state > 0;
}

struct worker {
	const struct ap_burst *burst;
	struct start_line *start;
	uint64_t count;
	uint64_t sent;
	struct ap_nl *nl; /* user mode: opened before the start */
	struct ap_error err;
	int rc;
};

static bool stopped(const struct ap_burst *b)
{
	return b->stop && *b->stop;
}

static void *work(void *arg)
{
	struct worker *w = arg;

	if (!start_line_wait(w->start))
		return NULL;
	for (; w->sent < w->count && !stopped(w->burst); w->sent++) {
		if (w->burst->mode == AP_BURST_SYSCALL) {
			ap_marker_syscall();
		} else if (ap_send_user_message(w->nl, "auditpeak load",
						&w->err) < 0) {
			w->rc = -1;
			break;
		}
	}
	return NULL;
}

static void close_all(struct worker *w, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		ap_nl_close(w[i].nl);
}

/* Sum up; the first worker error is the burst's. */
static int collect(struct worker *w, unsigned int n, uint64_t *sent,
		   struct ap_error *err)
{
	int rc = 0;

	*sent = 0;
	for (unsigned int i = 0; i < n; i++) {
		*sent += w[i].sent;
		if (w[i].rc < 0 && rc == 0) {
			if (err)
				*err = w[i].err;
			rc = -1;
		}
	}
	return rc;
}

int ap_burst_send(const struct ap_burst *b, uint64_t *sent,
		  struct ap_error *err)
{
	struct start_line start = {
		PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
	};
	pthread_t *tid;
	struct worker *w;
	unsigned int n = b->threads, started = 0;
	int rc = -1;

	*sent = 0;
	if (n == 0)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "a burst needs at least one thread");
	w = calloc(n, sizeof(*w));
	tid = calloc(n, sizeof(*tid));
	if (!w || !tid) {
		ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned int i = 0; i < n; i++) {
		w[i].burst = b;
		w[i].start = &start;
		/* The first (count % n) threads send one more. */
		w[i].count = b->count / n + (i < b->count % n);
		if (b->mode == AP_BURST_USER && ap_nl_open(&w[i].nl, err) < 0) {
			close_all(w, i);
			goto out;
		}
	}
	for (; started < n; started++) {
		int e = pthread_create(&tid[started], NULL, work, &w[started]);

		if (e != 0) {
			ap_fail(err, AP_ERR_SYSTEM, e,
				"cannot start a burst thread: %s", strerror(e));
			break;
		}
	}
	start_line_set(&start, started == n ? 1 : -1);
	for (unsigned int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	if (started == n)
		rc = collect(w, n, sent, err);
	close_all(w, n);
out:
	free(w);
	free(tid);
	return rc;
}
