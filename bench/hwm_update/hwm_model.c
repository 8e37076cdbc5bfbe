// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A userspace model of the kernel's high-water-mark update, to show why the
 * patch's shape is right.  T threads each "enqueue" (atomic increment of a
 * shared queue length, as skb_queue_tail does under the queue lock) and
 * then update the max with one of:
 *
 *   none        no high-water mark: the cost of the enqueue model alone
 *   read-cas    the patch: read the max, cmpxchg only when the new length
 *               is larger (the common case is one plain read, no write)
 *   always-cas  an unconditional atomic max: a cmpxchg loop on every
 *               update, so every CPU writes the cache line every time
 *   mutex       a lock around "if (len > max) max = len"
 *
 * A consumer thread drains the queue so its length moves like a real
 * backlog (rises in bursts, falls back).  Reported: ns per update over the
 * `none` baseline, median of R runs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum strategy { NONE, READ_CAS, ALWAYS_CAS, MUTEX, N_STRATEGIES };

static const char *const strategy_names[] = {
	"none", "read-cas", "always-cas", "mutex",
};

static _Atomic unsigned int queue_len;
static _Atomic unsigned int high_water;
static unsigned int locked_high_water;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic bool stop_consumer;

struct worker {
	pthread_t thread;
	enum strategy strategy;
	long iterations;
};

static inline void update_read_cas(unsigned int len)
{
	unsigned int max = atomic_load_explicit(&high_water, memory_order_relaxed);

	while (len > max) {
		if (atomic_compare_exchange_weak(&high_water, &max, len))
			break;
	}
}

static inline void update_always_cas(unsigned int len)
{
	unsigned int max = atomic_load_explicit(&high_water, memory_order_relaxed);

	while (!atomic_compare_exchange_weak(&high_water, &max,
					     len > max ? len : max))
		;
}

static inline void update_mutex(unsigned int len)
{
	pthread_mutex_lock(&lock);
	if (len > locked_high_water)
		locked_high_water = len;
	pthread_mutex_unlock(&lock);
}

static void *produce(void *arg)
{
	struct worker *w = arg;

	for (long i = 0; i < w->iterations; i++) {
		unsigned int len = atomic_fetch_add(&queue_len, 1) + 1;

		switch (w->strategy) {
		case READ_CAS:
			update_read_cas(len);
			break;
		case ALWAYS_CAS:
			update_always_cas(len);
			break;
		case MUTEX:
			update_mutex(len);
			break;
		default:
			break;
		}
	}
	return NULL;
}

/* Drains like kauditd: takes what is queued, so the length saw-tooths. */
static void *consume(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop_consumer)) {
		unsigned int len = atomic_load(&queue_len);

		while (len && !atomic_compare_exchange_weak(&queue_len, &len, len - 1))
			;
	}
	return NULL;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per update for one run of @threads producers. */
static double run(enum strategy s, int threads, long iterations)
{
	struct worker w[64];
	pthread_t consumer;
	double start, elapsed;

	atomic_store(&queue_len, 0);
	atomic_store(&high_water, 0);
	locked_high_water = 0;
	atomic_store(&stop_consumer, false);
	pthread_create(&consumer, NULL, consume, NULL);
	start = now_ns();
	for (int i = 0; i < threads; i++) {
		w[i].strategy = s;
		w[i].iterations = iterations;
		pthread_create(&w[i].thread, NULL, produce, &w[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(w[i].thread, NULL);
	elapsed = now_ns() - start;
	atomic_store(&stop_consumer, true);
	pthread_join(consumer, NULL);
	return elapsed / ((double)iterations * threads);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int max_threads = argc > 1 ? atoi(argv[1]) : 4;
	long iterations = argc > 2 ? atol(argv[2]) : 2000000;
	int runs = argc > 3 ? atoi(argv[3]) : 5;

	if (max_threads < 1 || max_threads > 64 || iterations < 1 || runs < 1 ||
	    runs > 99) {
		fprintf(stderr, "usage: hwm_model [MAX_THREADS<=64] [ITERATIONS] [RUNS<=99]\n");
		return 2;
	}
	printf("threads");
	for (int s = 0; s < N_STRATEGIES; s++)
		printf("\t%s", strategy_names[s]);
	printf("\t(ns per enqueue+update, median of %d runs; %ld per thread)\n",
	       runs, iterations);
	for (int t = 1; t <= max_threads; t *= 2) {
		static double r[N_STRATEGIES][99];

		/* Strategies alternate run by run, so drift on a shared
		 * machine hits them all alike. */
		for (int i = 0; i < runs; i++)
			for (int s = 0; s < N_STRATEGIES; s++)
				r[s][i] = run(s, t, iterations);
		printf("%d", t);
		for (int s = 0; s < N_STRATEGIES; s++) {
			qsort(r[s], runs, sizeof(r[s][0]), cmp_double);
			printf("\t%.1f", r[s][runs / 2]);
		}
		printf("\n");
	}
	return 0;
}
