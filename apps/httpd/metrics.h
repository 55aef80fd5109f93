/*
 * httpd's /metrics page: Prometheus text exposition format 0.0.4.
 */
#ifndef UKBPF_HTTPD_METRICS_H
#define UKBPF_HTTPD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "text.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Requests httpd answered, by status code (kept by main.c). */
struct metrics_http {
	uint64_t responses_200, responses_400, responses_404, responses_405;
	uint64_t connections;
};

/*
 * Appends every metric: per-NIC driver counters, the XDP hook's verdict
 * counters, each attached program's runs and verification, httpd's own
 * counters, lwIP's per-protocol counters (what the stack dropped and why),
 * and the integer entries of every map of every attached object
 * (kernel/bpf_boot.h), labelled with the program and the map's name.
 */
void metrics_render(struct text *out, const struct metrics_http *http);

#endif /* UKBPF_HTTPD_METRICS_H */
