// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <string.h>

#include "auditpeak/abi.h"
#include "fixtures.h"

void fixture_status(struct ap_status *st, uint32_t backlog_limit,
		    uint32_t backlog, uint32_t lost, uint32_t wait_actual)
{
	uint32_t raw[11] = { 0 };

	raw[AP_OFF_ENABLED / 4] = 1;
	raw[AP_OFF_FAILURE / 4] = 1;
	raw[AP_OFF_BACKLOG_LIMIT / 4] = backlog_limit;
	raw[AP_OFF_LOST / 4] = lost;
	raw[AP_OFF_BACKLOG / 4] = backlog;
	raw[AP_OFF_FEATURE_BITMAP / 4] = 0x7f;
	raw[AP_OFF_BACKLOG_WAIT_TIME / 4] = 15000;
	raw[AP_OFF_BACKLOG_WAIT_TIME_ACTUAL / 4] = wait_actual;
	ap_status_decode(raw, sizeof(raw), st);
}

static int fake_read(void *state, const struct ap_status *st, uint32_t *max,
		     struct ap_error *err)
{
	struct fake_peak *f = state;

	(void)st;
	f->reads++;
	if (f->not_ready)
		return ap_fail(err, AP_ERR_UNSUPPORTED, EAGAIN, "fake: not ready");
	if (f->fail_reads)
		return ap_fail(err, AP_ERR_TIMEOUT, ETIMEDOUT, "fake read timeout");
	*max = f->kernel_max;
	return 0;
}

static int fake_read_and_clear(void *state, uint32_t *old,
			       struct ap_error *err)
{
	struct fake_peak *f = state;

	if (f->fail_clears)
		return ap_fail(err, AP_ERR_TIMEOUT, ETIMEDOUT, "fake clear timeout");
	f->clears++;
	*old = f->kernel_max;
	f->kernel_max = 0;
	return 0;
}

static int fake_distribution(void *state, struct ap_depth_distribution *d,
			     struct ap_error *err)
{
	struct fake_peak *f = state;

	(void)err;
	memset(d, 0, sizeof(*d));
	d->bucket[0] = 1;
	d->bucket[3] = f->reads; /* depths 4..7 */
	d->enqueues = 1 + f->reads;
	d->time_weighted_mean = 2.5;
	return 0;
}

static uint64_t fake_misses(void *state)
{
	return ((struct fake_peak *)state)->misses;
}

static const struct ap_peak_ops fake_exact_ops = {
	.name = "kernel", .exact = true,
	.read = fake_read, .read_and_clear = fake_read_and_clear,
};
static const struct ap_peak_ops fake_lower_bound_ops = {
	.name = "sample", .exact = false,
	.read = fake_read, .read_and_clear = fake_read_and_clear,
};
static const struct ap_peak_ops fake_bpf_ops = {
	.name = "bpf", .exact = true,
	.read = fake_read, .read_and_clear = fake_read_and_clear,
	.distribution = fake_distribution,
	.misses = fake_misses,
};

void fake_peak_attach(struct ap_peak *p, struct fake_peak *f, bool exact)
{
	memset(p, 0, sizeof(*p));
	p->ops = f->with_distribution ? &fake_bpf_ops
		 : exact ? &fake_exact_ops : &fake_lower_bound_ops;
	p->state = f;
}

void fake_peak_depth(struct fake_peak *f, uint32_t depth)
{
	if (depth > f->kernel_max)
		f->kernel_max = depth;
}

void fixture_full_snapshot(struct ap_exporter_snapshot *s, uint32_t hz)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->peak_source, "bpf");
	s->peak_exact = true;
	s->owner = true;
	s->kernel_hz = hz;
	s->interval_seconds = 1;
	s->window_seconds = 60;
	s->start_time = 1795600000.5;
	s->up = true;
	s->last_poll_time = 1795600100.25;
	fixture_status(&s->status, 8192, 17, 3, 500);
	s->have_peak = true;
	s->peak_current = 900;
	s->polls = 100;
	s->poll_errors = 2;
	s->resets = 1;
	s->windows = 1;
	s->foreign_resets[AP_WATCH_LOST] = 1;
	s->lost_total = 42;
	s->wait_actual_total_jiffies = 1000;
	s->have_max_since_start = true;
	s->max_since_start = 7000;
	ap_window_histogram_observe(&s->window_peaks, 7000);
	ap_window_histogram_observe(&s->window_peaks, 3);
	s->have_last_window = true;
	s->last_window_peak = 3;
	s->last_window_exact = true;
	s->last_window_peak_time = 1795600059.0;
	s->last_window_end_time = 1795600060.0;
	s->have_distribution = true;
	s->distribution.bucket[0] = 5;
	s->distribution.bucket[4] = 10;
	s->distribution.enqueues = 15;
	s->distribution.time_weighted_mean = 1.25;
	s->distribution.record_bytes = 15 * 2304;
	s->distribution.records_sized = 15;
	s->distribution.extras = AP_BPF_EXTRAS_ALL;
}
