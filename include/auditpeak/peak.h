/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Peak backends: where the audit queue's high-water mark comes from.
 *
 *   kernel  the backlog_max_depth field of a patched kernel (exact)
 *   bpf     eBPF probe on the enqueue path of an unpatched kernel (exact)
 *   sample  fast AUDIT_GET polling of `backlog` (a lower bound)
 *
 * Every backend offers the same two operations as the kernel field: read
 * the high-water mark since the last clear (no side effect), and atomically
 * read-and-clear it.  `auto` picks the best one available and records why
 * the better ones were not, so every output can say which source it shows.
 */
#ifndef AUDITPEAK_PEAK_H
#define AUDITPEAK_PEAK_H

#include <stdbool.h>
#include <stdint.h>

#include "auditpeak/error.h"
#include "auditpeak/status.h"

enum ap_peak_kind {
	AP_PEAK_AUTO,
	AP_PEAK_KERNEL,
	AP_PEAK_BPF,
	AP_PEAK_SAMPLE,
};

/* log2 buckets of queue depth: bucket i counts depths in [2^(i-1), 2^i). */
#define AP_DEPTH_BUCKETS 33

/* What only the bpf backend can see: the queue depth at every enqueue. */
struct ap_depth_distribution {
	/* bucket 0 counts depth 0; all 0 unless AP_BPF_EXTRA_HISTOGRAM */
	uint64_t bucket[AP_DEPTH_BUCKETS];
	uint64_t enqueues;                 /* records enqueued (always) */
	/* Mean depth over time since open; NaN where the probe cannot keep
	 * it (a kernel without BPF atomics, Linux 5.10). */
	double time_weighted_mean;
	/*
	 * skb->truesize summed over the records the probe sized at enqueue
	 * (every path: the queue's tail right after the enqueue, or the
	 * buffer's skb on the tracepoint path), and how many: the kernel
	 * memory a queued record holds.  0 records: not measurable.
	 */
	uint64_t record_bytes;
	uint64_t records_sized;
	/* The AP_BPF_EXTRA_* the probe keeps: a figure it does not keep is
	 * NaN (the mean) or 0 of 0 (the sizes), never a measured zero. */
	unsigned int extras;
};

struct ap_peak_ops {
	const char *name; /* "kernel", "bpf", "sample" */
	bool exact;       /* false: the value is a lower bound */
	/*
	 * High-water mark since the last clear.  @st, when not NULL, is an
	 * AUDIT_GET the caller just made, so backends that need one can skip
	 * theirs.
	 */
	int (*read)(void *state, const struct ap_status *st, uint32_t *max,
		    struct ap_error *err);
	int (*read_and_clear)(void *state, uint32_t *old, struct ap_error *err);
	/* NULL when the backend cannot see the distribution. */
	int (*distribution)(void *state, struct ap_depth_distribution *d,
			    struct ap_error *err);
	/*
	 * Records the backend may have missed since open (a probe run skipped
	 * on a busy CPU, a faulted read): a window during which this grows is
	 * a lower bound, the next one exact again.  The count may drop when
	 * the backend forgets what it sampled wrongly.  NULL: never misses.
	 */
	uint64_t (*misses)(void *state);
	/* NULL when the backend has no thread of its own. */
	int (*start)(void *state, struct ap_error *err);
	void (*close)(void *state);
};

#define AP_PEAK_REASON_MAX 512

struct ap_peak {
	const struct ap_peak_ops *ops;
	void *state;
	/* Why `auto` did not pick a better backend; empty if it did. */
	char fallback_reason[AP_PEAK_REASON_MAX];
	/* How the chosen backend measures (attach point, rate); may be empty. */
	char detail[AP_PEAK_REASON_MAX];
};

/* The bpf backend's attach paths, best first (see bpf/audit_queue.bpf.c). */
enum ap_bpf_path {
	AP_BPF_PATH_AUTO,
	AP_BPF_PATH_FEXIT,      /* fexit/audit_log_end (BPF trampolines) */
	AP_BPF_PATH_KPROBE,     /* kretprobe/audit_log_end */
	AP_BPF_PATH_TRACEPOINT, /* raw_tp/kmem_cache_free, Linux 6.17+ only */
};

/*
 * What the bpf backend keeps beyond the maximum and the count of records
 * queued, each at a price on every audit record (bench/README.md "eBPF
 * probe cost"), so off unless asked for:
 *   MEAN       the time-weighted mean depth: a clock read per record and a
 *              sample of every kauditd pass (needs BPF atomics, 5.12+);
 *   SIZES      the kernel memory (skb truesize) of each record queued;
 *   HISTOGRAM  the log2 histogram of the depth at every enqueue.
 */
enum {
	AP_BPF_EXTRA_MEAN = 1u << 0,
	AP_BPF_EXTRA_SIZES = 1u << 1,
	AP_BPF_EXTRA_HISTOGRAM = 1u << 2,
};
#define AP_BPF_EXTRAS_ALL \
	(AP_BPF_EXTRA_MEAN | AP_BPF_EXTRA_SIZES | AP_BPF_EXTRA_HISTOGRAM)

struct ap_peak_config {
	int timeout_ms;         /* netlink reply timeout */
	int sample_interval_us; /* sample backend: AUDIT_GET period */
	/*
	 * Start no thread in ap_peak_open(); the caller calls ap_peak_start().
	 * A thread copies its creator's capabilities: a daemon that drops
	 * privileges after opening starts threads after the drop.
	 */
	bool defer_threads;
	/*
	 * bpf backend: where the probe samples.  AUTO takes the best the
	 * running kernel offers; the others force one path (or fail with the
	 * reason it is not offered), so tests can check each on one kernel.
	 */
	enum ap_bpf_path bpf_path;
	unsigned int bpf_extras; /* AP_BPF_EXTRA_*, default none */
};

#define AP_PEAK_DEFAULT_SAMPLE_INTERVAL_US 1000

void ap_peak_config_defaults(struct ap_peak_config *cfg);

/* Open the backend @kind (or the best available for AP_PEAK_AUTO). */
int ap_peak_open(struct ap_peak *p, enum ap_peak_kind kind,
		 const struct ap_peak_config *cfg, struct ap_error *err);
void ap_peak_close(struct ap_peak *p);
/* Start the backend's thread, if it has one (see defer_threads). */
int ap_peak_start(struct ap_peak *p, struct ap_error *err);

int ap_peak_read(struct ap_peak *p, const struct ap_status *st, uint32_t *max,
		 struct ap_error *err);
int ap_peak_read_and_clear(struct ap_peak *p, uint32_t *old,
			   struct ap_error *err);

const char *ap_peak_source(const struct ap_peak *p);
/* Records possibly missed since open (0 for backends that cannot miss). */
uint64_t ap_peak_misses(const struct ap_peak *p);
bool ap_peak_is_exact(const struct ap_peak *p);

/* "auto", "kernel", "bpf", "sample" <-> kind; -1 if unknown. */
int ap_peak_kind_parse(const char *name, enum ap_peak_kind *kind);
const char *ap_peak_kind_name(enum ap_peak_kind kind);
/* "auto", "fexit", "kretprobe", "tracepoint" -> path; -1 if unknown. */
int ap_bpf_path_parse(const char *name, enum ap_bpf_path *path);
/* "none", "all" or a comma list of "mean", "sizes", "histogram" ->
 * AP_BPF_EXTRA_*; -1 if a name is unknown.  ap_bpf_extras_name(): the
 * list back ("none" or the names in that order). */
int ap_bpf_extras_parse(const char *list, unsigned int *extras);
const char *ap_bpf_extras_name(unsigned int extras);
/* "PATH[:EXTRAS]" (e.g. "fexit:all", "auto") into @cfg's bpf_path and
 * bpf_extras, for the benchmarks' command lines; -1 if either is unknown. */
int ap_bpf_spec_parse(const char *spec, struct ap_peak_config *cfg);

/* Each backend's constructor; fails with AP_ERR_UNSUPPORTED where unusable. */
int ap_peak_kernel_open(struct ap_peak *p, const struct ap_peak_config *cfg,
			struct ap_error *err);
/*
 * The probe sees only what happens while it is attached: values are since
 * open or the last clear.  Nothing is returned until the audit queue's
 * address is validated (AP_ERR_UNSUPPORTED with EAGAIN until then).
 * Owners should read it now and then (every second is plenty): a read
 * validates the address and, on the tracepoint path, detaches the
 * one-time learner that otherwise runs on every slab allocation.
 */
int ap_peak_bpf_open(struct ap_peak *p, const struct ap_peak_config *cfg,
		     struct ap_error *err);
/*
 * NULL when this build has the bpf backend; else why not (it was built
 * without clang, bpftool or libbpf: meson's `bpf` feature), for --help
 * and errors.
 */
const char *ap_peak_bpf_absent(void);
/* Polls AUDIT_GET on its own thread and socket: a lower bound. */
int ap_peak_sample_open(struct ap_peak *p, const struct ap_peak_config *cfg,
			struct ap_error *err);

/* The bpf backend's depth distribution; AP_ERR_UNSUPPORTED elsewhere. */
int ap_peak_distribution(struct ap_peak *p, struct ap_depth_distribution *d,
			 struct ap_error *err);

#endif /* AUDITPEAK_PEAK_H */
