/*
 * Section names (ebpf_section_type in ebpf.h): which program type and
 * expected attach type libbpf gives a program from the name of its ELF
 * section, the names of its SEC() macro.
 *
 * The table is libbpf's section_defs[] (libbpf.c), written as ukbpf's
 * entries: each names a program type of ebpf.h, with Linux's numbering,
 * and says how a section matches it:
 *
 *   RULE_EXACT   libbpf 1.x: the section is the name itself ("xdp");
 *   RULE_EXTRAS  libbpf 1.x: the name alone or followed by '/' and
 *                anything ("kprobe/do_unlinkat"; libbpf writes "kprobe+");
 *   RULE_LEGACY  libbpf 0.x: any section that starts with the name
 *                (libbpf 0.6-0.8's SEC_SLOPPY_PFX, and the "xdp_devmap/"
 *                style names 1.0 dropped), so "xdp_prog", "xdp/eth0" and
 *                "xdp1" are XDP, as objects built for libbpf 0.x expect.
 *
 * The libbpf 1.x rules are tried first, all of them; the legacy prefixes
 * only when none matched, in table order, first match (libbpf's order,
 * in which the longer of two overlapping names comes first). Types ukbpf
 * does not run are listed too, so that such a program is refused by its
 * type, not loaded as something else. A section no rule claims is
 * UNSPEC: ukbpf's choice, so that test programs may use any other name.
 */
#include <stdint.h>
#include <string.h>

#include "ebpf.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

#define RULE_EXACT  (1u << 0)
#define RULE_EXTRAS (1u << 1)
#define RULE_LEGACY (1u << 2)
#define RULE_PATH   '/' /* what separates a rule's name from the extras */

struct section_rule {
	const char *name;
	uint8_t match; /* RULE_* bits */
	enum ebpf_prog_type type;
	enum ebpf_attach_type attach;
};

#define SECTION(name, match, type, attach)                                                         \
	{                                                                                          \
		name, match, EBPF_PROG_TYPE_##type, EBPF_ATTACH_##attach                           \
	}
#define EXACT_OR_LEGACY (RULE_EXACT | RULE_LEGACY)

static const struct section_rule section_rules[] = {
    SECTION("socket", EXACT_OR_LEGACY, SOCKET_FILTER, NONE),
    SECTION("sk_reuseport/migrate", EXACT_OR_LEGACY, SK_REUSEPORT, SK_REUSEPORT_SELECT_OR_MIGRATE),
    SECTION("sk_reuseport", EXACT_OR_LEGACY, SK_REUSEPORT, SK_REUSEPORT_SELECT),
    SECTION("kprobe", RULE_EXTRAS, KPROBE, NONE),
    SECTION("uprobe", RULE_EXTRAS, KPROBE, NONE),
    SECTION("uprobe.s", RULE_EXTRAS, KPROBE, NONE),
    SECTION("kretprobe", RULE_EXTRAS, KPROBE, NONE),
    SECTION("uretprobe", RULE_EXTRAS, KPROBE, NONE),
    SECTION("uretprobe.s", RULE_EXTRAS, KPROBE, NONE),
    SECTION("kprobe.multi", RULE_EXTRAS, KPROBE, TRACE_KPROBE_MULTI),
    SECTION("kretprobe.multi", RULE_EXTRAS, KPROBE, TRACE_KPROBE_MULTI),
    SECTION("uprobe.multi", RULE_EXTRAS, KPROBE, TRACE_UPROBE_MULTI),
    SECTION("uretprobe.multi", RULE_EXTRAS, KPROBE, TRACE_UPROBE_MULTI),
    SECTION("uprobe.multi.s", RULE_EXTRAS, KPROBE, TRACE_UPROBE_MULTI),
    SECTION("uretprobe.multi.s", RULE_EXTRAS, KPROBE, TRACE_UPROBE_MULTI),
    SECTION("ksyscall", RULE_EXTRAS, KPROBE, NONE),
    SECTION("kretsyscall", RULE_EXTRAS, KPROBE, NONE),
    SECTION("usdt", RULE_EXTRAS, KPROBE, NONE),
    SECTION("usdt.s", RULE_EXTRAS, KPROBE, NONE),
    SECTION("tc/ingress", RULE_EXACT, SCHED_CLS, TCX_INGRESS),
    SECTION("tc/egress", RULE_EXACT, SCHED_CLS, TCX_EGRESS),
    SECTION("tcx/ingress", RULE_EXACT, SCHED_CLS, TCX_INGRESS),
    SECTION("tcx/egress", RULE_EXACT, SCHED_CLS, TCX_EGRESS),
    SECTION("tc", RULE_EXACT, SCHED_CLS, NONE),
    SECTION("classifier", EXACT_OR_LEGACY, SCHED_CLS, NONE),
    SECTION("action", EXACT_OR_LEGACY, SCHED_ACT, NONE),
    SECTION("netkit/primary", RULE_EXACT, SCHED_CLS, NETKIT_PRIMARY),
    SECTION("netkit/peer", RULE_EXACT, SCHED_CLS, NETKIT_PEER),
    SECTION("tracepoint", RULE_EXTRAS, TRACEPOINT, NONE),
    SECTION("tp", RULE_EXTRAS, TRACEPOINT, NONE),
    SECTION("raw_tracepoint", RULE_EXTRAS, RAW_TRACEPOINT, NONE),
    SECTION("raw_tp", RULE_EXTRAS, RAW_TRACEPOINT, NONE),
    SECTION("raw_tracepoint.w", RULE_EXTRAS, RAW_TRACEPOINT_WRITABLE, NONE),
    SECTION("raw_tp.w", RULE_EXTRAS, RAW_TRACEPOINT_WRITABLE, NONE),
    SECTION("tp_btf", RULE_EXTRAS, TRACING, TRACE_RAW_TP),
    SECTION("fentry", RULE_EXTRAS, TRACING, TRACE_FENTRY),
    SECTION("fmod_ret", RULE_EXTRAS, TRACING, MODIFY_RETURN),
    SECTION("fexit", RULE_EXTRAS, TRACING, TRACE_FEXIT),
    SECTION("fentry.s", RULE_EXTRAS, TRACING, TRACE_FENTRY),
    SECTION("fmod_ret.s", RULE_EXTRAS, TRACING, MODIFY_RETURN),
    SECTION("fexit.s", RULE_EXTRAS, TRACING, TRACE_FEXIT),
    SECTION("freplace", RULE_EXTRAS, EXT, NONE),
    SECTION("lsm", RULE_EXTRAS, LSM, LSM_MAC),
    SECTION("lsm.s", RULE_EXTRAS, LSM, LSM_MAC),
    SECTION("lsm_cgroup", RULE_EXTRAS, LSM, LSM_CGROUP),
    SECTION("iter", RULE_EXTRAS, TRACING, TRACE_ITER),
    SECTION("iter.s", RULE_EXTRAS, TRACING, TRACE_ITER),
    SECTION("syscall", RULE_EXACT, SYSCALL, NONE),
    SECTION("xdp.frags/devmap", RULE_EXACT, XDP, XDP_DEVMAP),
    SECTION("xdp/devmap", RULE_EXACT, XDP, XDP_DEVMAP),
    SECTION("xdp_devmap/", RULE_LEGACY, XDP, XDP_DEVMAP),
    SECTION("xdp.frags/cpumap", RULE_EXACT, XDP, XDP_CPUMAP),
    SECTION("xdp/cpumap", RULE_EXACT, XDP, XDP_CPUMAP),
    SECTION("xdp_cpumap/", RULE_LEGACY, XDP, XDP_CPUMAP),
    SECTION("xdp.frags", RULE_EXACT, XDP, XDP),
    SECTION("xdp", EXACT_OR_LEGACY, XDP, XDP),
    SECTION("perf_event", EXACT_OR_LEGACY, PERF_EVENT, NONE),
    SECTION("lwt_in", EXACT_OR_LEGACY, LWT_IN, NONE),
    SECTION("lwt_out", EXACT_OR_LEGACY, LWT_OUT, NONE),
    SECTION("lwt_xmit", EXACT_OR_LEGACY, LWT_XMIT, NONE),
    SECTION("lwt_seg6local", EXACT_OR_LEGACY, LWT_SEG6LOCAL, NONE),
    SECTION("sockops", EXACT_OR_LEGACY, SOCK_OPS, CGROUP_SOCK_OPS),
    SECTION("sk_skb/stream_parser", EXACT_OR_LEGACY, SK_SKB, SK_SKB_STREAM_PARSER),
    SECTION("sk_skb/stream_verdict", EXACT_OR_LEGACY, SK_SKB, SK_SKB_STREAM_VERDICT),
    SECTION("sk_skb", EXACT_OR_LEGACY, SK_SKB, NONE),
    SECTION("sk_msg", EXACT_OR_LEGACY, SK_MSG, SK_MSG_VERDICT),
    SECTION("lirc_mode2", EXACT_OR_LEGACY, LIRC_MODE2, LIRC_MODE2),
    SECTION("flow_dissector", EXACT_OR_LEGACY, FLOW_DISSECTOR, FLOW_DISSECTOR),
    SECTION("cgroup_skb/ingress", EXACT_OR_LEGACY, CGROUP_SKB, CGROUP_INET_INGRESS),
    SECTION("cgroup_skb/egress", EXACT_OR_LEGACY, CGROUP_SKB, CGROUP_INET_EGRESS),
    SECTION("cgroup/skb", EXACT_OR_LEGACY, CGROUP_SKB, NONE),
    SECTION("cgroup/sock_create", EXACT_OR_LEGACY, CGROUP_SOCK, CGROUP_INET_SOCK_CREATE),
    SECTION("cgroup/sock_release", EXACT_OR_LEGACY, CGROUP_SOCK, CGROUP_INET_SOCK_RELEASE),
    SECTION("cgroup/sock", EXACT_OR_LEGACY, CGROUP_SOCK, CGROUP_INET_SOCK_CREATE),
    SECTION("cgroup/post_bind4", EXACT_OR_LEGACY, CGROUP_SOCK, CGROUP_INET4_POST_BIND),
    SECTION("cgroup/post_bind6", EXACT_OR_LEGACY, CGROUP_SOCK, CGROUP_INET6_POST_BIND),
    SECTION("cgroup/bind4", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_INET4_BIND),
    SECTION("cgroup/bind6", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_INET6_BIND),
    SECTION("cgroup/connect4", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_INET4_CONNECT),
    SECTION("cgroup/connect6", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_INET6_CONNECT),
    SECTION("cgroup/connect_unix", RULE_EXACT, CGROUP_SOCK_ADDR, CGROUP_UNIX_CONNECT),
    SECTION("cgroup/sendmsg4", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_UDP4_SENDMSG),
    SECTION("cgroup/sendmsg6", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_UDP6_SENDMSG),
    SECTION("cgroup/sendmsg_unix", RULE_EXACT, CGROUP_SOCK_ADDR, CGROUP_UNIX_SENDMSG),
    SECTION("cgroup/recvmsg4", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_UDP4_RECVMSG),
    SECTION("cgroup/recvmsg6", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_UDP6_RECVMSG),
    SECTION("cgroup/recvmsg_unix", RULE_EXACT, CGROUP_SOCK_ADDR, CGROUP_UNIX_RECVMSG),
    SECTION("cgroup/getpeername4", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_INET4_GETPEERNAME),
    SECTION("cgroup/getpeername6", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_INET6_GETPEERNAME),
    SECTION("cgroup/getpeername_unix", RULE_EXACT, CGROUP_SOCK_ADDR, CGROUP_UNIX_GETPEERNAME),
    SECTION("cgroup/getsockname4", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_INET4_GETSOCKNAME),
    SECTION("cgroup/getsockname6", EXACT_OR_LEGACY, CGROUP_SOCK_ADDR, CGROUP_INET6_GETSOCKNAME),
    SECTION("cgroup/getsockname_unix", RULE_EXACT, CGROUP_SOCK_ADDR, CGROUP_UNIX_GETSOCKNAME),
    SECTION("cgroup/sysctl", EXACT_OR_LEGACY, CGROUP_SYSCTL, CGROUP_SYSCTL),
    SECTION("cgroup/getsockopt", EXACT_OR_LEGACY, CGROUP_SOCKOPT, CGROUP_GETSOCKOPT),
    SECTION("cgroup/setsockopt", EXACT_OR_LEGACY, CGROUP_SOCKOPT, CGROUP_SETSOCKOPT),
    SECTION("cgroup/dev", EXACT_OR_LEGACY, CGROUP_DEVICE, CGROUP_DEVICE),
    SECTION("struct_ops", RULE_EXTRAS, STRUCT_OPS, NONE),
    SECTION("struct_ops.s", RULE_EXTRAS, STRUCT_OPS, NONE),
    SECTION("sk_lookup", RULE_EXACT, SK_LOOKUP, SK_LOOKUP),
    SECTION("sk_lookup/", RULE_LEGACY, SK_LOOKUP, SK_LOOKUP),
    SECTION("netfilter", RULE_EXACT, NETFILTER, NETFILTER),
};

/* How name matches rule by libbpf 1.x's rules, or EBPF_SECTION_NO_RULE. */
static enum ebpf_section_match match_v1(const struct section_rule *rule, const char *name)
{
	size_t len = strlen(rule->name);

	if ((rule->match & (RULE_EXACT | RULE_EXTRAS)) && strcmp(name, rule->name) == 0)
		return EBPF_SECTION_EXACT;
	if ((rule->match & RULE_EXTRAS) && strncmp(name, rule->name, len) == 0 &&
	    name[len] == RULE_PATH)
		return EBPF_SECTION_EXTRAS;
	return EBPF_SECTION_NO_RULE;
}

static void found(const struct section_rule *rule, enum ebpf_section_match match,
		  struct ebpf_section_type *out)
{
	*out = (struct ebpf_section_type){
	    .type = rule->type,
	    .expected_attach_type = rule->attach,
	    .match = match,
	    .rule = rule->name,
	};
}

void ebpf_section_type(const char *name, struct ebpf_section_type *out)
{
	enum ebpf_section_match match;
	size_t i;

	for (i = 0; i < COUNT_OF(section_rules); i++) {
		match = match_v1(&section_rules[i], name);
		if (match != EBPF_SECTION_NO_RULE) {
			found(&section_rules[i], match, out);
			return;
		}
	}
	for (i = 0; i < COUNT_OF(section_rules); i++) {
		const struct section_rule *rule = &section_rules[i];

		if ((rule->match & RULE_LEGACY) &&
		    strncmp(name, rule->name, strlen(rule->name)) == 0) {
			found(rule, EBPF_SECTION_LEGACY, out);
			return;
		}
	}
	*out = (struct ebpf_section_type){.type = EBPF_PROG_TYPE_UNSPEC};
}
