// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit queue's high-water mark on kernels without backlog_max_depth.
 *
 * Every sample is a real read of audit_queue.qlen, taken right after an
 * enqueue (see below for where), so the maximum never over-reports.
 *
 * Where the sample is taken, best first (userspace attaches one):
 *   fexit/skb_queue_tail  filtered to &audit_queue: right after the
 *                         enqueue, exactly where the kernel patch samples.
 *                         Needs BPF trampolines, which some kernels refuse.
 *   raw_tp/kmem_cache_free of the audit_buffer, which audit_log_end()
 *                         frees right after queueing its skb(s).  The free
 *                         is a tail call (its call_site is audit_log_end's
 *                         caller) and the cache may be merged with others
 *                         (its name is then another cache's), so a free is
 *                         recognised by the cache pointer, learned from the
 *                         allocation in audit_log_start(), plus the freed
 *                         object's shape: an audit_buffer that
 *                         audit_log_end() emptied (see is_spent_audit_buffer).

 * Under-report bound (the one way a sample can miss the true maximum):
 * between skb_queue_tail() and the free, audit_log_end() only wakes
 * kauditd and dequeues its own next skb, a few hundred ns.  If kauditd,
 * on another CPU, dequeues k records inside that window and no later
 * enqueue sees a deeper queue, the maximum reads k lower than the truth.
 * k is the number of records kauditd can send in that window: 0 while it
 * is stalled (the plateau tests are exact), rarely more than 1 otherwise.
 * fexit has no such window.
 *
 * The queue's address comes from /proc/kallsyms (userspace) when the
 * kernel exports data symbols; otherwise it is learned here from the
 * list links of a just-queued skb (its `next` is the list head while it
 * is the tail), and userspace validates it before publishing anything.
 *
 * Also kept: a log2 histogram of depth at enqueue, and the integral of
 * depth over time (trapezoids between consecutive samples) for the
 * time-weighted mean.  kauditd going to sleep is sampled too (without
 * counting as an enqueue): it sleeps when it has drained the queue, and
 * without that sample the mean would hold a burst's depth until the next
 * record.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "auditpeak/depth_math.h"

char LICENSE[] SEC("license") = "GPL";

/* Code ranges of audit_log_start() and its compiler-split parts. */
#define MAX_SITES 4
const volatile __u64 site_start[MAX_SITES];
const volatile __u64 site_end[MAX_SITES];
const volatile __s32 kauditd_pid;

/*
 * Shared with userspace through the mmaped .bss map.  Userspace
 * read-and-clears max_depth with an atomic exchange on the same memory
 * (a locked x86 xchg / arm64 swp), which is atomic against the lock
 * cmpxchg below: a probe update either lands before the exchange (and is
 * returned by it) or after (and is kept), never lost.
 *
 * Grouped by cache line, so that what every slab free in the system reads
 * is never in a line the samples write (false sharing would turn each of
 * those reads into a cross-CPU miss).
 */
#define LINE __attribute__((aligned(64)))

/* Read on every slab free; written once, while learning. */
LINE __u64 audit_cache; /* the kmem_cache audit buffers come from */
__u64 queue_addr;       /* &audit_queue: from kallsyms, or learned */
__u32 fexit_samples;    /* 1: the fexit program samples, tp only learns */

/* Read at every sample; written only on a new maximum or a clear. */
LINE __u32 max_depth;   /* high-water mark since the last clear */

/* Written at every sample. */
LINE __u64 last_sample; /* packed (time, depth), see depth_math.h */
__u64 area2;            /* twice the integral of depth, depth x time units */

/* Rarely written. */
LINE __u64 records_seen; /* audit buffer frees seen before the address was known */
__u64 learned;          /* skbs whose links confirmed queue_addr */
__u64 cas_exhausted;    /* max updates given up after MAX_CAS_TRIES */

/* Depth at enqueue, log2 buckets, per CPU (no shared line, no atomics);
 * the sum over buckets is the number of enqueues sampled. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, AP_DEPTH_MATH_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} depth_hist SEC(".maps");

/*
 * Memory the queued records hold: the sum of skb->truesize over the
 * records whose skb the probe can see (fexit's newsk; ab->skb on 6.17+),
 * per CPU.  advise turns it into bytes per record.
 */
struct record_bytes {
	__u64 bytes;
	__u64 records;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct record_bytes);
} record_bytes SEC(".maps");

/* Filled by read_queue(), which userspace runs to validate queue_addr. */
__u64 check_next;
__u64 check_prev;
__u32 check_qlen;
__s32 check_err;

/*
 * Every failed compare-and-swap means another CPU raised the maximum (or
 * userspace cleared it), so the loop ends within one try per concurrent
 * updater; the bound only satisfies the verifier, and a give-up is counted.
 */
#define MAX_CAS_TRIES 64

static __always_inline void raise_max(__u32 depth)
{
	__u32 cur = *(volatile __u32 *)&max_depth;

	/* Common case, no new maximum: one plain read, like the kernel patch. */
	for (int i = 0; i < MAX_CAS_TRIES; i++) {
		__u32 seen;

		if (depth <= cur)
			return;
		seen = __sync_val_compare_and_swap(&max_depth, cur, depth);
		if (seen == cur)
			return;
		cur = seen;
	}
	__sync_fetch_and_add(&cas_exhausted, 1);
}

/*
 * Each CPU adds an enqueue sample to the global sequence at most once per
 * INTEGRATE_EVERY_NS: the exchange on last_sample is a cache line shared
 * with every CPU and with kauditd's samples, the single most expensive
 * step of the probe, and a trapezoid 10 us wide is plenty for a mean over
 * seconds.  Samples that end a story are never skipped: depth 0, and
 * kauditd going to sleep (the drain).  The maximum and the histogram see
 * every sample regardless.
 */
#define INTEGRATE_EVERY_NS 10000

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_integrated SEC(".maps");

static __always_inline void integrate(__u32 depth, bool always)
{
	__u64 ns = bpf_ktime_get_ns();
	__u64 now, prev;

	if (!always) {
		__u32 zero = 0;
		__u64 *t = bpf_map_lookup_elem(&last_integrated, &zero);

		if (t) {
			if (ns - *t < INTEGRATE_EVERY_NS)
				return;
			*t = ns;
		}
	}
	now = ap_twm_pack(ns, depth);
	prev = __sync_lock_test_and_set(&last_sample, now);
	if (prev)
		__sync_fetch_and_add(&area2, ap_twm_area2(prev, now));
}

/*
 * Typed, read-only view of a kernel address: loads through it are plain
 * instructions guarded by the exception table, cheaper than a
 * bpf_probe_read_kernel() call on the hot path (Linux 6.2+).
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

static __always_inline int read_qlen(__u64 addr, __u32 *qlen)
{
	const struct sk_buff_head *q =
		bpf_rdonly_cast((void *)addr,
				bpf_core_type_id_kernel(struct sk_buff_head));

	*qlen = q->qlen;
	return 0;
}

/*
 * The skb was just queued; kauditd may already have taken and freed it on
 * another CPU, so the read goes through the exception-safe typed view and
 * implausible sizes (a reused object) are dropped.
 */
static __always_inline void count_bytes(__u64 skb)
{
	const struct sk_buff *s;
	struct record_bytes *rb;
	__u32 zero = 0, truesize;

	if (!skb)
		return;
	s = bpf_rdonly_cast((void *)skb, bpf_core_type_id_kernel(struct sk_buff));
	truesize = s->truesize;
	if (truesize < 256 || truesize > (1u << 20))
		return;
	rb = bpf_map_lookup_elem(&record_bytes, &zero);
	if (rb) {
		rb->bytes += truesize;
		rb->records++;
	}
}

static __always_inline void sample_enqueue(__u64 addr, __u64 skb)
{
	__u32 depth;
	__u32 bucket;
	__u64 *count;

	count_bytes(skb);
	if (read_qlen(addr, &depth))
		return;
	raise_max(depth);
	bucket = ap_depth_bucket(depth);
	count = bpf_map_lookup_elem(&depth_hist, &bucket);
	/* Per CPU, and a tracing program is not preempted by itself there. */
	if (count)
		*count += 1;
	integrate(depth, depth == 0);
}

static __always_inline bool from_audit_log_start(__u64 ip)
{
	for (int i = 0; i < MAX_SITES; i++)
		if (ip >= site_start[i] && ip < site_end[i])
			return true;
	return false;
}

/*
 * An audit_buffer that audit_log_end() has emptied.  Linux 6.17+ keeps a
 * list of skbs (skb_list) that it empties: a list pointing at itself, a
 * shape no other object in a merged cache is likely to have.  Before, the
 * buffer held one skb, which audit_log_end() hands to the queue and sets
 * to NULL: a weaker shape (any object starting with a NULL word), so a free
 * from a merged cache can add a sample.  That sample is still a real qlen
 * read, so the maximum never over-reports; only the enqueue count in the
 * histogram can grow.  (fexit, where the kernel allows it, has neither.)
 * The CO-RE check is resolved at load time; the other branch is dead code.
 */
static __always_inline bool is_spent_audit_buffer(const void *buffer)
{
	const struct audit_buffer *ab =
		bpf_rdonly_cast(buffer, bpf_core_type_id_kernel(struct audit_buffer));

	if (bpf_core_field_exists(struct audit_buffer, skb_list)) {
		__u64 list = (__u64)&ab->skb_list;

		return (__u64)ab->skb_list.next == list &&
		       (__u64)ab->skb_list.prev == list;
	}
	return !ab->skb;
}

/*
 * audit_log_end() (6.17+) keeps ab->skb pointing at the last skb it queued.
 * While that skb is the queue's tail, its `next` is the list head and the
 * head's `prev` is the skb; if kauditd already took it, or another CPU
 * queued behind it, the links do not close and we wait for another record.
 * Before 6.17 ab->skb is NULL by now: userspace must supply the address
 * (from /proc/kallsyms) and refuses to start without it.
 */
static __always_inline __u64 learn_queue(const void *buffer)
{
	const struct audit_buffer *ab = buffer;
	struct sk_buff *skb;
	struct sk_buff_head *head;
	struct sk_buff *tail;

	if (!bpf_core_field_exists(struct audit_buffer, skb_list))
		return 0;
	skb = BPF_CORE_READ(ab, skb);
	if (!skb)
		return 0;
	head = (struct sk_buff_head *)BPF_CORE_READ(skb, next);
	if (!head || (void *)head == (void *)skb)
		return 0;
	tail = BPF_CORE_READ(head, prev);
	if (tail != skb)
		return 0;
	__sync_val_compare_and_swap(&queue_addr, 0, (__u64)head);
	if (queue_addr == (__u64)head)
		__sync_fetch_and_add(&learned, 1);
	return queue_addr;
}

/*
 * The slab tracepoints are attached as plain raw tracepoints, arguments as
 * u64 scalars: tp_btf checks each argument's BTF type, and Linux 6.12
 * refuses a `const void *` argument there ("arg1 type UNKNOWN is not a
 * struct": only a bare `void *` is taken as a scalar), which is what
 * kmem_cache_free's object is; 6.18 accepts it.  The object is only
 * read through bpf_rdonly_cast() or BPF_CORE_READ() anyway.
 */
/* Learns audit_cache; userspace detaches it once it has. */
SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(on_ab_alloc, unsigned long call_site, const void *ptr,
	     struct kmem_cache *s)
{
	if (from_audit_log_start(call_site))
		__sync_val_compare_and_swap(&audit_cache, 0, (__u64)s);
	return 0;
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(on_ab_free, unsigned long call_site, const void *ptr,
	     const struct kmem_cache *s)
{
	__u64 addr;

	/* The hot path for every other slab free: one compare. */
	if ((__u64)s != audit_cache || !audit_cache)
		return 0;
	if (!is_spent_audit_buffer(ptr))
		return 0;
	addr = queue_addr;
	if (!addr) {
		__sync_fetch_and_add(&records_seen, 1);
		addr = learn_queue(ptr);
	}
	if (!addr || fexit_samples)
		return 0;
	/*
	 * 6.17+ keeps the last queued skb in ab->skb; before, it is NULL.
	 * A typed read, like is_spent_audit_buffer()'s: no helper call on
	 * the per-record path.
	 */
	sample_enqueue(addr, (__u64)((const struct audit_buffer *)bpf_rdonly_cast(
		ptr, bpf_core_type_id_kernel(struct audit_buffer)))->skb);
	return 0;
}

SEC("fexit/skb_queue_tail")
int BPF_PROG(on_skb_queue_tail, struct sk_buff_head *list,
	     struct sk_buff *newsk)
{
	__u64 addr = queue_addr;

	if (!addr || (__u64)list != addr)
		return 0;
	sample_enqueue(addr, (__u64)newsk);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_sched_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u64 addr;
	__u32 depth;

	if (prev->pid != kauditd_pid)
		return 0;
	addr = queue_addr;
	if (!addr || read_qlen(addr, &depth))
		return 0;
	raise_max(depth);
	integrate(depth, true);
	return 0;
}

/* Run by userspace (BPF_PROG_TEST_RUN) to look at queue_addr. */
SEC("raw_tp")
int read_queue(void *ctx)
{
	const struct sk_buff_head *q = (const void *)queue_addr;
	struct sk_buff *next, *prev;
	__u32 qlen;

	check_err = bpf_core_read(&next, sizeof(next), &q->next);
	if (!check_err)
		check_err = bpf_core_read(&prev, sizeof(prev), &q->prev);
	if (!check_err)
		check_err = bpf_core_read(&qlen, sizeof(qlen), &q->qlen);
	if (check_err)
		return 0;
	check_next = (__u64)next;
	check_prev = (__u64)prev;
	check_qlen = qlen;
	return 0;
}
