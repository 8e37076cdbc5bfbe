// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bpf backend: an eBPF probe on the audit enqueue path of a kernel
 * without backlog_max_depth (the probe itself is bpf/audit_queue.bpf.c,
 * which explains what it samples and when).
 *
 * The probe only sees what happens while it is attached: its maximum is
 * "since this backend was opened (or last cleared)", never since boot.
 * Nothing is published until the audit queue's address is validated: a
 * real, consistent sk_buff_head whose qlen equals AUDIT_GET's backlog
 * while the queue is still.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "audit_queue.skel.h"
#include "auditpeak/control.h"
#include "auditpeak/depth_math.h"
#include "auditpeak/peak.h"
#include "caps.h"
#include "kallsyms.h"

_Static_assert(AP_DEPTH_MATH_BUCKETS == AP_DEPTH_BUCKETS,
	       "probe and API histograms differ");

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"
/* AUDIT_GET / probe read / AUDIT_GET rounds before giving up for now. */
#define VALIDATE_ROUNDS 50
/* Rounds where a still queue disagreed with the candidate: a wrong address. */
#define VALIDATE_MISMATCHES 3

struct bpf_state {
	struct audit_queue_bpf *skel;
	struct bpf_link *links[3];
	int n_links;
	struct bpf_link *cache_learner; /* detached once audit_cache is known */
	struct ap_nl *nl;
	bool validated;
	bool from_kallsyms;
	uint64_t opened_ns;
	int n_cpus; /* per-CPU map values come in this many slots */
};

/* libbpf's last complaint, so errors can quote it; the library never prints. */
static __thread char libbpf_last[256];

static int capture_libbpf(enum libbpf_print_level level, const char *fmt,
			  va_list args)
{
	if (level != LIBBPF_DEBUG) {
		vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, args);
		libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
	}
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What would stop any probe from loading, each with its own message. */
static int preflight(struct ap_error *err)
{
	char mode[128] = "";
	FILE *f;

	if (access(BTF_PATH, R_OK) != 0)
		return ap_fail(err, AP_ERR_UNSUPPORTED, errno,
			       "bpf: the kernel has no BTF (%s missing; needs CONFIG_DEBUG_INFO_BTF)",
			       BTF_PATH);
	if (!ap_have_effective_cap(CAP_SYS_ADMIN) &&
	    !(ap_have_effective_cap(CAP_BPF) && ap_have_effective_cap(CAP_PERFMON)))
		return ap_fail(err, AP_ERR_PERMISSION, EPERM,
			       "bpf: no BPF privileges (needs CAP_BPF and CAP_PERFMON, or root)");
	f = fopen(LOCKDOWN_PATH, "r");
	if (f) {
		if (!fgets(mode, sizeof(mode), f))
			mode[0] = '\0';
		fclose(f);
		/* Confidentiality mode forbids reading kernel memory from BPF. */
		if (strstr(mode, "[confidentiality]"))
			return ap_fail(err, AP_ERR_UNSUPPORTED, EPERM,
				       "bpf: kernel lockdown is in confidentiality mode, which forbids BPF kernel reads");
	}
	return 0;
}

static int find_symbols(struct ap_ksym_lookup *q, struct ap_error *err)
{
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return ap_fail(err, AP_ERR_UNSUPPORTED, errno,
			       "bpf: cannot read /proc/kallsyms: %s",
			       strerror(errno));
	q->function = "audit_log_start";
	q->object = "audit_queue";
	ap_ksym_scan(f, q);
	fclose(f);
	if (q->addresses_hidden)
		return ap_fail(err, AP_ERR_PERMISSION, EPERM,
			       "bpf: /proc/kallsyms hides addresses (kernel.kptr_restrict; run as root)");
	if (q->n_ranges == 0)
		return ap_fail(err, AP_ERR_UNSUPPORTED, ENOENT,
			       "bpf: unsupported kernel: audit_log_start is not in /proc/kallsyms");
	return 0;
}

/*
 * Whether the running kernel's audit_buffer has skb_list (Linux 6.17+):
 * only then can the probe learn the queue's address from a queued skb.
 */
static bool audit_buffer_has_skb_list(void)
{
	struct btf *btf = btf__parse(BTF_PATH, NULL);
	const struct btf_type *t;
	const struct btf_member *m;
	bool found = false;
	int id;

	if (!btf)
		return false;
	id = btf__find_by_name_kind(btf, "audit_buffer", BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	m = t ? btf_members(t) : NULL;
	for (int i = 0; t && i < btf_vlen(t) && !found; i++)
		found = strcmp(btf__name_by_offset(btf, m[i].name_off), "skb_list") == 0;
	btf__free(btf);
	return found;
}

/* Without kallsyms' audit_queue the probe must be able to learn it. */
static int check_queue_source(const struct ap_ksym_lookup *q,
			      struct ap_error *err)
{
	if (q->object_addr || audit_buffer_has_skb_list())
		return 0;
	return ap_fail(err, AP_ERR_UNSUPPORTED, ENOENT,
		       "bpf: unsupported kernel: before Linux 6.17 the probe needs audit_queue's address from /proc/kallsyms, which lists no data symbols here (CONFIG_KALLSYMS_ALL is off)");
}

/* kauditd's pid, 0 if not found (then drains are not sampled). */
static int find_kauditd(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int pid = 0;

	if (!d)
		return 0;
	while (!pid && (e = readdir(d))) {
		char path[300], comm[32] = "";
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && strcmp(comm, "kauditd\n") == 0)
			pid = atoi(e->d_name);
		fclose(f);
	}
	closedir(d);
	return pid;
}

static int load_error(int e, const char *what, struct ap_error *err)
{
	if (e == EPERM || e == EACCES)
		return ap_fail(err, AP_ERR_PERMISSION, e,
			       "bpf: the kernel refused to %s (%s): %s", what,
			       strerror(e), libbpf_last);
	return ap_fail(err, AP_ERR_UNSUPPORTED, e,
		       "bpf: the kernel cannot %s (%s): %s", what, strerror(e),
		       libbpf_last);
}

/*
 * Open and load the skeleton, with the fexit program when @with_fexit.
 * Kernels that refuse BPF trampolines fail the load; the caller retries
 * without.
 */
static int load_probe(struct bpf_state *s, const struct ap_ksym_lookup *q,
		      int kauditd, bool with_fexit, struct ap_error *err)
{
	int rc;

	s->skel = audit_queue_bpf__open();
	if (!s->skel)
		return load_error(errno, "open the probe", err);
	for (int i = 0; i < q->n_ranges; i++) {
		s->skel->rodata->site_start[i] = q->ranges[i].start;
		s->skel->rodata->site_end[i] = q->ranges[i].end;
	}
	s->skel->rodata->kauditd_pid = kauditd;
	bpf_program__set_autoload(s->skel->progs.on_skb_queue_tail, with_fexit);
	bpf_program__set_autoload(s->skel->progs.on_sched_switch, kauditd != 0);
	rc = audit_queue_bpf__load(s->skel);
	if (rc) {
		audit_queue_bpf__destroy(s->skel);
		s->skel = NULL;
		return load_error(-rc, "load the probe", err);
	}
	return 0;
}

static int attach(struct bpf_state *s, struct bpf_program *prog,
		  struct ap_error *err)
{
	struct bpf_link *link = bpf_program__attach(prog);

	if (!link)
		return load_error(errno, "attach the probe", err);
	s->links[s->n_links++] = link;
	return 0;
}

static void detach_all(struct bpf_state *s)
{
	bpf_link__destroy(s->cache_learner);
	s->cache_learner = NULL;
	while (s->n_links > 0)
		bpf_link__destroy(s->links[--s->n_links]);
}

/* Sum each bucket of the per-CPU histogram into @bucket; returns the total. */
static uint64_t read_histogram(struct bpf_state *s, uint64_t bucket[AP_DEPTH_BUCKETS])
{
	int fd = bpf_map__fd(s->skel->maps.depth_hist);
	uint64_t total = 0;

	for (uint32_t i = 0; i < AP_DEPTH_BUCKETS; i++) {
		uint64_t per_cpu[s->n_cpus];

		bucket[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, per_cpu) != 0)
			continue;
		for (int c = 0; c < s->n_cpus; c++)
			bucket[i] += per_cpu[c];
		total += bucket[i];
	}
	return total;
}

/* Sum the per-CPU record sizes into @d. */
static void read_record_bytes(struct bpf_state *s, struct ap_depth_distribution *d)
{
	struct cpu_record_bytes {
		uint64_t bytes;
		uint64_t records;
	} per_cpu[s->n_cpus];
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.record_bytes), &zero,
				per_cpu) != 0)
		return;
	for (int c = 0; c < s->n_cpus; c++) {
		d->record_bytes += per_cpu[c].bytes;
		d->records_sized += per_cpu[c].records;
	}
}

static void clear_histogram(struct bpf_state *s)
{
	int fd = bpf_map__fd(s->skel->maps.depth_hist);
	uint64_t zeros[s->n_cpus];

	memset(zeros, 0, sizeof(zeros));
	for (uint32_t i = 0; i < AP_DEPTH_BUCKETS; i++)
		bpf_map_update_elem(fd, &i, zeros, BPF_ANY);
}

/* Forget a wrong candidate address and everything sampled through it. */
static void forget_candidate(struct bpf_state *s)
{
	struct audit_queue_bpf__bss *b = s->skel->bss;

	__atomic_store_n(&b->queue_addr, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&b->max_depth, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&b->area2, 0, __ATOMIC_SEQ_CST);
	clear_histogram(s);
}

/* Run read_queue() in the kernel: the candidate head's links and qlen. */
static int read_candidate(struct bpf_state *s, struct ap_error *err)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd = bpf_program__fd(s->skel->progs.read_queue);

	if (bpf_prog_test_run_opts(fd, &opts) != 0)
		return load_error(errno, "run the queue check", err);
	return 0;
}

/*
 * 1: validated, 0: not conclusive yet (no candidate, or the queue never
 * kept still), -1: error.  A candidate that disagrees with a still queue
 * is dropped so the probe learns again.
 */
static int validate(struct bpf_state *s, struct ap_error *err)
{
	struct audit_queue_bpf__bss *b = s->skel->bss;
	int mismatches = 0;

	for (int round = 0; round < VALIDATE_ROUNDS; round++) {
		uint64_t addr = __atomic_load_n(&b->queue_addr, __ATOMIC_SEQ_CST);
		struct ap_status before, after;
		uint32_t backlog, qlen;
		bool links_ok;

		if (!addr)
			return 0;
		if (ap_get_status(s->nl, &before, err) < 0 ||
		    read_candidate(s, err) < 0 ||
		    ap_get_status(s->nl, &after, err) < 0)
			return -1;
		backlog = after.value[AP_FIELD_BACKLOG];
		if (before.value[AP_FIELD_BACKLOG] != backlog)
			continue; /* the queue moved: try again */
		qlen = b->check_qlen;
		/* An empty list head points at itself; a non-empty one away. */
		links_ok = b->check_err == 0 &&
			   (qlen == 0 ? b->check_next == addr && b->check_prev == addr :
					b->check_next != addr && b->check_prev != addr &&
					b->check_next && b->check_prev);
		if (links_ok && qlen == backlog)
			return 1;
		if (++mismatches >= VALIDATE_MISMATCHES) {
			if (s->from_kallsyms)
				return ap_fail(err, AP_ERR_UNSUPPORTED, EINVAL,
					       "bpf: audit_queue from /proc/kallsyms does not look like the audit queue (qlen %u, backlog %u)",
					       qlen, backlog);
			forget_candidate(s);
			return 0;
		}
	}
	return 0;
}

/* Whether values may be published: validated, or nothing was ever queued. */
static int ready(struct bpf_state *s, bool *nothing_seen, struct ap_error *err)
{
	uint64_t buckets[AP_DEPTH_BUCKETS];
	uint64_t seen;
	int rc;

	*nothing_seen = false;
	/* Every slab allocation runs the learner: stop it once it is done. */
	if (s->cache_learner && __atomic_load_n(&s->skel->bss->audit_cache,
						 __ATOMIC_SEQ_CST)) {
		bpf_link__destroy(s->cache_learner);
		s->cache_learner = NULL;
	}
	if (s->validated)
		return 0;
	rc = validate(s, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		s->validated = true;
		return 0;
	}
	/* The probe counts enqueues only in its histogram. */
	seen = __atomic_load_n(&s->skel->bss->records_seen, __ATOMIC_SEQ_CST) +
	       read_histogram(s, buckets);
	if (seen == 0) {
		*nothing_seen = true;
		return 0;
	}
	return ap_fail(err, AP_ERR_UNSUPPORTED, EAGAIN,
		       "bpf: %llu audit records seen but the audit queue's address is not validated yet (the queue never kept still); try again",
		       (unsigned long long)seen);
}

static int bpf_read(void *state, const struct ap_status *st, uint32_t *max,
		    struct ap_error *err)
{
	struct bpf_state *s = state;
	bool nothing_seen;

	(void)st;
	if (ready(s, &nothing_seen, err) < 0)
		return -1;
	*max = nothing_seen ? 0 :
			      __atomic_load_n(&s->skel->bss->max_depth,
					      __ATOMIC_SEQ_CST);
	return 0;
}

static int bpf_read_and_clear(void *state, uint32_t *old, struct ap_error *err)
{
	struct bpf_state *s = state;
	bool nothing_seen;

	if (ready(s, &nothing_seen, err) < 0)
		return -1;
	/* The exchange the probe's cmpxchg is atomic against (see the probe). */
	*old = __atomic_exchange_n(&s->skel->bss->max_depth, 0,
				   __ATOMIC_SEQ_CST);
	if (nothing_seen)
		*old = 0;
	return 0;
}

static int bpf_distribution(void *state, struct ap_depth_distribution *d,
			    struct ap_error *err)
{
	struct bpf_state *s = state;
	struct audit_queue_bpf__bss *b = s->skel->bss;
	uint64_t now = monotonic_ns();
	uint64_t last, area2, elapsed;
	bool nothing_seen;

	if (ready(s, &nothing_seen, err) < 0)
		return -1;
	memset(d, 0, sizeof(*d));
	if (nothing_seen)
		return 0;
	d->enqueues = read_histogram(s, d->bucket);
	read_record_bytes(s, d);
	last = __atomic_load_n(&b->last_sample, __ATOMIC_SEQ_CST);
	area2 = __atomic_load_n(&b->area2, __ATOMIC_SEQ_CST);
	/* The depth since the last sample is the last sample's. */
	if (last)
		area2 += ap_twm_area2(last, ap_twm_pack(now, ap_twm_depth(last)));
	elapsed = (now - s->opened_ns) >> AP_TWM_TIME_SHIFT;
	d->time_weighted_mean = elapsed ? (double)area2 / 2.0 / (double)elapsed :
					  (double)ap_twm_depth(last);
	return 0;
}

static void bpf_close(void *state)
{
	struct bpf_state *s = state;

	if (!s)
		return;
	detach_all(s);
	audit_queue_bpf__destroy(s->skel);
	ap_nl_close(s->nl);
	free(s);
}

static const struct ap_peak_ops bpf_ops = {
	.name = "bpf",
	.exact = true,
	.read = bpf_read,
	.read_and_clear = bpf_read_and_clear,
	.distribution = bpf_distribution,
	.close = bpf_close,
};

/* The time-weighted mean starts from a real AUDIT_GET reading at open. */
static void seed_first_sample(struct bpf_state *s, uint32_t backlog)
{
	__u64 none = 0;

	__atomic_compare_exchange_n(&s->skel->bss->last_sample, &none,
				    ap_twm_pack(s->opened_ns, backlog), false,
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Attach the best sampling path: fexit, else the tracepoint. */
static int attach_probe(struct bpf_state *s, const struct ap_ksym_lookup *q,
			int kauditd, bool tracepoint_only, struct ap_peak *p,
			struct ap_error *err)
{
	struct ap_error fexit_err;
	const char *how;

	if (!tracepoint_only && load_probe(s, q, kauditd, true, &fexit_err) == 0 &&
	    attach(s, s->skel->progs.on_skb_queue_tail, &fexit_err) == 0) {
		s->skel->bss->fexit_samples = 1;
		how = "fexit/skb_queue_tail";
	} else {
		detach_all(s);
		audit_queue_bpf__destroy(s->skel);
		if (load_probe(s, q, kauditd, false, err) < 0)
			return -1;
		how = tracepoint_only ?
			      "raw_tp/kmem_cache_free of the audit buffer after the enqueue (fexit not tried)" :
			      "raw_tp/kmem_cache_free of the audit buffer after the enqueue (fexit refused)";
	}
	/* The tracepoint also learns the queue's address when fexit samples. */
	if (attach(s, s->skel->progs.on_ab_free, err) < 0)
		return -1;
	s->cache_learner = bpf_program__attach(s->skel->progs.on_ab_alloc);
	if (!s->cache_learner)
		return load_error(errno, "attach the probe", err);
	if (kauditd && attach(s, s->skel->progs.on_sched_switch, err) < 0)
		return -1;
	snprintf(p->detail, sizeof(p->detail), "%s; audit queue address %s",
		 how, s->from_kallsyms ? "from /proc/kallsyms" :
					 "learned from queued skb links");
	return 0;
}

int ap_peak_bpf_open(struct ap_peak *p, const struct ap_peak_config *cfg,
		     struct ap_error *err)
{
	struct ap_ksym_lookup q = { 0 };
	struct bpf_state *s;
	struct ap_status st;
	int kauditd;

	libbpf_set_print(capture_libbpf);
	if (preflight(err) < 0 || find_symbols(&q, err) < 0 ||
	    check_queue_source(&q, err) < 0)
		return -1;
	kauditd = find_kauditd();
	s = calloc(1, sizeof(*s));
	if (!s)
		return ap_fail(err, AP_ERR_SYSTEM, ENOMEM, "out of memory");
	s->n_cpus = libbpf_num_possible_cpus();
	if (s->n_cpus <= 0) {
		int e = -s->n_cpus;

		free(s);
		return ap_fail(err, AP_ERR_SYSTEM, e,
			       "bpf: cannot count the possible CPUs");
	}
	if (ap_nl_open(&s->nl, err) < 0) {
		free(s);
		return -1;
	}
	ap_nl_set_timeout(s->nl, cfg->timeout_ms);
	/* Fail on audit permissions before touching BPF. */
	if (ap_get_status(s->nl, &st, err) < 0)
		goto fail;
	s->from_kallsyms = q.object_addr != 0;
	if (attach_probe(s, &q, kauditd, cfg->bpf_tracepoint_only, p, err) < 0)
		goto fail;
	s->opened_ns = monotonic_ns();
	if (s->from_kallsyms)
		__atomic_store_n(&s->skel->bss->queue_addr, q.object_addr,
				 __ATOMIC_SEQ_CST);
	seed_first_sample(s, st.value[AP_FIELD_BACKLOG]);
	p->ops = &bpf_ops;
	p->state = s;
	return 0;
fail:
	bpf_close(s);
	return -1;
}
