/*
 * The program-type table (prog_type.h): one entry per type ukbpf runs,
 * with Linux's numbering and context rules; and Linux's names of every
 * program type and expected attach type, as libbpf and bpftool print them.
 */
#include <string.h>

#include "prog_type.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define CTX_READ(type, field, kind_)                                                               \
	{                                                                                          \
		.offset = offsetof(type, field), .size = sizeof(((type *)0)->field), .kind = kind_ \
	}
/* A field only programs of expected attach type attach may read. */
#define CTX_READ_ATTACH(type, field, kind_, attach)                                                \
	{                                                                                          \
		.offset = offsetof(type, field), .size = sizeof(((type *)0)->field),               \
		.kind = kind_, .attach_only = true, .attach_type = attach                          \
	}

/* ---- unspec: the ISA tests' convention (r1 = memory, r2 = its length) ---- */

static struct ebpf_legacy_packet unspec_legacy_packet(const void *ctx, size_t ctx_len)
{
	return (struct ebpf_legacy_packet){ctx, ctx_len};
}

/* ---- socket filters: translated classic BPF (cbpf.c) ---------------------- */

/* Translated classic BPF reads the two lengths; data goes through LD_ABS. */
static const struct ebpf_ctx_field socket_ctx_fields[] = {
    CTX_READ(struct ebpf_cbpf_ctx, caplen, EBPF_CTX_SCALAR),
    CTX_READ(struct ebpf_cbpf_ctx, wirelen, EBPF_CTX_SCALAR),
};

static struct ebpf_legacy_packet socket_legacy_packet(const void *ctx, size_t ctx_len)
{
	const struct ebpf_cbpf_ctx *cbpf = ctx;

	if (!cbpf)
		return (struct ebpf_legacy_packet){NULL, 0};
	return (struct ebpf_legacy_packet){cbpf->data, cbpf->caplen};
}

/* ---- XDP ------------------------------------------------------------------ */

/*
 * Linux's xdp_is_valid_access: 4-byte reads of struct xdp_md, none
 * writable; data, data_end and data_meta read as packet pointers;
 * egress_ifindex only in programs that run on a devmap entry (there is
 * no egress device before the redirect), so a plain XDP program that
 * reads it is refused as Linux refuses it.
 */
static const struct ebpf_ctx_field xdp_ctx_fields[] = {
    CTX_READ(struct ebpf_xdp_md, data, EBPF_CTX_PACKET),
    CTX_READ(struct ebpf_xdp_md, data_end, EBPF_CTX_PACKET_END),
    CTX_READ(struct ebpf_xdp_md, data_meta, EBPF_CTX_PACKET_META),
    CTX_READ(struct ebpf_xdp_md, ingress_ifindex, EBPF_CTX_SCALAR),
    CTX_READ(struct ebpf_xdp_md, rx_queue_index, EBPF_CTX_SCALAR),
    CTX_READ_ATTACH(struct ebpf_xdp_md, egress_ifindex, EBPF_CTX_SCALAR, EBPF_ATTACH_XDP_DEVMAP),
};

/* ---- the table ------------------------------------------------------------ */

static const struct ebpf_prog_type_info prog_types[] = {
    {
	.type = EBPF_PROG_TYPE_UNSPEC,
	.ctx_len_in_r2 = true,
	.helper_families = EBPF_HELPERS_BASE,
	.legacy_loads = EBPF_LEGACY_UNVERIFIED,
	.legacy_packet = unspec_legacy_packet,
    },
    {
	.type = EBPF_PROG_TYPE_SOCKET_FILTER,
	.ctx_fields = socket_ctx_fields,
	.ctx_field_count = COUNT_OF(socket_ctx_fields),
	.helper_families = EBPF_HELPERS_BASE,
	.legacy_loads = EBPF_LEGACY_VERIFIED,
	.legacy_packet = socket_legacy_packet,
    },
    {
	.type = EBPF_PROG_TYPE_XDP,
	.ctx_fields = xdp_ctx_fields,
	.ctx_field_count = COUNT_OF(xdp_ctx_fields),
	.helper_families = EBPF_HELPERS_BASE | EBPF_HELPERS_XDP,
	.legacy_loads = EBPF_LEGACY_NONE,
    },
};

const struct ebpf_prog_type_info *ebpf_prog_type_info(enum ebpf_prog_type type)
{
	size_t i;

	for (i = 0; i < COUNT_OF(prog_types); i++)
		if (prog_types[i].type == type)
			return &prog_types[i];
	return NULL;
}

/* ---- Linux's names (libbpf's prog_type_name[] and attach_type_name[]) ---- */

static const char *const prog_type_names[] = {
    [EBPF_PROG_TYPE_UNSPEC] = "unspec",
    [EBPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
    [EBPF_PROG_TYPE_KPROBE] = "kprobe",
    [EBPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
    [EBPF_PROG_TYPE_SCHED_ACT] = "sched_act",
    [EBPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
    [EBPF_PROG_TYPE_XDP] = "xdp",
    [EBPF_PROG_TYPE_PERF_EVENT] = "perf_event",
    [EBPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
    [EBPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock",
    [EBPF_PROG_TYPE_LWT_IN] = "lwt_in",
    [EBPF_PROG_TYPE_LWT_OUT] = "lwt_out",
    [EBPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit",
    [EBPF_PROG_TYPE_SOCK_OPS] = "sock_ops",
    [EBPF_PROG_TYPE_SK_SKB] = "sk_skb",
    [EBPF_PROG_TYPE_CGROUP_DEVICE] = "cgroup_device",
    [EBPF_PROG_TYPE_SK_MSG] = "sk_msg",
    [EBPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
    [EBPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
    [EBPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local",
    [EBPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
    [EBPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport",
    [EBPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
    [EBPF_PROG_TYPE_CGROUP_SYSCTL] = "cgroup_sysctl",
    [EBPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
    [EBPF_PROG_TYPE_CGROUP_SOCKOPT] = "cgroup_sockopt",
    [EBPF_PROG_TYPE_TRACING] = "tracing",
    [EBPF_PROG_TYPE_STRUCT_OPS] = "struct_ops",
    [EBPF_PROG_TYPE_EXT] = "ext",
    [EBPF_PROG_TYPE_LSM] = "lsm",
    [EBPF_PROG_TYPE_SK_LOOKUP] = "sk_lookup",
    [EBPF_PROG_TYPE_SYSCALL] = "syscall",
    [EBPF_PROG_TYPE_NETFILTER] = "netfilter",
};

static const char *const attach_type_names[] = {
    [EBPF_ATTACH_CGROUP_INET_INGRESS] = "cgroup_inet_ingress",
    [EBPF_ATTACH_CGROUP_INET_EGRESS] = "cgroup_inet_egress",
    [EBPF_ATTACH_CGROUP_INET_SOCK_CREATE] = "cgroup_inet_sock_create",
    [EBPF_ATTACH_CGROUP_SOCK_OPS] = "cgroup_sock_ops",
    [EBPF_ATTACH_SK_SKB_STREAM_PARSER] = "sk_skb_stream_parser",
    [EBPF_ATTACH_SK_SKB_STREAM_VERDICT] = "sk_skb_stream_verdict",
    [EBPF_ATTACH_CGROUP_DEVICE] = "cgroup_device",
    [EBPF_ATTACH_SK_MSG_VERDICT] = "sk_msg_verdict",
    [EBPF_ATTACH_CGROUP_INET4_BIND] = "cgroup_inet4_bind",
    [EBPF_ATTACH_CGROUP_INET6_BIND] = "cgroup_inet6_bind",
    [EBPF_ATTACH_CGROUP_INET4_CONNECT] = "cgroup_inet4_connect",
    [EBPF_ATTACH_CGROUP_INET6_CONNECT] = "cgroup_inet6_connect",
    [EBPF_ATTACH_CGROUP_INET4_POST_BIND] = "cgroup_inet4_post_bind",
    [EBPF_ATTACH_CGROUP_INET6_POST_BIND] = "cgroup_inet6_post_bind",
    [EBPF_ATTACH_CGROUP_UDP4_SENDMSG] = "cgroup_udp4_sendmsg",
    [EBPF_ATTACH_CGROUP_UDP6_SENDMSG] = "cgroup_udp6_sendmsg",
    [EBPF_ATTACH_LIRC_MODE2] = "lirc_mode2",
    [EBPF_ATTACH_FLOW_DISSECTOR] = "flow_dissector",
    [EBPF_ATTACH_CGROUP_SYSCTL] = "cgroup_sysctl",
    [EBPF_ATTACH_CGROUP_UDP4_RECVMSG] = "cgroup_udp4_recvmsg",
    [EBPF_ATTACH_CGROUP_UDP6_RECVMSG] = "cgroup_udp6_recvmsg",
    [EBPF_ATTACH_CGROUP_GETSOCKOPT] = "cgroup_getsockopt",
    [EBPF_ATTACH_CGROUP_SETSOCKOPT] = "cgroup_setsockopt",
    [EBPF_ATTACH_TRACE_RAW_TP] = "trace_raw_tp",
    [EBPF_ATTACH_TRACE_FENTRY] = "trace_fentry",
    [EBPF_ATTACH_TRACE_FEXIT] = "trace_fexit",
    [EBPF_ATTACH_MODIFY_RETURN] = "modify_return",
    [EBPF_ATTACH_LSM_MAC] = "lsm_mac",
    [EBPF_ATTACH_TRACE_ITER] = "trace_iter",
    [EBPF_ATTACH_CGROUP_INET4_GETPEERNAME] = "cgroup_inet4_getpeername",
    [EBPF_ATTACH_CGROUP_INET6_GETPEERNAME] = "cgroup_inet6_getpeername",
    [EBPF_ATTACH_CGROUP_INET4_GETSOCKNAME] = "cgroup_inet4_getsockname",
    [EBPF_ATTACH_CGROUP_INET6_GETSOCKNAME] = "cgroup_inet6_getsockname",
    [EBPF_ATTACH_XDP_DEVMAP] = "xdp_devmap",
    [EBPF_ATTACH_CGROUP_INET_SOCK_RELEASE] = "cgroup_inet_sock_release",
    [EBPF_ATTACH_XDP_CPUMAP] = "xdp_cpumap",
    [EBPF_ATTACH_SK_LOOKUP] = "sk_lookup",
    [EBPF_ATTACH_XDP] = "xdp",
    [EBPF_ATTACH_SK_SKB_VERDICT] = "sk_skb_verdict",
    [EBPF_ATTACH_SK_REUSEPORT_SELECT] = "sk_reuseport_select",
    [EBPF_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE] = "sk_reuseport_select_or_migrate",
    [EBPF_ATTACH_PERF_EVENT] = "perf_event",
    [EBPF_ATTACH_TRACE_KPROBE_MULTI] = "trace_kprobe_multi",
    [EBPF_ATTACH_LSM_CGROUP] = "lsm_cgroup",
    [EBPF_ATTACH_STRUCT_OPS] = "struct_ops",
    [EBPF_ATTACH_NETFILTER] = "netfilter",
    [EBPF_ATTACH_TCX_INGRESS] = "tcx_ingress",
    [EBPF_ATTACH_TCX_EGRESS] = "tcx_egress",
    [EBPF_ATTACH_TRACE_UPROBE_MULTI] = "trace_uprobe_multi",
    [EBPF_ATTACH_CGROUP_UNIX_CONNECT] = "cgroup_unix_connect",
    [EBPF_ATTACH_CGROUP_UNIX_SENDMSG] = "cgroup_unix_sendmsg",
    [EBPF_ATTACH_CGROUP_UNIX_RECVMSG] = "cgroup_unix_recvmsg",
    [EBPF_ATTACH_CGROUP_UNIX_GETPEERNAME] = "cgroup_unix_getpeername",
    [EBPF_ATTACH_CGROUP_UNIX_GETSOCKNAME] = "cgroup_unix_getsockname",
    [EBPF_ATTACH_NETKIT_PRIMARY] = "netkit_primary",
    [EBPF_ATTACH_NETKIT_PEER] = "netkit_peer",
};

bool ebpf_prog_type_known(enum ebpf_prog_type type)
{
	return (unsigned int)type < COUNT_OF(prog_type_names) && prog_type_names[type];
}

const char *ebpf_prog_type_name(enum ebpf_prog_type type)
{
	return ebpf_prog_type_known(type) ? prog_type_names[type] : "?";
}

const char *ebpf_attach_type_name(enum ebpf_prog_type prog_type, enum ebpf_attach_type type)
{
	/* Linux's 0 is "none" but for cgroup_skb, whose ingress it numbers. */
	if (type == EBPF_ATTACH_NONE && prog_type != EBPF_PROG_TYPE_CGROUP_SKB)
		return "none";
	if ((unsigned int)type >= COUNT_OF(attach_type_names) || !attach_type_names[type])
		return "?";
	return attach_type_names[type];
}

bool ebpf_attaches_to_device_xdp(enum ebpf_prog_type prog_type, enum ebpf_attach_type type)
{
	return prog_type == EBPF_PROG_TYPE_XDP && type != EBPF_ATTACH_XDP_DEVMAP &&
	       type != EBPF_ATTACH_XDP_CPUMAP;
}

const struct ebpf_ctx_field *ebpf_prog_type_ctx_field(const struct ebpf_prog_type_info *info,
						      enum ebpf_attach_type attach, int32_t off,
						      unsigned int size)
{
	const struct ebpf_ctx_field *field;
	size_t i;

	for (i = 0; i < info->ctx_field_count; i++) {
		field = &info->ctx_fields[i];
		if (field->offset == off && field->size == size)
			return field->attach_only && field->attach_type != attach ? NULL : field;
	}
	return NULL;
}

bool ebpf_prog_type_has_packet(const struct ebpf_prog_type_info *info)
{
	size_t i;

	for (i = 0; i < info->ctx_field_count; i++)
		if (info->ctx_fields[i].kind == EBPF_CTX_PACKET)
			return true;
	return false;
}
