/* Inner maps of the kinds helpers other than lookup take: a port table
 * (devmap) chosen per tenant for bpf_redirect_map, and a ring buffer
 * chosen per tenant for the frame's length; each through a NULL-checked
 * lookup in an array of maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct ports {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} ports_a SEC(".maps");

struct events {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct ports);
} tenant_ports SEC(".maps") = {
    .values = {[0] = &ports_a},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct events);
} tenant_events SEC(".maps") = {
    .values = {[0] = &events_a},
};

SEC("xdp")
int map_in_map_redirect(struct xdp_md *ctx)
{
	__u32 tenant = ctx->rx_queue_index & 3;
	__u64 len = ctx->data_end - ctx->data;
	void *ports, *events;

	events = bpf_map_lookup_elem(&tenant_events, &tenant);
	if (events)
		bpf_ringbuf_output(events, &len, sizeof(len), 0);
	ports = bpf_map_lookup_elem(&tenant_ports, &tenant);
	if (!ports)
		return XDP_PASS;
	return bpf_redirect_map(ports, len & 7, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
