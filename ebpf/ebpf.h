/*
 * ukbpf eBPF runtime: the one public header.
 *
 * A freestanding library (it needs only <stdint.h>, <stddef.h>, <string.h>,
 * <stdlib.h> and <stdio.h>'s snprintf, all of which newlib provides in the
 * guest) that loads, checks and runs eBPF programs as defined by RFC 9669,
 * with Linux's numbering for helpers, map types and program types so that
 * objects built with clang for Linux run unchanged.
 *
 * Life of a program:
 *   load      ebpf_object_load_elf()  (clang objects)  or ebpf_prog_create()
 *             (raw instructions) or ebpf_cbpf_translate() + ebpf_prog_create()
 *   check     structural checks happen at load; the verifier (ebpf_verify())
 *             sits between load and run
 *   compile   ebpf_prog_jit() (optional; the interpreter always works)
 *   run       ebpf_prog_run(), which uses the JIT code when present
 *
 * Errors: every function that can fail returns 0 or a negative errno value
 * and, when given a struct ebpf_log, writes a one-line reason into it that
 * names what failed and where (section, offset, instruction index).
 * Nothing here prints; callers at the edges do.
 *
 * Platform services that differ between the guest and a host process
 * (executable memory, clock, console, randomness) come in through
 * struct ebpf_platform, installed once with ebpf_set_platform().
 */
#ifndef UKBPF_EBPF_H
#define UKBPF_EBPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Instructions (RFC 9669 §3: the basic encoding, little-endian).      */

struct ebpf_insn {
	uint8_t opcode;
	uint8_t dst_reg : 4;
	uint8_t src_reg : 4;
	int16_t offset;
	int32_t imm;
};

#define EBPF_NUM_REGS	    11	       /* r0..r10 */
#define EBPF_STACK_SIZE	    512	       /* bytes per frame, RFC 9669 §2.3 */
#define EBPF_MAX_INSNS	    (1u << 20) /* largest program accepted at load */
#define EBPF_MAX_CALL_DEPTH 8	       /* bpf-to-bpf frames, like Linux */
#define EBPF_MAX_TAIL_CALLS 33	       /* Linux's MAX_TAIL_CALL_CNT */

/* ------------------------------------------------------------------ */
/* Error log: a caller-owned buffer that keeps the first message and    */
/* appends later ones (a verifier log grows line by line).              */

struct ebpf_log {
	char *buf;   /* may be NULL: messages are dropped */
	size_t size; /* bytes available in buf, including the NUL */
	size_t len;  /* bytes written so far, excluding the NUL */
	int level;   /* 0: errors only; 1: verifier states as well */
};

/* Appends printf-style text to log (no-op when log or log->buf is NULL). */
void ebpf_log_printf(struct ebpf_log *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* Sockets, as the socket lookup helpers see them.                      */

/*
 * A socket as a program reads it: Linux's struct bpf_sock (<linux/bpf.h>)
 * field for field, so that loads at Linux's offsets read these fields.
 * Addresses are in network byte order, IPv4 ones in *_ip4 only.
 */
struct ebpf_sock {
	uint32_t bound_dev_if;
	uint32_t family;   /* EBPF_AF_INET, EBPF_AF_INET6 */
	uint32_t type;	   /* EBPF_SOCK_STREAM, EBPF_SOCK_DGRAM */
	uint32_t protocol; /* EBPF_IPPROTO_TCP, EBPF_IPPROTO_UDP */
	uint32_t mark;
	uint32_t priority;
	uint32_t src_ip4; /* local */
	uint32_t src_ip6[4];
	uint32_t src_port; /* local, host byte order (as Linux) */
	uint16_t dst_port; /* remote, network byte order */
	uint16_t zero_padding;
	uint32_t dst_ip4; /* remote; 0 for a listening socket */
	uint32_t dst_ip6[4];
	uint32_t state;		  /* enum ebpf_tcp_state; UDP: ESTABLISHED or CLOSE */
	int32_t rx_queue_mapping; /* -1: not recorded */
};

#define EBPF_AF_INET	 2
#define EBPF_AF_INET6	 10
#define EBPF_SOCK_STREAM 1
#define EBPF_SOCK_DGRAM	 2
#define EBPF_IPPROTO_TCP 6
#define EBPF_IPPROTO_UDP 17

/* Linux's TCP states (BPF_TCP_*), the values of struct ebpf_sock's state. */
enum ebpf_tcp_state {
	EBPF_TCP_ESTABLISHED = 1,
	EBPF_TCP_SYN_SENT,
	EBPF_TCP_SYN_RECV,
	EBPF_TCP_FIN_WAIT1,
	EBPF_TCP_FIN_WAIT2,
	EBPF_TCP_TIME_WAIT,
	EBPF_TCP_CLOSE,
	EBPF_TCP_CLOSE_WAIT,
	EBPF_TCP_LAST_ACK,
	EBPF_TCP_LISTEN,
	EBPF_TCP_CLOSING,
	EBPF_TCP_NEW_SYN_RECV,
};

/* What a socket lookup asks for: a packet's addresses, as bpf_sock_tuple holds them. */
struct ebpf_sock_key {
	uint32_t family;   /* EBPF_AF_INET or EBPF_AF_INET6 */
	uint32_t protocol; /* EBPF_IPPROTO_TCP or EBPF_IPPROTO_UDP */
	/* Network byte order; an IPv4 address in the first 4 bytes. */
	uint8_t remote_addr[16]; /* the packet's source */
	uint8_t local_addr[16];	 /* its destination */
	uint16_t remote_port;	 /* network byte order */
	uint16_t local_port;
};

/* ------------------------------------------------------------------ */
/* Platform services.                                                   */

#define EBPF_ETH_ALEN  6
#define EBPF_AF_INET   2 /* Linux's address families, as struct bpf_fib_lookup carries them */
#define EBPF_AF_INET6  10
#define EBPF_IPV6_ALEN 16

/* A network device: what bpf_check_mtu and bpf_fib_lookup need of it. */
struct ebpf_netdev {
	uint32_t ifindex;
	uint32_t mtu;		  /* L3 MTU (Linux's dev->mtu) */
	uint16_t hard_header_len; /* L2 header the MTU excludes: 14 for Ethernet */
	uint8_t mac[EBPF_ETH_ALEN];
	bool ipv4_forwarding; /* net.ipv4.conf.DEV.forwarding */
	bool ipv6_forwarding;
};

/* What bpf_fib_lookup asks the routing table. Addresses in network order. */
struct ebpf_route_query {
	uint8_t family; /* EBPF_AF_INET or EBPF_AF_INET6 */
	uint8_t tos;
	uint32_t ifindex; /* the input device, or with output the output device */
	bool output;	  /* BPF_FIB_LOOKUP_OUTPUT: a route out of ifindex */
	bool direct;	  /* BPF_FIB_LOOKUP_DIRECT: the main table, no policy rules */
	uint8_t src[EBPF_IPV6_ALEN];
	uint8_t dst[EBPF_IPV6_ALEN];
};

/* Linux's route types that bpf_fib_lookup tells apart (RTN_*). */
enum ebpf_route_type {
	EBPF_ROUTE_NONE,    /* no route matches */
	EBPF_ROUTE_UNICAST, /* forward through route.ifindex */
	EBPF_ROUTE_LOCAL,   /* for this host, or broadcast: not forwarded */
	EBPF_ROUTE_BLACKHOLE,
	EBPF_ROUTE_UNREACHABLE,
	EBPF_ROUTE_PROHIBIT,
};

struct ebpf_route {
	uint32_t ifindex; /* output device */
	uint32_t metric;
	uint32_t mtu; /* the path's MTU, never 0: the device's unless the route says less */
	uint8_t gateway_family; /* 0 when the destination is on the link */
	uint8_t gateway[EBPF_IPV6_ALEN];
};

struct ebpf_platform {
	/*
	 * Executable memory for the JIT: alloc returns writable, non-executable
	 * memory; seal turns it read+execute (never W and X at once); free
	 * releases it. NULL alloc means "no JIT on this platform".
	 */
	void *(*exec_alloc)(size_t size);
	int (*exec_seal)(void *mem, size_t size);
	void (*exec_free)(void *mem, size_t size);
	/* Monotonic nanoseconds (bpf_ktime_get_ns). */
	uint64_t (*ktime_ns)(void);
	/* Console output for bpf_trace_printk; text is not NUL-terminated. */
	void (*trace_write)(const char *text, size_t len);
	/*
	 * Random numbers for bpf_get_prandom_u32, JIT constant blinding and
	 * the SYN-cookie key (drawn once per boot or process).
	 */
	uint32_t (*random_u32)(void);
	/*
	 * The network as bpf_check_mtu and bpf_fib_lookup see it (NULL: no
	 * devices, every ifindex is unknown). netdev_get fills *dev for
	 * ifindex and returns 0, or -ENODEV.
	 */
	int (*netdev_get)(uint32_t ifindex, struct ebpf_netdev *dev);
	/*
	 * The route for query (Linux's fib_lookup, or fib_table_lookup of the
	 * main table when query->direct); NULL hook: no route.
	 */
	enum ebpf_route_type (*route_lookup)(const struct ebpf_route_query *query,
					     struct ebpf_route *route);
	/*
	 * The link-layer address of a reachable neighbour addr (family's
	 * size) on device ifindex into mac; false when none is known.
	 */
	bool (*neigh_lookup)(uint8_t family, uint32_t ifindex, const uint8_t *addr,
			     uint8_t mac[EBPF_ETH_ALEN]);
	/*
	 * The socket a packet with key's addresses would reach, for
	 * bpf_sk_lookup_tcp/udp and bpf_skc_lookup_tcp: a connected one
	 * (TCP: any state but LISTEN, TIME_WAIT included) before one bound
	 * or listening on the local address or any. Fills *sock and returns
	 * true; false when there is none. NULL: the platform has no sockets.
	 */
	bool (*sock_lookup)(const struct ebpf_sock_key *key, struct ebpf_sock *sock);
};

/*
 * Installs the platform hooks (copied). Call before any JIT or run; a
 * later call may add hooks (the guest's network adds its own when it is
 * up), leaving the others as they were.
 */
void ebpf_set_platform(const struct ebpf_platform *platform);
const struct ebpf_platform *ebpf_get_platform(void);

/* ------------------------------------------------------------------ */
/* Program types, attach types and section names (Linux UAPI numbering). */

/*
 * Linux's enum bpf_prog_type, every value, so that any program of an
 * object can be named. ukbpf runs UNSPEC, SOCKET_FILTER and XDP; a
 * program of another type is refused when it is loaded.
 */
enum ebpf_prog_type {
	EBPF_PROG_TYPE_UNSPEC = 0,	  /* the --mem convention: r1 = mem, r2 = len */
	EBPF_PROG_TYPE_SOCKET_FILTER = 1, /* translated classic BPF */
	EBPF_PROG_TYPE_KPROBE = 2,
	EBPF_PROG_TYPE_SCHED_CLS = 3,
	EBPF_PROG_TYPE_SCHED_ACT = 4,
	EBPF_PROG_TYPE_TRACEPOINT = 5,
	EBPF_PROG_TYPE_XDP = 6,
	EBPF_PROG_TYPE_PERF_EVENT = 7,
	EBPF_PROG_TYPE_CGROUP_SKB = 8,
	EBPF_PROG_TYPE_CGROUP_SOCK = 9,
	EBPF_PROG_TYPE_LWT_IN = 10,
	EBPF_PROG_TYPE_LWT_OUT = 11,
	EBPF_PROG_TYPE_LWT_XMIT = 12,
	EBPF_PROG_TYPE_SOCK_OPS = 13,
	EBPF_PROG_TYPE_SK_SKB = 14,
	EBPF_PROG_TYPE_CGROUP_DEVICE = 15,
	EBPF_PROG_TYPE_SK_MSG = 16,
	EBPF_PROG_TYPE_RAW_TRACEPOINT = 17,
	EBPF_PROG_TYPE_CGROUP_SOCK_ADDR = 18,
	EBPF_PROG_TYPE_LWT_SEG6LOCAL = 19,
	EBPF_PROG_TYPE_LIRC_MODE2 = 20,
	EBPF_PROG_TYPE_SK_REUSEPORT = 21,
	EBPF_PROG_TYPE_FLOW_DISSECTOR = 22,
	EBPF_PROG_TYPE_CGROUP_SYSCTL = 23,
	EBPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE = 24,
	EBPF_PROG_TYPE_CGROUP_SOCKOPT = 25,
	EBPF_PROG_TYPE_TRACING = 26,
	EBPF_PROG_TYPE_STRUCT_OPS = 27,
	EBPF_PROG_TYPE_EXT = 28,
	EBPF_PROG_TYPE_LSM = 29,
	EBPF_PROG_TYPE_SK_LOOKUP = 30,
	EBPF_PROG_TYPE_SYSCALL = 31,
	EBPF_PROG_TYPE_NETFILTER = 32,
};

/* Linux's name of type as bpftool prints it ("xdp", "socket_filter"); "?" if unknown. */
const char *ebpf_prog_type_name(enum ebpf_prog_type type);

/*
 * Linux's enum bpf_attach_type: where a program is meant to run, which
 * it declares at load as its expected attach type (libbpf takes it from
 * the section name: SEC("xdp/devmap") is BPF_XDP_DEVMAP). Some context
 * fields depend on it. A program declaring none has 0, which Linux also
 * numbers BPF_CGROUP_INET_INGRESS: cgroup_skb programs mean that by it.
 */
enum ebpf_attach_type {
	EBPF_ATTACH_NONE = 0,
	EBPF_ATTACH_CGROUP_INET_INGRESS = 0,
	EBPF_ATTACH_CGROUP_INET_EGRESS = 1,
	EBPF_ATTACH_CGROUP_INET_SOCK_CREATE = 2,
	EBPF_ATTACH_CGROUP_SOCK_OPS = 3,
	EBPF_ATTACH_SK_SKB_STREAM_PARSER = 4,
	EBPF_ATTACH_SK_SKB_STREAM_VERDICT = 5,
	EBPF_ATTACH_CGROUP_DEVICE = 6,
	EBPF_ATTACH_SK_MSG_VERDICT = 7,
	EBPF_ATTACH_CGROUP_INET4_BIND = 8,
	EBPF_ATTACH_CGROUP_INET6_BIND = 9,
	EBPF_ATTACH_CGROUP_INET4_CONNECT = 10,
	EBPF_ATTACH_CGROUP_INET6_CONNECT = 11,
	EBPF_ATTACH_CGROUP_INET4_POST_BIND = 12,
	EBPF_ATTACH_CGROUP_INET6_POST_BIND = 13,
	EBPF_ATTACH_CGROUP_UDP4_SENDMSG = 14,
	EBPF_ATTACH_CGROUP_UDP6_SENDMSG = 15,
	EBPF_ATTACH_LIRC_MODE2 = 16,
	EBPF_ATTACH_FLOW_DISSECTOR = 17,
	EBPF_ATTACH_CGROUP_SYSCTL = 18,
	EBPF_ATTACH_CGROUP_UDP4_RECVMSG = 19,
	EBPF_ATTACH_CGROUP_UDP6_RECVMSG = 20,
	EBPF_ATTACH_CGROUP_GETSOCKOPT = 21,
	EBPF_ATTACH_CGROUP_SETSOCKOPT = 22,
	EBPF_ATTACH_TRACE_RAW_TP = 23,
	EBPF_ATTACH_TRACE_FENTRY = 24,
	EBPF_ATTACH_TRACE_FEXIT = 25,
	EBPF_ATTACH_MODIFY_RETURN = 26,
	EBPF_ATTACH_LSM_MAC = 27,
	EBPF_ATTACH_TRACE_ITER = 28,
	EBPF_ATTACH_CGROUP_INET4_GETPEERNAME = 29,
	EBPF_ATTACH_CGROUP_INET6_GETPEERNAME = 30,
	EBPF_ATTACH_CGROUP_INET4_GETSOCKNAME = 31,
	EBPF_ATTACH_CGROUP_INET6_GETSOCKNAME = 32,
	EBPF_ATTACH_XDP_DEVMAP = 33, /* XDP programs of devmap entries */
	EBPF_ATTACH_CGROUP_INET_SOCK_RELEASE = 34,
	EBPF_ATTACH_XDP_CPUMAP = 35, /* XDP programs of cpumap entries */
	EBPF_ATTACH_SK_LOOKUP = 36,
	EBPF_ATTACH_XDP = 37, /* XDP programs of a device */
	EBPF_ATTACH_SK_SKB_VERDICT = 38,
	EBPF_ATTACH_SK_REUSEPORT_SELECT = 39,
	EBPF_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE = 40,
	EBPF_ATTACH_PERF_EVENT = 41,
	EBPF_ATTACH_TRACE_KPROBE_MULTI = 42,
	EBPF_ATTACH_LSM_CGROUP = 43,
	EBPF_ATTACH_STRUCT_OPS = 44,
	EBPF_ATTACH_NETFILTER = 45,
	EBPF_ATTACH_TCX_INGRESS = 46,
	EBPF_ATTACH_TCX_EGRESS = 47,
	EBPF_ATTACH_TRACE_UPROBE_MULTI = 48,
	EBPF_ATTACH_CGROUP_UNIX_CONNECT = 49,
	EBPF_ATTACH_CGROUP_UNIX_SENDMSG = 50,
	EBPF_ATTACH_CGROUP_UNIX_RECVMSG = 51,
	EBPF_ATTACH_CGROUP_UNIX_GETPEERNAME = 52,
	EBPF_ATTACH_CGROUP_UNIX_GETSOCKNAME = 53,
	EBPF_ATTACH_NETKIT_PRIMARY = 54,
	EBPF_ATTACH_NETKIT_PEER = 55,
};

/*
 * libbpf's name of an expected attach type ("xdp_devmap"); "none" for 0
 * unless prog_type is cgroup_skb; "?" if unknown.
 */
const char *ebpf_attach_type_name(enum ebpf_prog_type prog_type, enum ebpf_attach_type type);

/*
 * Whether a program of this type and expected attach type may run at a
 * network device's XDP hook: any XDP program but those meant for devmap
 * or cpumap entries (SEC("xdp/devmap"), SEC("xdp/cpumap") and their
 * .frags forms), which Linux's dev_xdp_attach refuses with -EINVAL
 * ("BPF_XDP_DEVMAP programs can not be attached to a device").
 */
bool ebpf_attaches_to_device_xdp(enum ebpf_prog_type prog_type, enum ebpf_attach_type type);

/* Which of libbpf's rules for SEC() names gave a section its type. */
enum ebpf_section_match {
	EBPF_SECTION_NO_RULE = 0, /* none: the section loads as UNSPEC (test programs) */
	EBPF_SECTION_EXACT,	  /* the rule's name itself: "xdp", "xdp/devmap" */
	EBPF_SECTION_EXTRAS,	  /* the rule's name, '/', anything: "kprobe/do_unlinkat" */
	EBPF_SECTION_LEGACY,	  /* libbpf 0.x: a name that starts with the rule's: "xdp_prog" */
};

struct ebpf_section_type {
	enum ebpf_prog_type type;
	enum ebpf_attach_type expected_attach_type;
	enum ebpf_section_match match;
	const char *rule; /* the rule's name ("xdp"); NULL with EBPF_SECTION_NO_RULE */
};

/*
 * The program type and expected attach type that libbpf gives a program
 * in section name (libbpf's section_defs[]): libbpf 1.x's rules, then the
 * prefix rule libbpf 0.x had for some names, which objects built for it
 * rely on ("xdp_prog", "xdp/eth0" are XDP). A section no rule claims is
 * EBPF_PROG_TYPE_UNSPEC, so test programs may use any other name.
 */
void ebpf_section_type(const char *name, struct ebpf_section_type *out);

/* ------------------------------------------------------------------ */
/* The XDP context (Linux UAPI layout).                                 */

/* XDP verdicts (Linux enum xdp_action). */
enum ebpf_xdp_action {
	EBPF_XDP_ABORTED = 0,
	EBPF_XDP_DROP = 1,
	EBPF_XDP_PASS = 2,
	EBPF_XDP_TX = 3,
	EBPF_XDP_REDIRECT = 4,
};

/* Linux's struct xdp_md, field for field: what the program sees in r1. */
struct ebpf_xdp_md {
	uint32_t data;
	uint32_t data_end;
	uint32_t data_meta;
	uint32_t ingress_ifindex;
	uint32_t rx_queue_index;
	uint32_t egress_ifindex;
};

/* Where an XDP_REDIRECT sends the frame: what kind of target, then which. */
enum ebpf_xdp_target_kind {
	EBPF_XDP_TARGET_NONE = 0,  /* no helper chose one */
	EBPF_XDP_TARGET_DEVICE,	   /* index is an ifindex: bpf_redirect, a devmap entry */
	EBPF_XDP_TARGET_BROADCAST, /* every device of broadcast (BPF_F_BROADCAST) */
	EBPF_XDP_TARGET_CPU,	   /* index is a CPU: a cpumap entry */
	EBPF_XDP_TARGET_XSK,	   /* index is an xskmap key, xsk the socket stored there */
};

struct ebpf_xdp_target {
	enum ebpf_xdp_target_kind kind;
	uint32_t index;
	void *xsk;		    /* EBPF_XDP_TARGET_XSK: what ebpf_xskmap_update stored */
	struct ebpf_map *broadcast; /* EBPF_XDP_TARGET_BROADCAST: the devmap */
	bool exclude_ingress;	    /* with it: BPF_F_EXCLUDE_INGRESS */
};

/*
 * The context handed to an XDP program. The UAPI struct comes first so the
 * program's r1 points at it; the rest is for helpers and for the redirect
 * decision. [buf_start, buf_end) is the frame's whole buffer, Linux's
 * data_hard_start and frame_sz: adjust_head/meta/tail move the frame's
 * ends within it, but like Linux they leave its first bytes to a struct
 * xdp_frame and its last to a struct skb_shared_info (40 and 320 bytes on
 * x86-64), so a buffer laid out as Linux's gives a program the same room.
 *
 * Because xdp_md carries 32-bit pointers, packet memory must lie in the low
 * 4 GiB of the address space: the guest's memory is identity-mapped below
 * 4 GiB, and host programs allocate packet buffers with MAP_32BIT.
 * ebpf_xdp_init() checks this.
 */
struct ebpf_xdp_buff {
	struct ebpf_xdp_md md;
	uint8_t *buf_start;		 /* start of the buffer (data_hard_start) */
	uint8_t *buf_end;		 /* its end (data_hard_start + frame_sz) */
	struct ebpf_xdp_target redirect; /* see ebpf_xdp_redirect_target */
};

/*
 * Linux's buffer for one frame, as BPF_PROG_TEST_RUN and most drivers lay
 * it out: a page, with the frame XDP_PACKET_HEADROOM bytes into it.
 */
#define EBPF_XDP_HEADROOM   256
#define EBPF_XDP_FRAME_SIZE 4096

/*
 * The size of that buffer for a frame of len bytes: EBPF_XDP_FRAME_SIZE,
 * or more when the frame does not fit in a page beside the headroom and
 * what the helpers keep (Linux would spread it over fragments, which
 * ukbpf does not have; such a frame cannot grow at its tail).
 */
size_t ebpf_xdp_buf_size(size_t len);

/*
 * Fills xb for a frame of len bytes at data, inside the buffer
 * [buf_start, buf_end). Returns -EINVAL when the frame is not inside the
 * buffer and -ERANGE when any address is not below 4 GiB.
 */
int ebpf_xdp_init(struct ebpf_xdp_buff *xb, uint8_t *buf_start, uint8_t *buf_end, uint8_t *data,
		  size_t len, uint32_t ifindex, uint32_t rx_queue);

/*
 * After a run on xb that returned EBPF_XDP_REDIRECT: copies the target
 * that bpf_redirect or bpf_redirect_map chose into xb->redirect. Returns
 * 0, or -ENOENT when no helper chose one (kind EBPF_XDP_TARGET_NONE).
 * A broadcast's devices are listed by ebpf_xdp_broadcast_targets().
 * Linux's bpf_redirect has no context argument, so the helpers record the
 * target in one module-level slot that ebpf_xdp_init() clears: one XDP run
 * at a time (ukbpf runs programs on a single CPU). The last helper call
 * decides, as in Linux.
 */
int ebpf_xdp_redirect_target(struct ebpf_xdp_buff *xb);

/*
 * The devices a broadcast redirect goes to: each ifindex of
 * xb->redirect.broadcast's devmap in key order, at most max of them into
 * ifindexes, without the ingress device when exclude_ingress.
 * Returns how many were written (0 without a broadcast).
 */
size_t ebpf_xdp_broadcast_targets(const struct ebpf_xdp_buff *xb, uint32_t *ifindexes, size_t max);

/* ------------------------------------------------------------------ */
/* Maps (Linux enum bpf_map_type numbering).                            */

enum ebpf_map_type {
	EBPF_MAP_TYPE_HASH = 1,
	EBPF_MAP_TYPE_ARRAY = 2,
	EBPF_MAP_TYPE_PROG_ARRAY = 3,
	EBPF_MAP_TYPE_PERF_EVENT_ARRAY = 4,
	EBPF_MAP_TYPE_PERCPU_HASH = 5,
	EBPF_MAP_TYPE_PERCPU_ARRAY = 6,
	EBPF_MAP_TYPE_LRU_HASH = 9,
	EBPF_MAP_TYPE_LRU_PERCPU_HASH = 10,
	EBPF_MAP_TYPE_LPM_TRIE = 11,
	EBPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
	EBPF_MAP_TYPE_HASH_OF_MAPS = 13,
	EBPF_MAP_TYPE_DEVMAP = 14,
	EBPF_MAP_TYPE_CPUMAP = 16,
	EBPF_MAP_TYPE_XSKMAP = 17,
	EBPF_MAP_TYPE_QUEUE = 22,
	EBPF_MAP_TYPE_STACK = 23,
	EBPF_MAP_TYPE_DEVMAP_HASH = 25,
	EBPF_MAP_TYPE_RINGBUF = 27,
	EBPF_MAP_TYPE_BLOOM_FILTER = 30,
};

/* Linux's name of a map type as bpftool prints it ("lpm_trie"); "?" if ukbpf has no such type. */
const char *ebpf_map_type_name(uint32_t type);

/* Update flags (Linux BPF_ANY, BPF_NOEXIST, BPF_EXIST). */
#define EBPF_ANY     0
#define EBPF_NOEXIST 1
#define EBPF_EXIST   2
/* Or'ed in: copy the value under its struct bpf_spin_lock (hash and array maps with one). */
#define EBPF_F_LOCK 4

/*
 * A map's definition, Linux's bpf_attr for BPF_MAP_CREATE. flags are
 * Linux's BPF_F_* (each type accepts Linux's set; BPF_F_NO_PREALLOC is
 * required by the LPM trie and changes nothing else: every map is
 * allocated whole at create). map_extra is the bloom filter's number of
 * hash functions (1-15, 0 for Linux's default of 5) and must be 0 for
 * every other type.
 */
struct ebpf_map_def {
	uint32_t type; /* enum ebpf_map_type */
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	uint32_t flags;
	uint32_t map_extra;
};

struct ebpf_map;
struct ebpf_prog; /* declared here because ebpf_prog_array_set takes one */

/* Creates a map; name is copied (may be NULL). */
int ebpf_map_create(const struct ebpf_map_def *def, const char *name, struct ebpf_map **mapp,
		    struct ebpf_log *log);
void ebpf_map_free(struct ebpf_map *map);
const struct ebpf_map_def *ebpf_map_get_def(const struct ebpf_map *map);

/*
 * What a map of def charges against a memory limit, as Linux charges a
 * preallocated map: max_entries times key and value, each rounded up to
 * 8 bytes; a ring buffer its data size. Not its exact allocation.
 */
uint64_t ebpf_map_def_bytes(const struct ebpf_map_def *def);

const char *ebpf_map_get_name(const struct ebpf_map *map);

/*
 * The user-side map API, with Linux's bpf(2) semantics and error codes:
 * lookup copies the value out (-ENOENT if absent); update honours
 * EBPF_ANY/NOEXIST/EXIST (-EEXIST, -ENOENT, -E2BIG when full, -EINVAL for a
 * bad flag), with EBPF_F_LOCK on a hash or array whose value holds a
 * struct bpf_spin_lock (-EINVAL on others); an update never copies that
 * lock; delete (-ENOENT; -EINVAL on arrays); get_next_key with
 * key == NULL returns the first key, -ENOENT after the last.
 * lookup_and_delete copies the value out and deletes it (hash types;
 * -EOPNOTSUPP for types Linux does not offer it on). -EOPNOTSUPP is also
 * what Linux's kernel-internal -ENOTSUPP (524) becomes here.
 *
 * Per type, as in Linux:
 *   LPM trie      the key is struct bpf_lpm_trie_key: a u32 prefix length
 *                 (host order) then key_size - 4 bytes of data, most
 *                 significant first. lookup finds the longest stored
 *                 prefix that contains the key's; update and delete work
 *                 on the exact prefix (-EINVAL for a prefix length past
 *                 the data, -ENOSPC when full); get_next_key walks in
 *                 postorder, more specific prefixes first.
 *   queue, stack  key_size 0 and key ignored (pass NULL): update pushes
 *                 (flags EBPF_ANY, or EBPF_EXIST to overwrite the oldest
 *                 value when full; -E2BIG when full otherwise), lookup
 *                 peeks and lookup_and_delete pops the next value (the
 *                 oldest for a queue, the newest for a stack; -ENOENT
 *                 when empty); delete and get_next_key are -EINVAL.
 *   bloom filter  key_size 0: update adds value (flags must be EBPF_ANY);
 *                 lookup reads *value as the element to test: 0 when it
 *                 may be in the set, -ENOENT when it certainly is not.
 *   devmap, devmap_hash  the value is a u32 ifindex, or Linux's struct
 *                 bpf_devmap_val (ifindex, then a program fd: ukbpf has
 *                 none, so it must be 0 or negative, and reads back 0).
 *   cpumap        key a CPU (< max_entries, which is at most Linux's
 *                 NR_CPUS; a CPU ukbpf does not have is -ENODEV: only 0
 *                 exists), value Linux's struct bpf_cpumap_val: a u32
 *                 queue size (1-16384; 0 empties the slot; more is
 *                 -EOVERFLOW), then (8-byte values) a program fd, which
 *                 must be 0 or negative (a positive fd names nothing
 *                 here: Linux's -ENOMEM of a failed entry). NOEXIST is
 *                 always -EEXIST, as for arrays.
 *   xskmap        key 4, value 4 (a socket fd in Linux): users may not
 *                 look it up (-EOPNOTSUPP) and, without fds, not update
 *                 it either (-EBADF after Linux's flag and -E2BIG
 *                 checks); sockets go in with ebpf_xskmap_update. Delete
 *                 empties a slot (-EINVAL past max_entries).
 */
int ebpf_map_lookup(struct ebpf_map *map, const void *key, void *value);
int ebpf_map_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags);
int ebpf_map_delete(struct ebpf_map *map, const void *key);
int ebpf_map_get_next_key(struct ebpf_map *map, const void *key, void *next_key);
int ebpf_map_lookup_and_delete(struct ebpf_map *map, const void *key, void *value);

/*
 * A prog array (EBPF_MAP_TYPE_PROG_ARRAY) holds programs, not bytes: set
 * slot index to prog (NULL empties it). -E2BIG past max_entries, -EINVAL
 * for another map type or a program of another type than the array's
 * first. The map borrows prog: free the map before the program.
 */
int ebpf_prog_array_set(struct ebpf_map *map, uint32_t index, struct ebpf_prog *prog);

/*
 * An XSKMAP (EBPF_MAP_TYPE_XSKMAP) holds AF_XDP sockets, which live
 * outside ebpf/ (net/xsk.h): puts xsk, bound to receive queue queue_id,
 * in slot key, as Linux's update with the socket's fd would: flags as in
 * ebpf_map_update (-EINVAL for a bad one, -EEXIST / -ENOENT), -E2BIG past
 * max_entries, -EINVAL for another map type or a NULL xsk. A program's
 * lookup of the slot then gives a pointer to queue_id (Linux's struct
 * bpf_xdp_sock), and bpf_redirect_map to it gives the target
 * EBPF_XDP_TARGET_XSK with xsk. The map borrows xsk: delete the slot
 * (ebpf_map_delete) before the socket goes away.
 */
int ebpf_xskmap_update(struct ebpf_map *map, uint32_t key, void *xsk, uint32_t queue_id,
		       uint64_t flags);

/*
 * Map-in-map (EBPF_MAP_TYPE_ARRAY_OF_MAPS, EBPF_MAP_TYPE_HASH_OF_MAPS):
 * values are maps. Linux's BPF_MAP_CREATE names a template map by
 * inner_map_fd; here inner is the template's definition (copied), which
 * must itself be a valid map of a type Linux allows inside a map (not a
 * map-in-map: -EINVAL; not a prog array: -EOPNOTSUPP). def's value_size
 * must be 4, as Linux's (a map fd); ebpf_map_create refuses these types,
 * and this refuses the others (-EINVAL).
 *
 * ukbpf has no fds, so user space fills a slot with ebpf_map_set_inner
 * rather than ebpf_map_update (-EINVAL on these types) and reads it with
 * ebpf_map_get_inner (ebpf_map_lookup is -EOPNOTSUPP: Linux returns a map
 * id, which ukbpf does not have). set_inner fails as Linux's update does:
 * -EINVAL when inner does not match the template (type, key_size,
 * value_size, flags, and for an array without EBPF_F_INNER_MAP in the
 * template, max_entries) or inner is NULL; an array of maps takes only
 * EBPF_ANY and -E2BIG past max_entries; a hash of maps has the hash's
 * flags and errors. ebpf_map_delete empties a slot (-ENOENT when empty;
 * -E2BIG past an array's end).
 *
 * The outer map borrows its inner maps, as a prog array borrows its
 * programs: free the outer map (or delete the slot) before an inner map.
 * An object's maps live and die together, so its initializers are safe.
 */
int ebpf_map_create_outer(const struct ebpf_map_def *def, const struct ebpf_map_def *inner,
			  const char *name, struct ebpf_map **mapp, struct ebpf_log *log);
int ebpf_map_set_inner(struct ebpf_map *outer, const void *key, struct ebpf_map *inner,
		       uint64_t flags);
/* The map in outer's slot key, or NULL (empty, no such key, not a map-in-map). */
struct ebpf_map *ebpf_map_get_inner(struct ebpf_map *outer, const void *key);
/* The template outer's inner maps match, or NULL when outer is not a map-in-map. */
const struct ebpf_map_def *ebpf_map_get_inner_def(const struct ebpf_map *outer);

/*
 * The consumer side of a ring buffer (EBPF_MAP_TYPE_RINGBUF): calls cb on
 * each submitted record in order, skipping discarded ones, and frees their
 * space. Stops at a record still reserved (not yet submitted), when cb
 * returns > 0 (that record counts as consumed), or when cb returns < 0,
 * which is returned. Otherwise returns the number of records consumed;
 * -EINVAL when map is not a ring buffer.
 */
int ebpf_ringbuf_consume(struct ebpf_map *map, int (*cb)(void *ctx, const void *data, size_t len),
			 void *ctx);

/*
 * The consumer side of a perf event array (EBPF_MAP_TYPE_PERF_EVENT_ARRAY).
 * Linux fills its slots with perf event fds, one ring per CPU; ukbpf has
 * no fds, so every slot (key_size and value_size 4, max_entries slots;
 * update, delete and lookup are -EOPNOTSUPP) delivers into one ring of
 * the map, and this reads it: first lost(ctx, 0, count) if
 * bpf_perf_event_output found the ring full since the last call (lost
 * may be NULL), then sample(ctx, slot, data, len) for each record in
 * order, where slot is the index the program sent it to (0 for
 * BPF_F_CURRENT_CPU: one CPU) and len is Linux's raw sample size, the
 * data padded with zeros so that with perf's 4-byte size field it is a
 * multiple of 8. Stops when sample returns > 0 (that record counts as
 * consumed) or < 0 (returned). Returns the number of records consumed;
 * -EINVAL when map is not a perf event array.
 */
int ebpf_perf_event_consume(struct ebpf_map *map,
			    int (*sample)(void *ctx, uint32_t cpu, const void *data, size_t len),
			    void (*lost)(void *ctx, uint32_t cpu, uint64_t count), void *ctx);

/* ------------------------------------------------------------------ */
/* Programs.                                                            */

struct ebpf_prog;

/*
 * Relocation targets a raw program may refer to: lddw with src_reg
 * BPF_PSEUDO_MAP_FD (1) or BPF_PSEUDO_MAP_VALUE (2) uses imm as an index
 * into maps[]. The program keeps the pointers, not ownership.
 */
struct ebpf_prog_opts {
	enum ebpf_prog_type type;
	/* Where it is meant to run; some context fields depend on it. */
	enum ebpf_attach_type expected_attach_type;
	const char *name;	      /* copied; may be NULL */
	struct ebpf_map *const *maps; /* may be NULL when map_count == 0 */
	size_t map_count;
};

/*
 * Copies count instructions into a new program after the structural checks
 * (known opcodes, register numbers, jump targets inside the program and not
 * into the second half of an lddw, lddw pairs intact, call targets, at most
 * EBPF_MAX_INSNS) and resolves map references through opts->maps.
 * Errors name the instruction index: "insn 12: jump out of range (off 40)".
 * -ENOTSUP for a program type ukbpf does not run.
 */
int ebpf_prog_create(const struct ebpf_insn *insns, size_t count, const struct ebpf_prog_opts *opts,
		     struct ebpf_prog **progp, struct ebpf_log *log);
void ebpf_prog_free(struct ebpf_prog *prog);

/*
 * A new program with prog's instructions and maps (borrowed, as prog
 * borrows them) as a program of another type and expected attach type:
 * to check a program against another type's rules (ukbpf verify --type).
 * Neither verified nor compiled; -ENOTSUP for a type ukbpf does not run.
 */
int ebpf_prog_copy_as(const struct ebpf_prog *prog, enum ebpf_prog_type type,
		      enum ebpf_attach_type expected_attach_type, struct ebpf_prog **progp,
		      struct ebpf_log *log);

const char *ebpf_prog_get_name(const struct ebpf_prog *prog);
enum ebpf_prog_type ebpf_prog_get_type(const struct ebpf_prog *prog);
enum ebpf_attach_type ebpf_prog_get_expected_attach_type(const struct ebpf_prog *prog);
const struct ebpf_insn *ebpf_prog_get_insns(const struct ebpf_prog *prog, size_t *count);

/*
 * Compiles prog to x86-64 code. blind_constants rewrites immediates so
 * that attacker-chosen constants never appear in executable memory.
 * -ENOTSUP when the platform has no executable memory.
 */
struct ebpf_jit_opts {
	bool blind_constants;
};
int ebpf_prog_jit(struct ebpf_prog *prog, const struct ebpf_jit_opts *opts, struct ebpf_log *log);
/* The JIT's code, for dumping; NULL before ebpf_prog_jit. */
const void *ebpf_prog_get_jit_code(const struct ebpf_prog *prog, size_t *size);

/*
 * Runs prog with r1 = ctx (and r2 = ctx_len for EBPF_PROG_TYPE_UNSPEC,
 * the conformance-suite convention). Uses the JIT code when present.
 * Returns r0.
 */
uint64_t ebpf_prog_run(const struct ebpf_prog *prog, void *ctx, size_t ctx_len);
/* Always the interpreter, whether or not the program is JIT-compiled. */
uint64_t ebpf_prog_run_interp(const struct ebpf_prog *prog, void *ctx, size_t ctx_len);

/*
 * The JIT code's entry point, NULL before ebpf_prog_jit: fn(ctx, ctx_len)
 * is ebpf_prog_run(prog, ctx, ctx_len) without the call and the check in
 * between, which cost as much as a short program itself; for loops that
 * run one program very often (a receive path, a benchmark). Valid until
 * the program is freed or compiled again.
 */
typedef uint64_t (*ebpf_jit_fn)(void *ctx, size_t ctx_len);
ebpf_jit_fn ebpf_prog_get_jit_fn(const struct ebpf_prog *prog);

/* ------------------------------------------------------------------ */
/* ELF objects (clang -target bpf, libbpf conventions).                 */

struct ebpf_object;

/*
 * Parses an ELF object from memory (not retained): creates its maps
 * (BTF-defined in ".maps", legacy struct bpf_map_def in "maps", and
 * ".rodata"/".data"/".bss" as one-entry array maps), and one program per
 * function in each executable section, typed by its section name
 * (ebpf_section_type), with map and local-call relocations applied.
 *
 * A malformed object (its ELF structure, symbols, relocations, BTF) is
 * refused whole: nothing is created and the log says why. In a sound
 * object, what ukbpf cannot create is left out and recorded, and the rest
 * loads: a program of a type ukbpf does not run, or that calls an unknown
 * helper, uses a __ksym extern (ukbpf offers no kfuncs nor kernel
 * symbols) or a __kconfig one it cannot resolve, or refers to a map that
 * was not created, has
 * its own error (ebpf_object_prog_info); a map ukbpf cannot create
 * (an unsupported type or definition) is an object-level record
 * (ebpf_object_map_error) and fails only the programs that use it.
 * Returns 0 even when programs failed; -ENOMEM aborts the whole load.
 * The .rodata* maps, and the map ".kconfig" that holds the object's
 * __kconfig externs (libbpf's), come out frozen (Linux's BPF_MAP_FREEZE,
 * as libbpf leaves them): ebpf_map_update and ebpf_map_delete on them
 * return -EPERM, and the verifier reads their bytes as the constants
 * they are.
 */
int ebpf_object_load_elf(const void *elf, size_t size, struct ebpf_object **objp,
			 struct ebpf_log *log);

/*
 * What a loader decides between opening an object and loading it, as a
 * libbpf user does between bpf_object__open and bpf_object__load.
 *
 * A global is a variable of .rodata, .data or .bss found by its BTF name
 * (a skeleton's `rodata->name = value` for `const volatile` config
 * variables): the integer value is written into its map before any
 * program exists, so that .rodata, frozen at the end of the load (as
 * libbpf freezes it), is what the verifier reads as constants and prunes
 * by. value is the number's 64 bits (a negative one as two's complement);
 * it must fit the variable's type: 0 or 1 for a bool, the signed or
 * unsigned range of an integer or enum of its size.
 *
 * A map size is libbpf's bpf_map__set_max_entries: the object's map name
 * (.maps or maps) gets max_entries instead of its definition's, which
 * lets a map declared with 0 (sized by its loader at run time) be made.
 *
 * Either one naming what the object does not hold, or a value that does
 * not fit, refuses the whole load (nothing is created), the log naming
 * the variable or map: -ENOENT (no such variable or map), -EINVAL (a
 * variable that is not an integer, in no data section, or an object
 * without BTF), -ERANGE (the value does not fit).
 */
struct ebpf_global_value {
	const char *name;
	uint64_t value;
};
struct ebpf_map_size {
	const char *name;
	uint32_t max_entries;
};
/*
 * A kconfig value is libbpf's `kconfig` open option: what an
 * `extern T NAME __kconfig` variable reads, instead of the value ukbpf
 * reports (docs/architecture.md lists those: LINUX_KERNEL_VERSION is 6.1.0, the
 * API level ukbpf follows; CONFIG_HZ=250...). value is written as in a
 * kernel .config: y, n or m (bool, tristate or char), a number (decimal,
 * 0x hex or 0 octal) or a "quoted string" (char arrays). A name the
 * object does not use is ignored, as libbpf ignores it; a value the
 * variable's type cannot hold fails the programs that read it.
 */
struct ebpf_kconfig_value {
	const char *name;
	const char *value;
};
struct ebpf_object_load_opts {
	const struct ebpf_global_value *globals;
	size_t global_count;
	const struct ebpf_map_size *map_sizes;
	size_t map_size_count;
	/*
	 * 0, or what the object's maps may charge together
	 * (ebpf_map_def_bytes): a map that would pass it refuses the whole
	 * load with -ENOMEM before it is allocated (a control plane's limit).
	 */
	uint64_t max_map_bytes;
	const struct ebpf_kconfig_value *kconfig;
	size_t kconfig_count;
};
/* ebpf_object_load_elf with opts applied; opts may be NULL. */
int ebpf_object_load_elf_opts(const void *elf, size_t size,
			      const struct ebpf_object_load_opts *opts, struct ebpf_object **objp,
			      struct ebpf_log *log);
void ebpf_object_free(struct ebpf_object *obj);

/*
 * The object's programs, in section then symbol order, loaded or not:
 * ebpf_object_prog is NULL for one that did not load.
 */
size_t ebpf_object_prog_count(const struct ebpf_object *obj);
struct ebpf_prog *ebpf_object_prog(const struct ebpf_object *obj, size_t index);
/* Section name of a program from this object (NULL past the last). */
const char *ebpf_object_prog_section(const struct ebpf_object *obj, size_t index);

/* Everything the loader knows of one program, whether or not it loaded. */
struct ebpf_object_prog_info {
	const char *name;    /* the function's symbol name */
	const char *section; /* its section's name */
	/* Its type and expected attach type, and the rule that gave them. */
	struct ebpf_section_type section_type;
	/*
	 * false for a program of a section named "?..." (SEC("?xdp")), which
	 * libbpf does not load unless asked to by name: it is typed by the
	 * name after the '?' and loads here like any other, but callers that
	 * pick programs by default (ukbpf run's default, boot) skip it.
	 */
	bool autoload;
	struct ebpf_prog *prog; /* NULL when it did not load */
	int error;		/* 0, or why it did not load: a negative errno */
	const char *error_msg;	/* "" when it loaded, else the reason in one line */
};
/* Fills *info for the program at index; -ENOENT past the last. */
int ebpf_object_prog_info(const struct ebpf_object *obj, size_t index,
			  struct ebpf_object_prog_info *info);

/*
 * The index of the program called name (a function name), or else of the
 * first program in the section called name; -ENOENT if none.
 */
int ebpf_object_find_prog_index(const struct ebpf_object *obj, const char *name, size_t *index);
/* The program ebpf_object_find_prog_index finds; NULL if none or it did not load. */
struct ebpf_prog *ebpf_object_find_prog(const struct ebpf_object *obj, const char *name);

/* The maps the object created. */
size_t ebpf_object_map_count(const struct ebpf_object *obj);
struct ebpf_map *ebpf_object_map(const struct ebpf_object *obj, size_t index);
struct ebpf_map *ebpf_object_find_map(const struct ebpf_object *obj, const char *name);

/*
 * What the object declares about maps that could not be done, one line
 * each: a map not created ("map 'xsks_map': unsupported map type 17"), a
 * prog array slot left empty because its program did not load.
 */
size_t ebpf_object_map_error_count(const struct ebpf_object *obj);
const char *ebpf_object_map_error(const struct ebpf_object *obj, size_t index);

/* The license string from the "license" section, or "" if none. */
const char *ebpf_object_license(const struct ebpf_object *obj);

/* ------------------------------------------------------------------ */
/* Classic BPF (struct sock_filter, tcpdump -dd).                       */

struct ebpf_cbpf_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/*
 * Checks a classic program by classic BPF's rules (forward jumps only,
 * ends in ret, scratch M[0..15], known opcodes) and translates it to eBPF
 * of type EBPF_PROG_TYPE_SOCKET_FILTER. The translated program runs with
 * ctx = a struct ebpf_cbpf_ctx and returns the number of bytes to keep.
 * *out is malloc'd; the caller frees it.
 */
struct ebpf_cbpf_ctx {
	const uint8_t *data; /* captured bytes */
	uint32_t caplen;     /* bytes available: loads past them return 0 */
	uint32_t wirelen;    /* original length: what BPF_LEN loads */
};
int ebpf_cbpf_translate(const struct ebpf_cbpf_insn *cbpf, size_t count, struct ebpf_insn **out,
			size_t *out_count, struct ebpf_log *log);

/* ------------------------------------------------------------------ */
/* The verifier (docs/verifier.md).                                     */

/*
 * Proves prog safe to run (the verifier): every path ends in exit, every
 * jump lands on an instruction, no read of an uninitialized register or
 * stack slot, every memory access in bounds for its region and type,
 * helper arguments match each helper's prototype, loops terminate (their
 * bound follows from the analysis). 0 when accepted, -EACCES when
 * rejected (the log says which instruction and why), -E2BIG when the work
 * budget (1,000,000 processed instructions) is exceeded, -ENOMEM. Sets
 * the program's verified flag and stack depth. With log->level >= 1 the
 * log also gets every processed instruction and its abstract state.
 * stats may be NULL.
 */
struct ebpf_verify_stats {
	uint64_t insns_processed; /* instructions stepped, all paths together */
	uint32_t states_stored;	  /* states kept at jump targets for pruning */
	uint32_t peak_states;	  /* most states alive at once (stored + pending) */
};
int ebpf_verify(struct ebpf_prog *prog, struct ebpf_log *log, struct ebpf_verify_stats *stats);

/* ------------------------------------------------------------------ */
/* Disassembly (llvm-objdump -d mnemonics).                             */

/*
 * Writes the text of insns[index] into buf (no newline). Returns the
 * number of instruction slots consumed (2 for lddw, else 1), or 0 when
 * index is out of range.
 */
size_t ebpf_disassemble(const struct ebpf_insn *insns, size_t count, size_t index, char *buf,
			size_t size);

#endif /* UKBPF_EBPF_H */
