/*
 * /metrics in Prometheus text format 0.0.4: "# HELP" and "# TYPE" lines,
 * then one "name{label="value",...} number" line per sample. Counters end
 * in _total; times are in seconds.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_boot.h"
#include "ebpf.h"
#include "lwip/stats.h"
#include "metrics.h"
#include "netdev.h"
#include "xdp_hook.h"

#define NS_PER_SEC	  1e9
#define MAP_ENTRIES_MAX	  4096 /* per map, so one page stays a reasonable size */
#define MAP_INT_VALUE_MAX 8    /* bytes: wider values are not one number */

struct counter_field {
	const char *name;
	const char *help;
	size_t offset; /* of a uint64_t in the stats struct */
};

#define NIC_COUNTER(field, help)                                                                   \
	{                                                                                          \
		"ukbpf_nic_" #field "_total", help, offsetof(struct netdev_stats, field)           \
	}
static const struct counter_field nic_counters[] = {
    NIC_COUNTER(rx_frames, "Frames the NIC received and delivered."),
    NIC_COUNTER(rx_bytes, "Bytes of the frames the NIC delivered."),
    NIC_COUNTER(tx_frames, "Frames handed to the NIC to send."),
    NIC_COUNTER(tx_bytes, "Bytes of the frames handed to the NIC."),
    NIC_COUNTER(rx_dropped_bad, "Received frames dropped as too short or too long."),
    NIC_COUNTER(tx_dropped, "Frames the driver refused to send."),
    NIC_COUNTER(device_errors, "Malformed used-ring entries from the device."),
    NIC_COUNTER(interrupts, "Receive interrupts taken."),
};

#define XDP_COUNTER(field, help)                                                                   \
	{                                                                                          \
		"ukbpf_xdp_" #field "_total", help, offsetof(struct xdp_hook_stats, field)         \
	}
static const struct counter_field xdp_counters[] = {
    XDP_COUNTER(invalid_action, "Program returns that are no XDP action (then aborted)."),
    XDP_COUNTER(redirect_unset, "XDP_REDIRECT without a target (then aborted)."),
    XDP_COUNTER(tx_failed, "XDP_TX frames the NIC refused."),
    XDP_COUNTER(redirect_failed,
		"XDP_REDIRECT frames that found no NIC or socket, or were refused."),
    XDP_COUNTER(redirect_cpu, "XDP_REDIRECT frames to a cpumap CPU: with one CPU, to the stack."),
    XDP_COUNTER(redirect_xsk, "XDP_REDIRECT frames an AF_XDP socket took."),
    XDP_COUNTER(oversized, "Frames too long for the hook's buffer, dropped unseen."),
};

/* Label values by enum ebpf_xdp_action. */
static const char *const xdp_action_names[XDP_HOOK_ACTIONS] = {
    [EBPF_XDP_ABORTED] = "aborted", [EBPF_XDP_DROP] = "drop",	      [EBPF_XDP_PASS] = "pass",
    [EBPF_XDP_TX] = "tx",	    [EBPF_XDP_REDIRECT] = "redirect",
};

static void metric_family(struct text *out, const char *name, const char *type, const char *help)
{
	text_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value with \, " and newline escaped, as the format requires. */
static void metric_label_value(struct text *out, const char *value)
{
	for (const char *c = value; *c; c++) {
		if (*c == '\\' || *c == '"')
			text_printf(out, "\\%c", *c);
		else if (*c == '\n')
			text_append(out, "\\n", 2);
		else
			text_append(out, c, 1);
	}
}

static uint64_t counter_value(const void *stats, const struct counter_field *field)
{
	uint64_t value;

	memcpy(&value, (const uint8_t *)stats + field->offset, sizeof(value));
	return value;
}

/* Every netdev's counters, labelled with its name. */
static void metrics_nics(struct text *out)
{
	uint32_t count = (uint32_t)netdev_count();

	for (size_t f = 0; f < sizeof(nic_counters) / sizeof(nic_counters[0]); f++) {
		metric_family(out, nic_counters[f].name, "counter", nic_counters[f].help);
		for (uint32_t ifindex = 1; ifindex <= count; ifindex++) {
			const struct netdev *nic = netdev_by_ifindex(ifindex);
			struct netdev_stats stats;
			netdev_get_stats(nic, &stats);
			text_printf(out, "%s{nic=\"%s\"} %" PRIu64 "\n", nic_counters[f].name,
				    nic->name, counter_value(&stats, &nic_counters[f]));
		}
	}
}

static void metrics_xdp(struct text *out, const struct xdp_hook_stats *stats)
{
	metric_family(out, "ukbpf_xdp_actions_total", "counter",
		      "Verdicts the XDP hook carried out, by action.");
	for (size_t a = 0; a < XDP_HOOK_ACTIONS; a++)
		text_printf(out, "ukbpf_xdp_actions_total{action=\"%s\"} %" PRIu64 "\n",
			    xdp_action_names[a], stats->actions[a]);
	for (size_t f = 0; f < sizeof(xdp_counters) / sizeof(xdp_counters[0]); f++) {
		metric_family(out, xdp_counters[f].name, "counter", xdp_counters[f].help);
		text_printf(out, "%s %" PRIu64 "\n", xdp_counters[f].name,
			    counter_value(stats, &xdp_counters[f]));
	}
}

/* One sample of a per-program family. */
static void metric_program_sample(struct text *out, const char *name, const char *program,
				  const char *value)
{
	text_printf(out, "%s{program=\"", name);
	metric_label_value(out, program);
	text_printf(out, "\"} %s\n", value);
}

/*
 * Every attached program: how it was verified and compiled, and for the
 * one the XDP hook runs (the first), its runs and time.
 */
static void metrics_programs(struct text *out, const struct xdp_hook_stats *stats)
{
	size_t count = bpf_boot_program_count();
	char value[32];

	metric_family(out, "ukbpf_bpf_program_jit", "gauge",
		      "1 when the program runs JIT-compiled, 0 when interpreted.");
	for (size_t i = 0; i < count; i++)
		metric_program_sample(out, "ukbpf_bpf_program_jit", bpf_boot_program_get(i)->name,
				      bpf_boot_program_get(i)->jit ? "1" : "0");
	metric_family(out, "ukbpf_bpf_program_verify_seconds", "gauge",
		      "Time the verifier took on the program at boot.");
	for (size_t i = 0; i < count; i++) {
		snprintf(value, sizeof(value), "%.9f",
			 (double)bpf_boot_program_get(i)->verify_ns / NS_PER_SEC);
		metric_program_sample(out, "ukbpf_bpf_program_verify_seconds",
				      bpf_boot_program_get(i)->name, value);
	}
	metric_family(out, "ukbpf_bpf_program_verified_insns", "gauge",
		      "Instructions the verifier processed for the program.");
	for (size_t i = 0; i < count; i++) {
		snprintf(value, sizeof(value), "%" PRIu64,
			 bpf_boot_program_get(i)->insns_processed);
		metric_program_sample(out, "ukbpf_bpf_program_verified_insns",
				      bpf_boot_program_get(i)->name, value);
	}
	if (count == 0)
		return;
	const char *running = bpf_boot_program_get(0)->name;
	metric_family(out, "ukbpf_xdp_program_runs_total", "counter",
		      "Frames the XDP program ran on.");
	snprintf(value, sizeof(value), "%" PRIu64, stats->runs);
	metric_program_sample(out, "ukbpf_xdp_program_runs_total", running, value);
	metric_family(out, "ukbpf_xdp_program_run_seconds_total", "counter",
		      "Time spent inside the XDP program.");
	snprintf(value, sizeof(value), "%.9f", (double)stats->run_ns / NS_PER_SEC);
	metric_program_sample(out, "ukbpf_xdp_program_run_seconds_total", running, value);
}

static void metrics_http(struct text *out, const struct metrics_http *http)
{
	metric_family(out, "ukbpf_http_responses_total", "counter", "HTTP responses, by status.");
	text_printf(out,
		    "ukbpf_http_responses_total{code=\"200\"} %" PRIu64 "\n"
		    "ukbpf_http_responses_total{code=\"400\"} %" PRIu64 "\n"
		    "ukbpf_http_responses_total{code=\"404\"} %" PRIu64 "\n"
		    "ukbpf_http_responses_total{code=\"405\"} %" PRIu64 "\n",
		    http->responses_200, http->responses_400, http->responses_404,
		    http->responses_405);
	metric_family(out, "ukbpf_http_connections_total", "counter", "TCP connections accepted.");
	text_printf(out, "ukbpf_http_connections_total %" PRIu64 "\n", http->connections);
}

/* value_size bytes of a little-endian unsigned integer. */
static uint64_t map_int_value(const uint8_t *value, uint32_t size)
{
	uint64_t number = 0;

	for (uint32_t i = size; i-- > 0;)
		number = number << 8 | value[i];
	return number;
}

/* One map's sample labels: the program whose object holds it, and the map's name. */
struct map_labels {
	const char *program;
	const char *map;
};

static void metrics_map_entries(struct text *out, const struct map_labels *labels,
				struct ebpf_map *map, const struct ebpf_map_def *def, uint8_t *key,
				uint8_t *next_key, uint8_t *value)
{
	size_t shown = 0;
	int err = ebpf_map_get_next_key(map, NULL, key);

	for (; err == 0 && shown < MAP_ENTRIES_MAX;
	     err = ebpf_map_get_next_key(map, key, next_key)) {
		if (shown > 0)
			memcpy(key, next_key, def->key_size);
		shown++;
		if (ebpf_map_lookup(map, key, value) != 0)
			continue;
		text_printf(out, "ukbpf_map_value{program=\"");
		metric_label_value(out, labels->program);
		text_printf(out, "\",map=\"");
		metric_label_value(out, labels->map);
		text_printf(out, "\",key=\"");
		for (uint32_t i = 0; i < def->key_size; i++)
			text_printf(out, "%02x", key[i]);
		text_printf(out, "\"} %" PRIu64 "\n", map_int_value(value, def->value_size));
	}
	if (err == 0)
		text_printf(out, "# map %s of %s: only the first %d entries shown\n", labels->map,
			    labels->program, MAP_ENTRIES_MAX);
}

/* The map's entries whose values are integers; a comment says why others are not shown. */
static void metrics_map(struct text *out, const struct map_labels *labels, struct ebpf_map *map)
{
	const struct ebpf_map_def *def = ebpf_map_get_def(map);

	if (def->value_size == 0 || def->value_size > MAP_INT_VALUE_MAX ||
	    def->type == EBPF_MAP_TYPE_PROG_ARRAY || def->type == EBPF_MAP_TYPE_RINGBUF) {
		text_printf(out, "# map %s of %s: values are not integers\n", labels->map,
			    labels->program);
		return;
	}
	/* Queues, stacks and bloom filters have values but no keys to list them by. */
	if (def->key_size == 0) {
		text_printf(out, "# map %s of %s: no keys to list\n", labels->map, labels->program);
		return;
	}
	uint8_t *key = malloc(def->key_size), *next_key = malloc(def->key_size);
	uint8_t value[MAP_INT_VALUE_MAX];
	if (key && next_key)
		metrics_map_entries(out, labels, map, def, key, next_key, value);
	else
		out->failed = true;
	free(key);
	free(next_key);
}

/* Every map of every attached object (kernel/bpf_boot.h's enumeration). */
static void metrics_maps(struct text *out)
{
	metric_family(out, "ukbpf_map_value", "gauge",
		      "Entries of the attached programs' maps (key as hex bytes in memory order).");
	for (size_t i = 0; i < bpf_boot_map_count(); i++) {
		struct map_labels labels;
		struct ebpf_map *map = bpf_boot_map_get(i, &labels.program);
		labels.map = ebpf_map_get_name(map);
		if (!labels.map)
			labels.map = "";
		metrics_map(out, &labels, map);
	}
}

struct lwip_protocol {
	const char *name;
	const struct stats_proto *stats;
};

static const struct lwip_protocol lwip_protocols[] = {
    {"link", &lwip_stats.link},	      {"etharp", &lwip_stats.etharp},
    {"ip_frag", &lwip_stats.ip_frag}, {"ip", &lwip_stats.ip},
    {"icmp", &lwip_stats.icmp},	      {"udp", &lwip_stats.udp},
    {"tcp", &lwip_stats.tcp},	      {"ip6", &lwip_stats.ip6},
    {"icmp6", &lwip_stats.icmp6},     {"ip6_frag", &lwip_stats.ip6_frag},
};

#define LWIP_COUNTER(field)                                                                        \
	{                                                                                          \
#field, NULL, offsetof(struct stats_proto, field)                                  \
	}
/* recv, xmit, drop, then why lwIP dropped (a drop may count under one reason too). */
static const struct counter_field lwip_counters[] = {
    LWIP_COUNTER(recv),	  LWIP_COUNTER(xmit),	LWIP_COUNTER(drop),  LWIP_COUNTER(chkerr),
    LWIP_COUNTER(lenerr), LWIP_COUNTER(memerr), LWIP_COUNTER(rterr), LWIP_COUNTER(proterr),
    LWIP_COUNTER(opterr), LWIP_COUNTER(err),
};

/* lwIP's own per-protocol counters (lwip/stats.h): what the stack dropped, and why. */
static void metrics_lwip(struct text *out)
{
	metric_family(out, "ukbpf_lwip_packets_total", "counter",
		      "lwIP's per-protocol counters: recv, xmit, drop and the drop reasons "
		      "(lwIP keeps them in STAT_COUNTER: they wrap).");
	for (size_t p = 0; p < sizeof(lwip_protocols) / sizeof(lwip_protocols[0]); p++)
		for (size_t c = 0; c < sizeof(lwip_counters) / sizeof(lwip_counters[0]); c++) {
			STAT_COUNTER value;
			memcpy(&value,
			       (const uint8_t *)lwip_protocols[p].stats + lwip_counters[c].offset,
			       sizeof(value));
			text_printf(out,
				    "ukbpf_lwip_packets_total{proto=\"%s\",counter=\"%s\"} %" PRIu64
				    "\n",
				    lwip_protocols[p].name, lwip_counters[c].name, (uint64_t)value);
		}
}

void metrics_render(struct text *out, const struct metrics_http *http)
{
	struct xdp_hook_stats xdp;

	xdp_hook_get_stats(&xdp);
	metrics_nics(out);
	metrics_xdp(out, &xdp);
	metrics_programs(out, &xdp);
	metrics_http(out, http);
	metrics_lwip(out);
	metrics_maps(out);
}
