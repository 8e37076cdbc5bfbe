// SPDX-License-Identifier: GPL-2.0-only
/*
 * The audit queue's high-water mark on kernels without backlog_max_depth.
 *
 * Every sample is a real read of audit_queue.qlen, taken right after an
 * enqueue, so the maximum never over-reports.  The loader attaches one
 * path, chosen from the running kernel's BTF (lib/peak_bpf.c):
 *
 *   fexit/audit_log_end      audit_log_end() is where every record is
 *                            queued (the only skb_queue_tail() on
 *                            audit_queue); it runs once per record, so
 *                            nothing else on the machine pays.  Needs BPF
 *                            trampolines (x86 since 5.5, arm64 since 6.0).
 *   kretprobe/audit_log_end  the same point where trampolines are missing,
 *                            or where GCC cloned the function: its clones
 *                            ("audit_log_end.part.0" on Linux 7.3, which
 *                            callers in audit.c call directly) are in
 *                            kallsyms, not in BTF, so fexit cannot reach
 *                            them; the loader attaches to every entry
 *                            point kallsyms shows (lib/kallsyms.c).
 *   raw_tp/kmem_cache_free   of the spent audit_buffer, which
 *                            audit_log_end() frees right after queueing:
 *                            only where neither of the above attaches, and
 *                            only on Linux 6.17+, whose audit_buffer has a
 *                            shape no other object in a merged slab cache
 *                            is likely to have (see is_spent_audit_buffer).
 *                            Runs on every slab free: the costly path.
 *
 * Under-report bound (the one way a sample can miss the true maximum):
 * between skb_queue_tail() and the sample, audit_log_end() only wakes
 * kauditd and frees the buffer, a few hundred ns.  If kauditd, on another
 * CPU, dequeues k records inside that window and no later enqueue sees a
 * deeper queue, the maximum reads k lower than the truth.  k is 0 while
 * kauditd is stalled (the plateau tests are exact).  Held against the
 * patched kernel's field (read between skb_queue_tail() and the wake-up)
 * with a live reader, 9 of 198 one-second windows read 1 record low.
 * Why it is not detected per window: no attach point lies between the
 * enqueue and the wake-up, and telling whether kauditd dequeued inside
 * the window needs a stamp taken before the enqueue (a second program per
 * record, fentry beside the fexit, about doubling the probe's cost) plus a
 * per-dequeue count (a program on kauditd's every record).  Marking every
 * sample taken while kauditd runs as a lower bound instead would mark
 * nearly every window of a live queue, whose records each wake kauditd.
 *
 * The maximum is kept per CPU (struct ap_probe_cpu): a plain read and
 * store, no BPF atomics (Linux 5.10 has none), and no cache line shared
 * between CPUs.  On 5.11+ a tracing program never nests with itself on a
 * CPU; on 5.10 an audit record logged from an interrupt that lands inside
 * the few instructions of the update on the same CPU can overwrite it.
 *
 * Also kept: the count of records queued.  Three extras cost every record
 * more (bench/README.md, "eBPF probe cost"), so the loader turns them on
 * only when asked: a log2 histogram of depth at enqueue (keep_histogram,
 * which then does the counting), the skb truesize of
 * the records sized (keep_sizes: the queue's tail right after the enqueue,
 * the record just queued unless another CPU queued behind it), and, where
 * the kernel has BPF atomics (5.12+), the integral of depth over time for
 * the time-weighted mean (the programs with a mean; the "_nomean" twins
 * without).  With the mean, and always on the kretprobe path (a second
 * reading where a return probe can miss a call), kauditd's drains are
 * sampled too (fexit on kauditd_send_queue, else kauditd going to sleep)
 * without counting as enqueues: without them the mean would hold a
 * burst's depth until the next record.
 */
#include "kernel_types.h"

#include <linux/bpf.h>
#include <asm/ptrace.h> /* struct pt_regs, the kprobe's context (UAPI layout) */
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "audit_queue.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u64 site_start[AP_PROBE_MAX_SITES];
const volatile __u64 site_end[AP_PROBE_MAX_SITES];
const volatile __s32 kauditd_pid;
/* Constants, so the verifier drops the code they turn off. */
const volatile bool keep_sizes; /* size each record queued */
const volatile bool keep_mean;  /* the tracepoint path's mean (6.17+: atomics) */
const volatile bool keep_histogram; /* else only count the enqueues */

#define LINE __attribute__((aligned(64)))

/* Read at every sample (and on the tracepoint path at every slab free). */
LINE __u64 audit_cache; /* the kmem_cache audit buffers come from */
__u64 queue_addr;       /* &audit_queue: from kallsyms, or learned */
__u32 enqueue_fired;    /* the per-record program has sampled a record */

/* Written at every sample. */
LINE __u64 last_sample; /* packed (time, depth), see depth_math.h */
__u64 area2;            /* twice the integral of depth, depth x time units */

/* Rarely written. */
LINE __u64 records_seen; /* audit buffer frees seen before the address was known */
__u64 learned;          /* skbs whose links confirmed queue_addr */
__u64 read_errors;      /* qlen reads that faulted: missed records */
/* kauditd passes that found records queued while the per-record program
 * had never fired, after one had found the queue empty (records queued
 * before the probe attached, such as the kernel's own records of loading
 * it, are not misses); userspace counts them as misses while that lasts. */
__u64 unsampled_drains;
__u32 drained_empty;

/* One slot per possible CPU; the loader sets max_entries and mmaps it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ap_probe_cpu);
} cpu_stats SEC(".maps");

/* Filled by read_queue(), which userspace runs to validate queue_addr. */
__u64 check_next;
__u64 check_prev;
__u32 check_qlen;
__s32 check_err;

static __always_inline struct ap_probe_cpu *this_cpu(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&cpu_stats, &cpu);
}

static __always_inline void raise_max(struct ap_probe_cpu *m, __u32 depth)
{
	if (depth > *(volatile __u32 *)&m->max)
		*(volatile __u32 *)&m->max = depth;
}

/*
 * Each CPU adds an enqueue sample to the global sequence at most once per
 * INTEGRATE_EVERY_NS: the exchange on last_sample is a cache line shared
 * with every CPU, the most expensive step of the probe, and a trapezoid
 * 10 us wide is plenty for a mean over seconds.  Samples that end a story
 * are never skipped: depth 0, and kauditd's drains.
 */
#define INTEGRATE_EVERY_NS 10000

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_integrated SEC(".maps");

/*
 * @mean is a constant in every program: the programs for kernels without
 * BPF atomics (Linux 5.10, whose verifier refuses an xchg anywhere in a
 * program, reachable or not) are the same code without this step.
 */
static __always_inline void integrate(__u32 depth, bool always, bool mean)
{
	__u64 ns, now, prev;

	if (!mean)
		return;
	ns = bpf_ktime_get_ns();
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
 * The queue's length at @addr.  A typed load through bpf_rdonly_cast()
 * (6.2+) would save about 40 guest instructions a record, but a kfunc
 * extern makes libbpf walk the kernel's module BTF objects at load, which
 * needs CAP_SYS_ADMIN: the shipped unit's capability set has not got it.
 */
static __always_inline int read_qlen(__u64 addr, __u32 *qlen)
{
	const struct sk_buff_head *q = (const void *)addr;
	int err = bpf_core_read(qlen, sizeof(*qlen), &q->qlen);

	if (err)
		__sync_fetch_and_add(&read_errors, 1);
	return err;
}

/*
 * Size @skb, a queued record; kauditd may already have taken and freed it
 * on another CPU (the read is exception-safe), so implausible sizes (a
 * reused object) are dropped.
 */
static __always_inline void count_bytes(struct ap_probe_cpu *m,
					const struct sk_buff *skb)
{
	__u32 truesize;

	if (!skb || bpf_core_read(&truesize, sizeof(truesize), &skb->truesize))
		return;
	if (truesize < 256 || truesize > (1u << 20))
		return;
	m->record_bytes += truesize;
	m->records_sized++;
}

static __always_inline void count_enqueue(struct ap_probe_cpu *m, __u32 depth)
{
	__u32 bucket;

	/* Per CPU, and a tracing program is not preempted by itself there. */
	if (!keep_histogram) {
		m->enqueues += 1;
		return;
	}
	bucket = ap_depth_bucket(depth);
	if (bucket < AP_DEPTH_MATH_BUCKETS)
		m->bucket[bucket] += 1;
}

/* A record was just queued on audit_queue: sample, count and size it. */
static __always_inline void sample_enqueue(__u64 addr, const struct sk_buff *skb,
					   bool mean)
{
	struct ap_probe_cpu *m = this_cpu();
	__u32 depth;

	if (!m || read_qlen(addr, &depth))
		return;
	if (!enqueue_fired)
		enqueue_fired = 1;
	raise_max(m, depth);
	count_enqueue(m, depth);
	integrate(depth, depth == 0, mean);
	if (!keep_sizes)
		return;
	if (!skb && depth) {
		const struct sk_buff_head *q = (const void *)addr;

		/* The tail: the record just queued, unless another CPU queued
		 * behind it already (then that one is sized instead). */
		if (bpf_core_read(&skb, sizeof(skb), &q->prev))
			return;
	}
	count_bytes(m, skb);
}

/* kauditd sent (part of) the queue: a sample that is not an enqueue. */
static __always_inline void sample_drain(bool mean)
{
	struct ap_probe_cpu *m = this_cpu();
	__u64 addr = queue_addr;
	__u32 depth;

	if (!m || !addr || read_qlen(addr, &depth))
		return;
	if (!depth) {
		if (!drained_empty)
			drained_empty = 1;
	} else if (drained_empty && !enqueue_fired) {
		__sync_fetch_and_add(&unsampled_drains, 1);
	}
	raise_max(m, depth);
	integrate(depth, true, mean);
}

/*
 * audit_log_end(NULL) is common (audit_log() passes on whatever
 * audit_log_start() returned) and queues nothing: not an enqueue.  When
 * the rate limit drops the record, the sample is still a real read, only
 * the enqueue count gains one.
 */
static __always_inline int log_end(bool queued, bool mean)
{
	__u64 addr = queue_addr;

	if (queued && addr)
		sample_enqueue(addr, NULL, mean);
	return 0;
}

/* Each program twice: with the time-weighted mean, and "_nomean" for
 * kernels without BPF atomics (the loader loads one of the two). */
SEC("fexit/audit_log_end")
int BPF_PROG(on_log_end, void *ab) { return log_end(ab != NULL, true); }
SEC("fexit/audit_log_end")
int BPF_PROG(on_log_end_nomean, void *ab) { return log_end(ab != NULL, false); }

/*
 * A return probe cannot see the argument: the entry probe notes, per
 * task, the calls that have a buffer, and the return probe samples only
 * those (a task is inside audit_log_end() once at a time).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} with_buffer SEC(".maps");

SEC("kprobe/audit_log_end")
int BPF_KPROBE(on_log_end_entry, void *ab)
{
	__u64 task = bpf_get_current_pid_tgid();
	__u8 yes = 1;

	/* A full map loses the sample: read_errors makes it a miss. */
	if (ab && bpf_map_update_elem(&with_buffer, &task, &yes, BPF_ANY))
		__sync_fetch_and_add(&read_errors, 1);
	return 0;
}

static __always_inline int log_end_ret(bool mean)
{
	__u64 task = bpf_get_current_pid_tgid();

	if (!bpf_map_lookup_elem(&with_buffer, &task))
		return 0;
	bpf_map_delete_elem(&with_buffer, &task);
	return log_end(true, mean);
}

SEC("kretprobe/audit_log_end")
int on_log_end_kret(void *ctx) { return log_end_ret(true); }
SEC("kretprobe/audit_log_end")
int on_log_end_kret_nomean(void *ctx) { return log_end_ret(false); }

/*
 * A compiler clone ("audit_log_end.part.0"): GCC split the body off the
 * NULL test, which stays in audit_log_end() and in callers that inlined
 * it, so the clone runs only with a buffer.  Attached by name.
 */
SEC("kretprobe")
int on_log_end_clone_kret(void *ctx) { return log_end(true, true); }
SEC("kretprobe")
int on_log_end_clone_kret_nomean(void *ctx) { return log_end(true, false); }

SEC("fexit/kauditd_send_queue")
int BPF_PROG(on_send_queue) { sample_drain(true); return 0; }
SEC("fexit/kauditd_send_queue")
int BPF_PROG(on_send_queue_nomean) { sample_drain(false); return 0; }

/* Attached by name: kauditd_send_queue or its compiler clones. */
SEC("kretprobe")
int on_send_queue_kret(void *ctx) { sample_drain(true); return 0; }
SEC("kretprobe")
int on_send_queue_kret_nomean(void *ctx) { sample_drain(false); return 0; }

/* The fallback drain sample: kauditd sleeps once it has emptied the queue. */
static __always_inline int kauditd_switch(const struct task_struct *prev,
					  bool mean)
{
	if (prev->pid == kauditd_pid)
		sample_drain(mean);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(on_sched_switch, bool preempt, struct task_struct *prev)
{
	return kauditd_switch(prev, true);
}
SEC("tp_btf/sched_switch")
int BPF_PROG(on_sched_switch_nomean, bool preempt, struct task_struct *prev)
{
	return kauditd_switch(prev, false);
}

/* ---- the tracepoint path (Linux 6.17+ only, see the top of the file) */

static __always_inline bool from_audit_log_start(__u64 ip)
{
	for (int i = 0; i < AP_PROBE_MAX_SITES; i++)
		if (ip >= site_start[i] && ip < site_end[i])
			return true;
	return false;
}

/*
 * An audit_buffer that audit_log_end() has emptied: Linux 6.17+ keeps a
 * list of skbs (skb_list) that it empties, and ab->skb still points at the
 * last skb it queued.  An empty sk_buff_head at that offset, pointing at
 * itself, behind a non-NULL word: a shape no other object in the merged
 * cache is likely to have (on Debian's kernels the cache is shared with
 * vmap_area, AppArmor's file blobs and others).  The loader refuses this
 * path on kernels without skb_list, where a spent buffer is only "an
 * object starting with a NULL word"; the branch is then dead code.
 */
static __always_inline bool is_spent_audit_buffer(const struct audit_buffer *ab,
						  struct sk_buff **skb)
{
	struct sk_buff_head list;

	if (!bpf_core_field_exists(struct audit_buffer, skb_list))
		return false;
	if (bpf_core_read(&list, sizeof(list), &ab->skb_list) ||
	    bpf_core_read(skb, sizeof(*skb), &ab->skb))
		return false;
	return *skb && list.qlen == 0 &&
	       (__u64)list.next == (__u64)&ab->skb_list &&
	       (__u64)list.prev == (__u64)&ab->skb_list;
}

/*
 * While the buffer's last skb is the queue's tail, its `next` is the list
 * head and the head's `prev` is the skb; if kauditd already took it, or
 * another CPU queued behind it, the links do not close and we wait for
 * another record.
 */
static __always_inline __u64 learn_queue(struct sk_buff *skb)
{
	struct sk_buff_head *head;
	struct sk_buff *tail;

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
 * Attached as plain raw tracepoints, arguments as u64 scalars (Linux 6.12
 * refuses tp_btf on kmem_cache_free's `const void *` argument).  The
 * loader checks the third argument is the kmem_cache from the kernel's
 * BTF before it attaches these (5.12-6.0 pass the cache's name there).
 */
/* Learns audit_cache; the loader detaches it once it has. */
SEC("raw_tp/kmem_cache_alloc")
int BPF_PROG(on_ab_alloc, unsigned long call_site, const void *ptr,
	     void *s)
{
	/* Learned: only a compare until the loader detaches this. */
	if (!audit_cache && from_audit_log_start(call_site))
		__sync_val_compare_and_swap(&audit_cache, 0, (__u64)s);
	return 0;
}

SEC("raw_tp/kmem_cache_free")
int BPF_PROG(on_ab_free, unsigned long call_site, const void *ptr, void *s)
{
	struct sk_buff *skb;
	__u64 addr;

	/* The hot path for every other slab free: one compare. */
	if ((__u64)s != audit_cache || !audit_cache)
		return 0;
	if (!is_spent_audit_buffer(ptr, &skb))
		return 0;
	addr = queue_addr;
	if (!addr) {
		__sync_fetch_and_add(&records_seen, 1);
		addr = learn_queue(skb);
	}
	/* Linux 6.17+ only, which has BPF atomics: the mean if asked. */
	if (addr)
		sample_enqueue(addr, skb, keep_mean);
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
