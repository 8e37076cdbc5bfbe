// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bpf backend: an eBPF probe on the audit enqueue path of a kernel
 * without backlog_max_depth (the probe itself is bpf/audit_queue.bpf.c,
 * which explains what each path samples and when).
 *
 * The attach path is chosen from what the running kernel's BTF, kallsyms
 * and sysfs say it has, best first: fexit on audit_log_end, kretprobe on
 * it (on every entry point kallsyms shows: where GCC cloned the function,
 * fexit, which needs BTF, cannot reach the clones' callers), the slab
 * tracepoint.  A path the kernel lacks is not tried; a path
 * it has but refuses (trampolines forbidden) falls to the next; a path
 * that could not be exact here (the tracepoint before Linux 6.17, or
 * with kmem_cache_free's third argument not the cache) is refused, with
 * the reason, rather than published.
 *
 * The probe only sees what happens while it is attached: its maximum is
 * "since this backend was opened (or last cleared)", never since boot.
 * Nothing is published until the audit queue's address is validated: a
 * real, consistent sk_buff_head whose qlen equals AUDIT_GET's backlog
 * while the queue is still.
 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "audit_queue.h"
#include "audit_queue.skel.h"
#include "auditpeak/control.h"
#include "auditpeak/peak.h"
#include "caps.h"
#include "kallsyms.h"
#include "kernel_btf.h"

_Static_assert(AP_DEPTH_MATH_BUCKETS == AP_DEPTH_BUCKETS,
	       "probe and API histograms differ");
_Static_assert(sizeof(struct ap_probe_cpu) % 64 == 0,
	       "each CPU's slot starts on a cache line of its own");

#define BTF_PATH "/sys/kernel/btf/vmlinux"
#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"
#define KPROBE_PMU "/sys/bus/event_source/devices/kprobe/type"
/* AUDIT_GET / probe read / AUDIT_GET rounds before giving up for now. */
#define VALIDATE_ROUNDS 50
/* At open, while privileges are held: tries, with a pause doubling from
 * 10 ms (2.5 s in all), before leaving it to the polls. */
#define VALIDATE_OPEN_TRIES 8
/* Rounds where a still queue disagreed with the candidate: a wrong address. */
#define VALIDATE_MISMATCHES 3

/* What the running kernel offers the probe, read before loading anything. */
struct kernel_facts {
	bool log_end_in_btf;     /* audit_log_end: a fexit target */
	bool send_queue_in_btf;  /* kauditd_send_queue: the drain sample */
	bool has_skb_list;       /* audit_buffer.skb_list (6.17+) */
	bool free_tp_has_cache;  /* kmem_cache_free's 3rd argument is the cache */
	bool alloc_tp_has_cache; /* kmem_cache_alloc's 3rd argument is the cache */
	bool has_kprobes;        /* the kprobe PMU (CONFIG_KPROBE_EVENTS) */
	bool has_atomics;        /* BPF xchg (5.12+): the time-weighted mean */
};

/* Links: per-record entry and return probes, drains, kauditd's sleep. */
#define MAX_LINKS (3 * AP_KSYM_MAX_ENTRIES + 1)

struct bpf_state {
	struct audit_queue_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	int n_links;
	/* The programs that run once per record (audit_log_end), whose
	 * skipped runs are unsampled records; none on the tracepoint path,
	 * which runs for every slab free and whose skipped runs are mostly
	 * other frees. */
	struct bpf_program *per_record[3];
	/* links[0 .. n_record_links): the per-record kprobes' (kretprobe
	 * path), whose missed runs the kernel counts per link. */
	int n_record_links;
	struct bpf_link *cache_learner; /* detached once audit_cache is known */
	struct ap_probe_cpu *cpu; /* the probe's per-CPU slots, mmaped */
	size_t cpu_len;
	struct ap_nl *nl;
	bool validated;
	bool from_kallsyms;
	unsigned int asked;  /* AP_BPF_EXTRA_*: what the caller wants kept */
	unsigned int extras; /* AP_BPF_EXTRA_*: what the probe keeps */
	uint64_t opened_ns;
	int n_cpus; /* per-CPU map values come in this many slots */
};

/*
 * What libbpf said while loading, so errors quote it (the library never
 * prints): its first complaint (which program, which error), and the last
 * line of a verifier log (why), which are what a user needs; the final
 * "failed to load BPF skeleton: -22" says neither.
 */
static __thread char libbpf_first[160];
static __thread char libbpf_verifier[200];

static int capture_libbpf(enum libbpf_print_level level, const char *fmt,
			  va_list args)
{
	char *msg, *log_end, *last;

	if (level == LIBBPF_DEBUG || vasprintf(&msg, fmt, args) < 0)
		return 0;
	log_end = strstr(msg, "-- END PROG LOAD LOG --");
	if (log_end && strstr(msg, "-- BEGIN PROG LOAD LOG --")) {
		/*
		 * The verifier's log, in one message: its last line says why,
		 * before the statistics ("processed N insns ...", "stack
		 * depth", "verification time") that follow it.
		 */
		*log_end = '\0';
		for (;;) {
			while (log_end > msg && (log_end[-1] == '\n' || log_end[-1] == ' '))
				*--log_end = '\0';
			last = strrchr(msg, '\n');
			last = last ? last + 1 : msg;
			if (last == msg || (strncmp(last, "processed ", 10) != 0 &&
					    strncmp(last, "stack depth", 11) != 0 &&
					    strncmp(last, "verification time", 17) != 0))
				break;
			log_end = last;
			*log_end = '\0';
		}
		/* An empty log leaves only libbpf's own header: nothing to quote. */
		if (!strstr(last, "-- BEGIN PROG LOAD LOG --"))
			snprintf(libbpf_verifier, sizeof(libbpf_verifier),
				 "%.199s", last);
	} else if (!libbpf_first[0]) {
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(libbpf_first, sizeof(libbpf_first), "%.159s",
			 strncmp(msg, "libbpf: ", 8) == 0 ? msg + 8 : msg);
	}
	free(msg);
	return 0;
}

static void libbpf_said_reset(void)
{
	libbpf_first[0] = libbpf_verifier[0] = '\0';
}

/* "first complaint (verifier: last line)", or strerror if libbpf was silent. */
static const char *libbpf_said(int e, char *buf, size_t len)
{
	if (!libbpf_first[0])
		snprintf(buf, len, "%s", strerror(e));
	else if (libbpf_verifier[0])
		snprintf(buf, len, "%s (verifier: %s)", libbpf_first,
			 libbpf_verifier);
	else
		snprintf(buf, len, "%s", libbpf_first);
	return buf;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	/* bpf_ktime_get_ns() is CLOCK_MONOTONIC. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *ap_peak_bpf_absent(void)
{
	return NULL;
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
	q->attach[0] = "audit_log_end";
	q->attach[1] = "kauditd_send_queue";
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
 * BPF atomics (xchg, cmpxchg; Linux 5.12+): asked of the kernel's verifier
 * with the smallest program that uses one, never inferred from a version.
 */
static bool kernel_has_bpf_atomics(void)
{
	const struct bpf_insn prog[] = {
		/* *(u64 *)(r10 - 8) = 0; r1 = xchg(r10 - 8, r1); r0 = 0 */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1 },
		{ .code = BPF_STX | BPF_DW | BPF_MEM, .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1, .off = -8 },
		{ .code = BPF_STX | BPF_DW | BPF_ATOMIC, .dst_reg = BPF_REG_10,
		  .src_reg = BPF_REG_1, .off = -8, .imm = BPF_XCHG },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, NULL, "GPL", prog,
			       sizeof(prog) / sizeof(prog[0]), NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int read_kernel_facts(struct kernel_facts *k, struct ap_error *err)
{
	struct btf *btf = btf__parse(BTF_PATH, NULL);

	if (!btf)
		return ap_fail(err, AP_ERR_UNSUPPORTED, errno,
			       "bpf: cannot parse the kernel's BTF (%s): %s",
			       BTF_PATH, strerror(errno));
	k->log_end_in_btf =
		btf__find_by_name_kind(btf, "audit_log_end", BTF_KIND_FUNC) > 0;
	k->send_queue_in_btf =
		btf__find_by_name_kind(btf, "kauditd_send_queue", BTF_KIND_FUNC) > 0;
	k->has_skb_list = ap_btf_struct_has_member(btf, "audit_buffer", "skb_list");
	k->free_tp_has_cache = ap_btf_tracepoint_third_is_cache(btf, "kmem_cache_free");
	k->alloc_tp_has_cache = ap_btf_tracepoint_third_is_cache(btf, "kmem_cache_alloc");
	btf__free(btf);
	k->has_kprobes = access(KPROBE_PMU, R_OK) == 0;
	k->has_atomics = kernel_has_bpf_atomics();
	return 0;
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
	char said[400];

	libbpf_said(e, said, sizeof(said));
	if (e == EPERM || e == EACCES)
		return ap_fail(err, AP_ERR_PERMISSION, e,
			       "bpf: the kernel refused to %s: %s", what, said);
	return ap_fail(err, AP_ERR_UNSUPPORTED, e,
		       "bpf: the kernel cannot %s: %s", what, said);
}

/* The programs one attach path runs; NULL: none. */
struct path_programs {
	struct bpf_program *enqueue;  /* samples each queued record */
	struct bpf_program *enqueue_entry; /* kretprobe: notes calls with a buffer */
	struct bpf_program *enqueue_clone; /* kretprobe on a clone of audit_log_end */
	struct bpf_program *learner;  /* tracepoint path: learns the cache */
	struct bpf_program *drain;    /* kauditd's send loop, where it attaches */
	struct bpf_program *sleep;    /* the drain fallback: kauditd sleeping */
};

/* Whether audit_log_end itself (not only clones) is an entry point. */
static bool log_end_itself(const struct ap_ksym_entries *e)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->name[i], "audit_log_end") == 0)
			return true;
	return false;
}

/*
 * Drains are sampled for the mean, and on the kretprobe path always: the
 * maximum is at an enqueue, but a return probe can miss a call (out of
 * instances before Linux 6.7 counts it), and a drain sample is another
 * real reading of the queue.  Debian 7.3's soak published one window
 * exact below the records held in it without them (720 for 777), none in
 * 1000 with them.
 */
static bool samples_drains(enum ap_bpf_path path, bool mean)
{
	return mean || path == AP_BPF_PATH_KPROBE;
}

/*
 * Each program comes twice in the object, with and without the
 * time-weighted mean (which needs BPF atomics); @mean picks.
 */
static struct path_programs path_programs(struct audit_queue_bpf *skel,
					  enum ap_bpf_path path,
					  const struct ap_ksym_lookup *q,
					  const struct kernel_facts *k, int kauditd,
					  bool mean)
{
	__typeof__(skel->progs) *p = &skel->progs;
	struct path_programs pp = {
		.sleep = !kauditd ? NULL : mean ? p->on_sched_switch :
						  p->on_sched_switch_nomean,
	};

	switch (path) {
	case AP_BPF_PATH_FEXIT:
		pp.enqueue = mean ? p->on_log_end : p->on_log_end_nomean;
		/* fexit reaches kauditd_send_queue, not a clone of it */
		if (k->send_queue_in_btf && !q->entries[1].cloned)
			pp.drain = mean ? p->on_send_queue : p->on_send_queue_nomean;
		else if (k->has_kprobes && q->entries[1].n && !q->entries[1].truncated)
			pp.drain = mean ? p->on_send_queue_kret :
					  p->on_send_queue_kret_nomean;
		break;
	case AP_BPF_PATH_KPROBE:
		if (log_end_itself(&q->entries[0])) {
			pp.enqueue = mean ? p->on_log_end_kret :
					    p->on_log_end_kret_nomean;
			pp.enqueue_entry = p->on_log_end_entry;
		}
		if (q->entries[0].cloned)
			pp.enqueue_clone = mean ? p->on_log_end_clone_kret :
						  p->on_log_end_clone_kret_nomean;
		if (q->entries[1].n && !q->entries[1].truncated)
			pp.drain = mean ? p->on_send_queue_kret :
					  p->on_send_queue_kret_nomean;
		break;
	default:
		/* Linux 6.17+ only (path_absent()), which has atomics. */
		pp.enqueue = p->on_ab_free;
		pp.learner = p->on_ab_alloc;
		break;
	}
	if (!samples_drains(path, mean))
		pp.drain = pp.sleep = NULL;
	return pp;
}

/* Load only @pp's programs (and the queue check, run by userspace). */
static void choose_programs(struct audit_queue_bpf *skel,
			    const struct path_programs *pp)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.read_queue ||
					  prog == pp->enqueue || prog == pp->learner ||
					  prog == pp->enqueue_entry ||
					  prog == pp->enqueue_clone ||
					  prog == pp->drain || prog == pp->sleep);
}

static int load_probe(struct bpf_state *s, const struct ap_ksym_lookup *q,
		      const struct kernel_facts *k, int kauditd,
		      enum ap_bpf_path path, struct path_programs *pp,
		      struct ap_error *err)
{
	bool mean = k->has_atomics && (s->asked & AP_BPF_EXTRA_MEAN);
	int rc;

	libbpf_said_reset();
	s->skel = audit_queue_bpf__open();
	if (!s->skel)
		return load_error(errno, "open the probe", err);
	for (int i = 0; i < q->n_ranges; i++) {
		s->skel->rodata->site_start[i] = q->ranges[i].start;
		s->skel->rodata->site_end[i] = q->ranges[i].end;
	}
	s->skel->rodata->kauditd_pid = kauditd;
	s->skel->rodata->keep_sizes = s->asked & AP_BPF_EXTRA_SIZES;
	s->skel->rodata->keep_mean = mean;
	s->skel->rodata->keep_histogram = s->asked & AP_BPF_EXTRA_HISTOGRAM;
	*pp = path_programs(s->skel, path, q, k, kauditd, mean);
	choose_programs(s->skel, pp);
	rc = bpf_map__set_max_entries(s->skel->maps.cpu_stats, s->n_cpus);
	if (!rc)
		rc = audit_queue_bpf__load(s->skel);
	if (rc) {
		audit_queue_bpf__destroy(s->skel);
		s->skel = NULL;
		return load_error(-rc, "load the probe", err);
	}
	s->cpu_len = (size_t)s->n_cpus * sizeof(struct ap_probe_cpu);
	s->cpu = mmap(NULL, s->cpu_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      bpf_map__fd(s->skel->maps.cpu_stats), 0);
	if (s->cpu == MAP_FAILED) {
		int e = errno;

		s->cpu = NULL;
		audit_queue_bpf__destroy(s->skel);
		s->skel = NULL;
		return ap_fail(err, AP_ERR_SYSTEM, e,
			       "bpf: cannot map the probe's maxima: %s",
			       strerror(e));
	}
	s->extras = (s->asked & (AP_BPF_EXTRA_SIZES | AP_BPF_EXTRA_HISTOGRAM)) |
		    (mean ? AP_BPF_EXTRA_MEAN : 0);
	return 0;
}

/* Attach @prog where its section says, or, with @function, as a kprobe
 * (@ret: a return probe) on that symbol, clones included. */
static int attach(struct bpf_state *s, struct bpf_program *prog,
		  const char *function, bool ret, struct ap_error *err)
{
	struct bpf_link *link;

	if (s->n_links == MAX_LINKS)
		return ap_fail(err, AP_ERR_SYSTEM, E2BIG,
			       "bpf: more probe links than the loader keeps");
	libbpf_said_reset();
	link = function ? bpf_program__attach_kprobe(prog, ret, function) :
			  bpf_program__attach(prog);
	if (!link)
		return load_error(errno, "attach the probe", err);
	s->links[s->n_links++] = link;
	return 0;
}

/* A return probe (and for audit_log_end itself, the entry probe that
 * tells it the call has a buffer) on each entry point of audit_log_end. */
static int attach_per_record_kprobes(struct bpf_state *s,
				     const struct path_programs *pp,
				     const struct ap_ksym_entries *e,
				     struct ap_error *err)
{
	for (int i = 0; i < e->n; i++) {
		bool itself = strcmp(e->name[i], "audit_log_end") == 0;

		if (itself && (attach(s, pp->enqueue_entry, e->name[i], false, err) < 0 ||
			       attach(s, pp->enqueue, e->name[i], true, err) < 0))
			return -1;
		if (!itself && attach(s, pp->enqueue_clone, e->name[i], true, err) < 0)
			return -1;
	}
	return 0;
}

/* The drain's return probe on each entry point of kauditd_send_queue. */
static int attach_drain_kprobes(struct bpf_state *s, struct bpf_program *drain,
				const struct ap_ksym_entries *e,
				struct ap_error *err)
{
	for (int i = 0; i < e->n; i++)
		if (attach(s, drain, e->name[i], true, err) < 0)
			return -1;
	return 0;
}

/* Detach and unload: back to the state before load_probe(). */
static void unload(struct bpf_state *s)
{
	bpf_link__destroy(s->cache_learner);
	s->cache_learner = NULL;
	while (s->n_links > 0)
		bpf_link__destroy(s->links[--s->n_links]);
	s->n_record_links = 0;
	if (s->cpu)
		munmap(s->cpu, s->cpu_len);
	s->cpu = NULL;
	audit_queue_bpf__destroy(s->skel);
	s->skel = NULL;
}

/*
 * Sum each bucket of the per-CPU histogram into @bucket; returns the
 * enqueues counted, in the histogram or (without it) on their own.
 */
static uint64_t read_histogram(struct bpf_state *s, uint64_t bucket[AP_DEPTH_BUCKETS])
{
	uint64_t total = 0;

	for (int c = 0; c < s->n_cpus; c++)
		total += __atomic_load_n(&s->cpu[c].enqueues, __ATOMIC_RELAXED);
	for (int i = 0; i < AP_DEPTH_BUCKETS; i++) {
		bucket[i] = 0;
		for (int c = 0; c < s->n_cpus; c++)
			bucket[i] += __atomic_load_n(&s->cpu[c].bucket[i], __ATOMIC_RELAXED);
		total += bucket[i];
	}
	return total;
}

/* Sum the per-CPU record sizes into @d. */
static void read_record_bytes(struct bpf_state *s, struct ap_depth_distribution *d)
{
	for (int c = 0; c < s->n_cpus; c++) {
		d->record_bytes += __atomic_load_n(&s->cpu[c].record_bytes, __ATOMIC_RELAXED);
		d->records_sized += __atomic_load_n(&s->cpu[c].records_sized, __ATOMIC_RELAXED);
	}
}

/* Counts the probe adds to while this runs may be lost: only used when
 * forgetting what a wrong address gave. */
static void clear_histogram(struct bpf_state *s)
{
	for (int c = 0; c < s->n_cpus; c++) {
		__atomic_store_n(&s->cpu[c].enqueues, 0, __ATOMIC_RELAXED);
		for (int i = 0; i < AP_DEPTH_BUCKETS; i++)
			__atomic_store_n(&s->cpu[c].bucket[i], 0, __ATOMIC_RELAXED);
	}
}

/* The maximum over the CPUs' slots; with @clear, read-and-clear each. */
static uint32_t collect_max(struct bpf_state *s, bool clear)
{
	uint32_t max = 0;

	for (int c = 0; c < s->n_cpus; c++) {
		uint32_t *slot = &s->cpu[c].max;
		/*
		 * The probe's store on this slot either lands before the
		 * exchange (and is returned by it) or after (and is kept for
		 * the next window): an update is never lost.
		 */
		uint32_t v = clear ? __atomic_exchange_n(slot, 0, __ATOMIC_SEQ_CST) :
				     __atomic_load_n(slot, __ATOMIC_SEQ_CST);

		if (v > max)
			max = v;
	}
	return max;
}

/* Forget a wrong candidate address and everything sampled through it. */
static void forget_candidate(struct bpf_state *s)
{
	struct audit_queue_bpf__bss *b = s->skel->bss;

	__atomic_store_n(&b->queue_addr, 0, __ATOMIC_SEQ_CST);
	/* Faults reading a wrong address are not misses of the queue. */
	__atomic_store_n(&b->read_errors, 0, __ATOMIC_SEQ_CST);
	collect_max(s, true);
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
		/*
		 * audit_queue by name, shaped like a list head: a busy queue
		 * (a record queued and one taken between the two AUDIT_GETs),
		 * not a wrong address.  Try again later, never refuse.
		 */
		if (links_ok && s->from_kallsyms)
			continue;
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
	/* Missed records (bpf_misses()) lower the windows they fall in, not
	 * the source: reads go on. */
	if (s->validated)
		return 0;
	rc = validate(s, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		s->validated = true;
		return 0;
	}
	/* The probe counts enqueues in its histogram, or alone without it. */
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
	*max = nothing_seen ? 0 : collect_max(s, false);
	return 0;
}

static int bpf_read_and_clear(void *state, uint32_t *old, struct ap_error *err)
{
	struct bpf_state *s = state;
	bool nothing_seen;

	if (ready(s, &nothing_seen, err) < 0)
		return -1;
	*old = collect_max(s, true);
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
	d->extras = s->extras;
	if (!(s->extras & AP_BPF_EXTRA_MEAN))
		/* Not asked for, or no BPF atomics (Linux 5.10): no integral. */
		d->time_weighted_mean = NAN;
	if (nothing_seen)
		return 0;
	d->enqueues = read_histogram(s, d->bucket);
	if (s->extras & AP_BPF_EXTRA_SIZES)
		read_record_bytes(s, d);
	if (!(s->extras & AP_BPF_EXTRA_MEAN))
		return 0;
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

/*
 * Runs a kprobe or kretprobe link skipped: a return probe out of instances
 * (the kernel keeps a few per CPU for calls in flight; a task preempted
 * inside audit_log_end holds one) runs no program for that call, its
 * record unsampled.  Linux 6.7+ reports the count in the link's info
 * (perf_event.kprobe.missed, byte 48 of struct bpf_link_info, which the
 * build machine's headers may not have yet); older kernels leave it 0.
 */
#define LINK_INFO_KPROBE_MISSED 48

static uint64_t kprobe_link_missed(struct bpf_link *link)
{
	union {
		struct bpf_link_info info;
		unsigned char raw[256];
	} u;
	__u32 len = sizeof(u);
	uint64_t missed;

	memset(&u, 0, sizeof(u));
	if (bpf_obj_get_info_by_fd(bpf_link__fd(link), &u, &len) < 0 ||
	    u.info.type != BPF_LINK_TYPE_PERF_EVENT ||
	    len < LINK_INFO_KPROBE_MISSED + sizeof(missed))
		return 0;
	memcpy(&missed, u.raw + LINK_INFO_KPROBE_MISSED, sizeof(missed));
	return missed;
}

/*
 * The kernel (5.12+) skips, and counts, a run of the probe on a CPU where
 * it is already running: a record queued from an interrupt, or by a task
 * that preempted the probe, goes unsampled.  A faulted read of the queue's
 * length misses its record too.  And while the per-record program has
 * never fired, every kauditd pass that found records queued after it had
 * once found the queue empty (so they were queued with the probe
 * attached) counts: a kernel whose records go past the attach point is
 * never called exact.  So do the per-record kprobes' missed runs
 * (kprobe_link_missed()).
 */
static uint64_t bpf_misses(void *state)
{
	struct bpf_state *s = state;
	struct audit_queue_bpf__bss *b = s->skel->bss;
	uint64_t n = __atomic_load_n(&b->read_errors, __ATOMIC_SEQ_CST);

	/* Judged when read, not when kauditd drained: the first record's
	 * return probe may fire just after kauditd saw it queued. */
	if (!__atomic_load_n(&b->enqueue_fired, __ATOMIC_SEQ_CST))
		n += __atomic_load_n(&b->unsampled_drains, __ATOMIC_SEQ_CST);

	for (size_t i = 0; i < sizeof(s->per_record) / sizeof(s->per_record[0]); i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		if (s->per_record[i] &&
		    bpf_obj_get_info_by_fd(bpf_program__fd(s->per_record[i]),
					   &info, &len) == 0)
			n += info.recursion_misses;
	}
	for (int i = 0; i < s->n_record_links; i++)
		n += kprobe_link_missed(s->links[i]);
	return n;
}

static void bpf_close(void *state)
{
	struct bpf_state *s = state;

	if (!s)
		return;
	unload(s);
	ap_nl_close(s->nl);
	free(s);
}

static const struct ap_peak_ops bpf_ops = {
	.name = "bpf",
	.exact = true,
	.read = bpf_read,
	.read_and_clear = bpf_read_and_clear,
	.distribution = bpf_distribution,
	.misses = bpf_misses,
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

/* Why @path is not offered here (NULL if it is); never a version number. */
static const char *path_absent(enum ap_bpf_path path, const struct kernel_facts *k,
			       const struct ap_ksym_lookup *q)
{
	switch (path) {
	case AP_BPF_PATH_FEXIT:
		if (!k->log_end_in_btf)
			return "audit_log_end is not in the kernel's BTF";
		if (q->entries[0].cloned)
			return "audit_log_end has compiler clones in /proc/kallsyms that BTF does not describe (fexit would miss their callers)";
		break;
	case AP_BPF_PATH_KPROBE:
		if (!k->has_kprobes)
			return "no kprobes in this kernel";
		if (q->entries[0].n == 0)
			return "audit_log_end is not in /proc/kallsyms";
		if (q->entries[0].truncated)
			return "audit_log_end has more compiler clones than the loader attaches to";
		break;
	case AP_BPF_PATH_TRACEPOINT:
		if (!k->has_skb_list)
			return "no audit_buffer.skb_list in BTF (before 6.17 a spent buffer looks like other objects of its merged slab cache)";
		if (!k->free_tp_has_cache || !k->alloc_tp_has_cache)
			return "kmem_cache_alloc/free tracepoints do not pass the cache (BTF)";
		return NULL;
	case AP_BPF_PATH_AUTO:
		break;
	}
	if (!q->object_addr)
		return "no audit_queue in /proc/kallsyms (KALLSYMS_ALL off)";
	return NULL;
}

static const char *path_name(enum ap_bpf_path path)
{
	switch (path) {
	case AP_BPF_PATH_FEXIT:
		return "fexit/audit_log_end";
	case AP_BPF_PATH_KPROBE:
		return "kretprobe/audit_log_end";
	case AP_BPF_PATH_TRACEPOINT:
		return "raw_tp/kmem_cache_free of the spent audit buffer";
	case AP_BPF_PATH_AUTO:
		break;
	}
	return "auto";
}

/* "kretprobe/audit_log_end.part.0+..." : the symbols probed by name. */
static const char *kprobe_names(const struct ap_ksym_entries *e, char *buf,
				size_t len)
{
	size_t used = (size_t)snprintf(buf, len, "kretprobe/");

	for (int i = 0; i < e->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? "+" : "", e->name[i]);
	return buf;
}

/* Load and attach @path's programs; the drain sample as well as it can. */
static int try_path(struct bpf_state *s, enum ap_bpf_path path,
		    const struct ap_ksym_lookup *q, const struct kernel_facts *k,
		    int kauditd, char *drain, size_t drain_len,
		    struct ap_error *err)
{
	struct path_programs pp = { 0 };
	int rc;

	if (load_probe(s, q, k, kauditd, path, &pp, err) < 0)
		return -1;
	if (path == AP_BPF_PATH_KPROBE)
		rc = attach_per_record_kprobes(s, &pp, &q->entries[0], err);
	else
		rc = attach(s, pp.enqueue, NULL, false, err);
	if (rc < 0)
		goto fail;
	s->n_record_links = path == AP_BPF_PATH_KPROBE ? s->n_links : 0;
	if (path != AP_BPF_PATH_TRACEPOINT) {
		s->per_record[0] = pp.enqueue;
		s->per_record[1] = pp.enqueue_entry;
		s->per_record[2] = pp.enqueue_clone;
	}
	if (pp.learner) {
		libbpf_said_reset();
		s->cache_learner = bpf_program__attach(pp.learner);
		if (!s->cache_learner) {
			load_error(errno, "attach the probe", err);
			goto fail;
		}
	}
	snprintf(drain, drain_len, "%s",
		 samples_drains(path, s->extras & AP_BPF_EXTRA_MEAN) ?
		 "none (kauditd not found)" : "not sampled (no mean kept)");
	if (pp.drain && strcmp(bpf_program__section_name(pp.drain), "kretprobe") == 0) {
		int before = s->n_links;

		if (attach_drain_kprobes(s, pp.drain, &q->entries[1], err) == 0) {
			kprobe_names(&q->entries[1], drain, drain_len);
			return 0;
		}
		/* a half-attached drain samples some passes only: none, then */
		while (s->n_links > before)
			bpf_link__destroy(s->links[--s->n_links]);
	} else if (pp.drain && attach(s, pp.drain, NULL, false, err) == 0) {
		snprintf(drain, drain_len, "%s", bpf_program__section_name(pp.drain));
		return 0;
	}
	if (pp.sleep) {
		if (attach(s, pp.sleep, NULL, false, err) < 0)
			goto fail;
		snprintf(drain, drain_len, "kauditd's sched_switch");
	}
	return 0;
fail:
	unload(s);
	return -1;
}

/*
 * The best path the kernel offers: each one it lacks is skipped with the
 * reason, each one it refuses falls to the next with libbpf's words.
 */
static int attach_probe(struct bpf_state *s, const struct ap_ksym_lookup *q,
			const struct kernel_facts *k, int kauditd,
			enum ap_bpf_path want, struct ap_peak *p,
			struct ap_error *err)
{
	static const enum ap_bpf_path order[] = {
		AP_BPF_PATH_FEXIT, AP_BPF_PATH_KPROBE, AP_BPF_PATH_TRACEPOINT,
	};
	char why[3][200];
	char drain[160], enqueue[160];
	int n_why = 0;

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum ap_bpf_path path = order[i];
		const char *absent;

		if (want != AP_BPF_PATH_AUTO && want != path)
			continue;
		absent = path_absent(path, k, q);
		if (absent) {
			snprintf(why[n_why++], sizeof(why[0]), "%s: %s",
				 path == AP_BPF_PATH_FEXIT ? "fexit" :
				 path == AP_BPF_PATH_KPROBE ? "kretprobe" : "tracepoint",
				 absent);
			continue;
		}
		if (try_path(s, path, q, k, kauditd, drain, sizeof(drain), err) == 0) {
			snprintf(p->detail, sizeof(p->detail),
				 "%.80s; drains: %.80s; audit queue address %s; extras: %s%s%s%.100s%s%.100s",
				 path == AP_BPF_PATH_KPROBE ?
					kprobe_names(&q->entries[0], enqueue, sizeof(enqueue)) :
					path_name(path),
				 drain,
				 q->object_addr ? "from /proc/kallsyms" :
						  "learned from queued skb links",
				 ap_bpf_extras_name(s->extras),
				 k->has_atomics || !(s->asked & AP_BPF_EXTRA_MEAN) ? "" :
					"; no BPF atomics: no time-weighted mean",
				 n_why ? "; not " : "", n_why ? why[0] : "",
				 n_why > 1 ? "; not " : "", n_why > 1 ? why[1] : "");
			return 0;
		}
		snprintf(why[n_why++], sizeof(why[0]), "%s", err->msg + 5);
	}
	/* One path asked for: not offered, or its own failure with its
	 * errno and category (a JIT-less kernel's ENOMEM is no "not offered"). */
	if (n_why == 1) {
		bool offered = !path_absent(want, k, q);

		return ap_fail(err, offered ? err->code : AP_ERR_UNSUPPORTED,
			       offered ? err->sys_errno : ENOTSUP,
			       "bpf: %s unusable here: %s", path_name(want), why[0]);
	}
	return ap_fail(err, AP_ERR_UNSUPPORTED, ENOTSUP,
		       "bpf: no attach path on this kernel: %s; %s; %s", why[0],
		       why[1], why[2]);
}

int ap_peak_bpf_open(struct ap_peak *p, const struct ap_peak_config *cfg,
		     struct ap_error *err)
{
	struct ap_ksym_lookup q = { 0 };
	struct kernel_facts k = { 0 };
	struct bpf_state *s;
	struct ap_status st;
	int kauditd;

	libbpf_set_print(capture_libbpf);
	if (preflight(err) < 0 || find_symbols(&q, err) < 0 ||
	    read_kernel_facts(&k, err) < 0)
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
	s->asked = cfg->bpf_extras & AP_BPF_EXTRAS_ALL;
	if (attach_probe(s, &q, &k, kauditd, cfg->bpf_path, p, err) < 0)
		goto fail;
	s->opened_ns = monotonic_ns();
	if (s->from_kallsyms) {
		int rc;

		__atomic_store_n(&s->skel->bss->queue_addr, q.object_addr,
				 __ATOMIC_SEQ_CST);
		/*
		 * Validate now, while the caller still has its privileges:
		 * before Linux 5.11 running the check needs CAP_SYS_ADMIN,
		 * which a daemon drops after opening.
		 */
		rc = validate(s, err);
		for (int i = 0; rc == 0 && i < VALIDATE_OPEN_TRIES; i++) {
			struct timespec pause = { 0, 10000000L << i };

			/* A busy queue: back off and look again. */
			while (pause.tv_nsec >= 1000000000L) {
				pause.tv_sec++;
				pause.tv_nsec -= 1000000000L;
			}
			nanosleep(&pause, NULL);
			rc = validate(s, err);
		}
		if (rc < 0)
			goto fail;
		s->validated = rc == 1;
	}
	seed_first_sample(s, st.value[AP_FIELD_BACKLOG]);
	/*
	 * Loading parsed the kernel's BTF (megabytes) and freed it: give the
	 * freed heap back, or a long-running owner keeps it for its lifetime.
	 */
	malloc_trim(0);
	p->ops = &bpf_ops;
	p->state = s;
	return 0;
fail:
	bpf_close(s);
	return -1;
}
