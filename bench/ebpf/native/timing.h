/* Clock and sorting helpers shared by the native benchmark programs. */
#ifndef UKBPF_BENCH_TIMING_H
#define UKBPF_BENCH_TIMING_H

#include <time.h>

#define NSEC_PER_SEC 1000000000.0

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * NSEC_PER_SEC + (double)ts.tv_nsec;
}

/* qsort comparator for medians. */
static inline int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif /* UKBPF_BENCH_TIMING_H */
