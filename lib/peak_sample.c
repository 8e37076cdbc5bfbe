// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The sample backend: AUDIT_GET's instantaneous `backlog`, polled at a
 * fixed rate on a thread with its own netlink socket, keeping the largest
 * value seen.  A burst that fills and drains between two polls is missed,
 * so this is a lower bound (exact = false); it needs no BPF, only
 * CAP_AUDIT_CONTROL.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auditpeak/control.h"
#include "auditpeak/peak.h"

struct sample_state {
	struct ap_nl *nl;
	pthread_t thread;
	bool started;
	long interval_ns;
	uint32_t max;           /* atomic: the poller raises, readers swap */
	uint64_t polls;         /* atomic */
	int stop;               /* atomic */
	pthread_mutex_t lock;   /* guards failure */
	struct ap_error failure; /* the poller's last error, code AP_OK if none */
};

static void raise_max(uint32_t *max, uint32_t v)
{
	uint32_t cur = __atomic_load_n(max, __ATOMIC_RELAXED);

	while (v > cur &&
	       !__atomic_compare_exchange_n(max, &cur, v, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

static void advance(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static void *poll_loop(void *arg)
{
	struct sample_state *s = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!__atomic_load_n(&s->stop, __ATOMIC_SEQ_CST)) {
		struct ap_status st;
		struct ap_error e;

		if (ap_get_status(s->nl, &st, &e) == 0) {
			raise_max(&s->max, st.value[AP_FIELD_BACKLOG]);
			__atomic_fetch_add(&s->polls, 1, __ATOMIC_RELAXED);
			e.code = AP_OK;
		}
		pthread_mutex_lock(&s->lock);
		s->failure = e;
		pthread_mutex_unlock(&s->lock);
		/* Absolute deadlines: the rate does not drift with poll cost. */
		advance(&next, s->interval_ns);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return NULL;
}

static int poller_failed(struct sample_state *s, struct ap_error *err)
{
	int failed;

	pthread_mutex_lock(&s->lock);
	failed = s->failure.code != AP_OK;
	if (failed && err)
		*err = s->failure;
	pthread_mutex_unlock(&s->lock);
	return failed ? -1 : 0;
}

static int sample_read(void *state, const struct ap_status *st, uint32_t *max,
		       struct ap_error *err)
{
	struct sample_state *s = state;

	if (poller_failed(s, err) < 0)
		return -1;
	/* A status the caller just read is one more sample. */
	if (st)
		raise_max(&s->max, st->value[AP_FIELD_BACKLOG]);
	*max = __atomic_load_n(&s->max, __ATOMIC_SEQ_CST);
	return 0;
}

static int sample_read_and_clear(void *state, uint32_t *old,
				 struct ap_error *err)
{
	struct sample_state *s = state;

	if (poller_failed(s, err) < 0)
		return -1;
	*old = __atomic_exchange_n(&s->max, 0, __ATOMIC_SEQ_CST);
	return 0;
}

static void sample_close(void *state)
{
	struct sample_state *s = state;

	__atomic_store_n(&s->stop, 1, __ATOMIC_SEQ_CST);
	if (s->started)
		pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->lock);
	ap_nl_close(s->nl);
	free(s);
}

static int sample_start(void *state, struct ap_error *err)
{
	struct sample_state *s = state;
	int rc;

	if (s->started)
		return 0;
	rc = pthread_create(&s->thread, NULL, poll_loop, s);
	if (rc != 0)
		return ap_fail(err, AP_ERR_SYSTEM, rc,
			       "cannot start the sampling thread: %s",
			       strerror(rc));
	s->started = true;
	return 0;
}

static const struct ap_peak_ops sample_ops = {
	.name = "sample",
	.exact = false,
	.read = sample_read,
	.read_and_clear = sample_read_and_clear,
	.start = sample_start,
	.close = sample_close,
};

int ap_peak_sample_open(struct ap_peak *p, const struct ap_peak_config *cfg,
			struct ap_error *err)
{
	struct sample_state *s;
	struct ap_status st;

	if (cfg->sample_interval_us <= 0)
		return ap_fail(err, AP_ERR_USAGE, EINVAL,
			       "sample interval must be positive, not %d us",
			       cfg->sample_interval_us);
	s = calloc(1, sizeof(*s));
	if (!s)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	s->interval_ns = (long)cfg->sample_interval_us * 1000;
	pthread_mutex_init(&s->lock, NULL);
	if (ap_nl_open(&s->nl, err) < 0)
		goto fail;
	ap_nl_set_timeout(s->nl, cfg->timeout_ms);
	/* Permission problems show here, not later on the thread. */
	if (ap_get_status(s->nl, &st, err) < 0)
		goto fail;
	s->max = st.value[AP_FIELD_BACKLOG];
	if (!cfg->defer_threads && sample_start(s, err) < 0)
		goto fail;
	snprintf(p->detail, sizeof(p->detail),
		 "AUDIT_GET backlog polled every %d us (a lower bound)",
		 cfg->sample_interval_us);
	p->ops = &sample_ops;
	p->state = s;
	return 0;
fail:
	ap_nl_close(s->nl);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return -1;
}
