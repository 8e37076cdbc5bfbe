/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Arithmetic shared by the eBPF probe and userspace: the log2 bucket of a
 * queue depth, and the packed (time, depth) samples the time-weighted mean
 * is integrated from.
 *
 * It is compiled both with clang -target bpf (no libc, no __builtin_clz:
 * BPF has no count-leading-zeros instruction) and into the library, so it
 * uses only plain C types and includes nothing.
 */
#ifndef AUDITPEAK_BPF_DEPTH_MATH_H
#define AUDITPEAK_BPF_DEPTH_MATH_H

/* Must equal AP_DEPTH_BUCKETS in peak.h (the loader checks at compile time). */
#define AP_DEPTH_MATH_BUCKETS 33

/*
 * Bucket 0 holds depth 0; bucket i (1..32) holds depths in [2^(i-1), 2^i),
 * i.e. i = floor(log2(depth)) + 1.
 */
static inline unsigned int ap_depth_bucket(unsigned int depth)
{
	unsigned int bucket = 0;

	if (depth == 0)
		return 0;
	if (depth >> 16) {
		depth >>= 16;
		bucket += 16;
	}
	if (depth >> 8) {
		depth >>= 8;
		bucket += 8;
	}
	if (depth >> 4) {
		depth >>= 4;
		bucket += 4;
	}
	if (depth >> 2) {
		depth >>= 2;
		bucket += 2;
	}
	if (depth >> 1)
		bucket += 1;
	return bucket + 1;
}

/*
 * A sample is packed in one 64-bit word so the probe can swap it in with a
 * single atomic exchange: every CPU's sample then has exactly one
 * predecessor, and each interval between two samples is integrated exactly
 * once, without a lock (tracing programs may not take bpf_spin_lock).
 *
 *   bits 63..24  time in units of 1024 ns, modulo 2^40 (about 13 days)
 *   bits 23..0   depth, saturated at 2^24 - 1
 *
 * A word of 0 means "no sample yet".  Intervals are computed modulo 2^40,
 * so they are right as long as two consecutive samples are less than 13
 * days apart.
 */
#define AP_TWM_TIME_SHIFT 10 /* ns -> time unit */
#define AP_TWM_DEPTH_BITS 24
#define AP_TWM_DEPTH_MASK ((1ULL << AP_TWM_DEPTH_BITS) - 1)
#define AP_TWM_TIME_MASK ((1ULL << 40) - 1)

static inline unsigned long long ap_twm_pack(unsigned long long now_ns,
					     unsigned int depth)
{
	unsigned long long d = depth;
	unsigned long long t = (now_ns >> AP_TWM_TIME_SHIFT) & AP_TWM_TIME_MASK;

	if (d > AP_TWM_DEPTH_MASK)
		d = AP_TWM_DEPTH_MASK;
	/* Time 0 with depth 0 would read as "no sample": nudge it. */
	if (t == 0 && d == 0)
		t = 1;
	return (t << AP_TWM_DEPTH_BITS) | d;
}

static inline unsigned int ap_twm_depth(unsigned long long packed)
{
	return (unsigned int)(packed & AP_TWM_DEPTH_MASK);
}

/* Time units from sample @a to sample @b (b taken after a). */
static inline unsigned long long ap_twm_interval(unsigned long long a,
						 unsigned long long b)
{
	unsigned long long ta = a >> AP_TWM_DEPTH_BITS;
	unsigned long long tb = b >> AP_TWM_DEPTH_BITS;
	unsigned long long dt = (tb - ta) & AP_TWM_TIME_MASK;

	/*
	 * Two CPUs may read the clock in one order and swap in the other;
	 * such an interval is a few ns "negative", which modulo 2^40 looks
	 * huge.  Anything over half the range is that, and counts as 0.
	 */
	return dt > (AP_TWM_TIME_MASK >> 1) ? 0 : dt;
}

/*
 * Twice the area under the depth between samples @a and @b, in
 * depth x time units: the trapezoid (d_a + d_b) x dt.  The depth moves
 * one record at a time between two real reads, so a straight line is a
 * better guess than a step; the factor 2 keeps it an integer.
 */
static inline unsigned long long ap_twm_area2(unsigned long long a,
					      unsigned long long b)
{
	unsigned long long sum = (unsigned long long)ap_twm_depth(a) +
				 ap_twm_depth(b);

	return sum * ap_twm_interval(a, b);
}

#endif /* AUDITPEAK_BPF_DEPTH_MATH_H */
