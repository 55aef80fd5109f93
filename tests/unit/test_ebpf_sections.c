/*
 * Section names to program types (ebpf_section_type, libbpf's SEC()
 * rules) and the Linux numbers and names behind them: the program and
 * attach types of ebpf.h are checked against <linux/bpf.h>, as far as
 * the host's header goes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <errno.h>

#include <cmocka.h>
#include <linux/bpf.h>

#include "ebpf.h"

struct section_case {
	const char *section;
	enum ebpf_prog_type type;
	enum ebpf_attach_type attach;
	enum ebpf_section_match match;
	const char *rule; /* NULL without a rule */
};

static void check(const struct section_case *c)
{
	struct ebpf_section_type st;

	ebpf_section_type(c->section, &st);
	if (st.type != c->type || st.expected_attach_type != c->attach || st.match != c->match)
		fail_msg("section '%s': type %d attach %d match %d, want %d %d %d", c->section,
			 st.type, st.expected_attach_type, st.match, c->type, c->attach, c->match);
	if (c->rule)
		assert_string_equal(st.rule, c->rule);
	else
		assert_null(st.rule);
}

#define CASE(sec, type, attach, match, rule)                                                       \
	{                                                                                          \
		sec, EBPF_PROG_TYPE_##type, EBPF_ATTACH_##attach, EBPF_SECTION_##match, rule       \
	}

/* libbpf 1.x: exact names, and names with '/' extras where a rule allows them. */
static void test_libbpf_1_rules(void **state)
{
	static const struct section_case cases[] = {
	    CASE("xdp", XDP, XDP, EXACT, "xdp"),
	    CASE("xdp.frags", XDP, XDP, EXACT, "xdp.frags"),
	    CASE("xdp/devmap", XDP, XDP_DEVMAP, EXACT, "xdp/devmap"),
	    CASE("xdp.frags/devmap", XDP, XDP_DEVMAP, EXACT, "xdp.frags/devmap"),
	    CASE("xdp/cpumap", XDP, XDP_CPUMAP, EXACT, "xdp/cpumap"),
	    CASE("xdp.frags/cpumap", XDP, XDP_CPUMAP, EXACT, "xdp.frags/cpumap"),
	    CASE("socket", SOCKET_FILTER, NONE, EXACT, "socket"),
	    CASE("kprobe/do_unlinkat", KPROBE, NONE, EXTRAS, "kprobe"),
	    CASE("kprobe", KPROBE, NONE, EXACT, "kprobe"),
	    CASE("kprobe.multi/tcp_*", KPROBE, TRACE_KPROBE_MULTI, EXTRAS, "kprobe.multi"),
	    CASE("uretprobe.s/lib:f", KPROBE, NONE, EXTRAS, "uretprobe.s"),
	    CASE("tp/syscalls/sys_enter_openat", TRACEPOINT, NONE, EXTRAS, "tp"),
	    CASE("tc", SCHED_CLS, NONE, EXACT, "tc"),
	    CASE("tcx/ingress", SCHED_CLS, TCX_INGRESS, EXACT, "tcx/ingress"),
	    CASE("fentry/func", TRACING, TRACE_FENTRY, EXTRAS, "fentry"),
	    CASE("fexit/func", TRACING, TRACE_FEXIT, EXTRAS, "fexit"),
	    CASE("lsm.s/file_open", LSM, LSM_MAC, EXTRAS, "lsm.s"),
	    CASE("cgroup_skb/ingress", CGROUP_SKB, CGROUP_INET_INGRESS, EXACT,
		 "cgroup_skb/ingress"),
	    CASE("cgroup/sock_release", CGROUP_SOCK, CGROUP_INET_SOCK_RELEASE, EXACT,
		 "cgroup/sock_release"),
	    CASE("sk_skb/stream_verdict", SK_SKB, SK_SKB_STREAM_VERDICT, EXACT,
		 "sk_skb/stream_verdict"),
	    CASE("struct_ops/dctcp_init", STRUCT_OPS, NONE, EXTRAS, "struct_ops"),
	    CASE("syscall", SYSCALL, NONE, EXACT, "syscall"),
	    CASE("netfilter", NETFILTER, NETFILTER, EXACT, "netfilter"),
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

/*
 * libbpf 0.x's prefix rule, for names no 1.x rule takes: "xdp/eth0" and
 * "xdp_prog" are XDP, the old devmap spelling keeps its attach type, and
 * a longer name listed before a shorter one wins.
 */
static void test_libbpf_0_prefixes(void **state)
{
	static const struct section_case cases[] = {
	    CASE("xdp/eth0", XDP, XDP, LEGACY, "xdp"),
	    CASE("xdp_prog", XDP, XDP, LEGACY, "xdp"),
	    CASE("xdp1", XDP, XDP, LEGACY, "xdp"),
	    CASE("xdp.frags/eth0", XDP, XDP, LEGACY, "xdp"),
	    CASE("xdp_devmap/egress", XDP, XDP_DEVMAP, LEGACY, "xdp_devmap/"),
	    CASE("xdp_cpumap/redirect", XDP, XDP_CPUMAP, LEGACY, "xdp_cpumap/"),
	    CASE("socket1", SOCKET_FILTER, NONE, LEGACY, "socket"),
	    CASE("classifier_ingress", SCHED_CLS, NONE, LEGACY, "classifier"),
	    CASE("sk_reuseport/migrate_x", SK_REUSEPORT, SK_REUSEPORT_SELECT_OR_MIGRATE, LEGACY,
		 "sk_reuseport/migrate"),
	    CASE("cgroup/sock_release2", CGROUP_SOCK, CGROUP_INET_SOCK_RELEASE, LEGACY,
		 "cgroup/sock_release"),
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

/* No rule: UNSPEC, so test programs may use any name; prefixes need their '/'. */
static void test_unclaimed_sections_are_unspec(void **state)
{
	static const struct section_case cases[] = {
	    CASE("prog", UNSPEC, NONE, NO_RULE, NULL),
	    CASE("", UNSPEC, NONE, NO_RULE, NULL),
	    CASE("mem_len", UNSPEC, NONE, NO_RULE, NULL),
	    /* 1.x rules without the legacy prefix need the exact name or '/'. */
	    CASE("kprobe_foo", UNSPEC, NONE, NO_RULE, NULL),
	    CASE("tcfoo", UNSPEC, NONE, NO_RULE, NULL),
	    CASE("syscalls", UNSPEC, NONE, NO_RULE, NULL),
	    CASE("xd", UNSPEC, NONE, NO_RULE, NULL),
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

/* Linux's numbers (<linux/bpf.h>) and libbpf's names. */
static void test_linux_numbers_and_names(void **state)
{
	assert_int_equal(EBPF_PROG_TYPE_XDP, BPF_PROG_TYPE_XDP);
	assert_int_equal(EBPF_PROG_TYPE_SCHED_CLS, BPF_PROG_TYPE_SCHED_CLS);
	assert_int_equal(EBPF_PROG_TYPE_CGROUP_SOCKOPT, BPF_PROG_TYPE_CGROUP_SOCKOPT);
	assert_int_equal(EBPF_PROG_TYPE_TRACING, BPF_PROG_TYPE_TRACING);
	assert_int_equal(EBPF_PROG_TYPE_SYSCALL, BPF_PROG_TYPE_SYSCALL);
	assert_int_equal(EBPF_ATTACH_CGROUP_INET_INGRESS, BPF_CGROUP_INET_INGRESS);
	assert_int_equal(EBPF_ATTACH_CGROUP_SETSOCKOPT, BPF_CGROUP_SETSOCKOPT);
	assert_int_equal(EBPF_ATTACH_TRACE_FENTRY, BPF_TRACE_FENTRY);
	assert_int_equal(EBPF_ATTACH_XDP_DEVMAP, BPF_XDP_DEVMAP);
	assert_int_equal(EBPF_ATTACH_CGROUP_INET_SOCK_RELEASE, BPF_CGROUP_INET_SOCK_RELEASE);
	assert_int_equal(EBPF_ATTACH_XDP_CPUMAP, BPF_XDP_CPUMAP);
	assert_int_equal(EBPF_ATTACH_SK_LOOKUP, BPF_SK_LOOKUP);
	assert_int_equal(EBPF_ATTACH_XDP, BPF_XDP);
	assert_int_equal(EBPF_ATTACH_SK_REUSEPORT_SELECT_OR_MIGRATE,
			 BPF_SK_REUSEPORT_SELECT_OR_MIGRATE);
	assert_int_equal(EBPF_ATTACH_TRACE_KPROBE_MULTI, BPF_TRACE_KPROBE_MULTI);
	assert_int_equal(EBPF_ATTACH_LSM_CGROUP, BPF_LSM_CGROUP);

	assert_string_equal(ebpf_prog_type_name(EBPF_PROG_TYPE_SCHED_CLS), "sched_cls");
	assert_string_equal(ebpf_prog_type_name(EBPF_PROG_TYPE_NETFILTER), "netfilter");
	assert_string_equal(ebpf_prog_type_name((enum ebpf_prog_type)99), "?");
	assert_string_equal(ebpf_attach_type_name(EBPF_PROG_TYPE_XDP, EBPF_ATTACH_XDP_DEVMAP),
			    "xdp_devmap");
	assert_string_equal(ebpf_attach_type_name(EBPF_PROG_TYPE_XDP, EBPF_ATTACH_NONE), "none");
	assert_string_equal(
	    ebpf_attach_type_name(EBPF_PROG_TYPE_CGROUP_SKB, EBPF_ATTACH_CGROUP_INET_INGRESS),
	    "cgroup_inet_ingress");
	assert_string_equal(ebpf_attach_type_name(EBPF_PROG_TYPE_XDP, (enum ebpf_attach_type)999),
			    "?");
}

/* A type ukbpf does not run is refused by name; an unknown number as unknown. */
static void test_create_refuses_types_not_run(void **state)
{
	static const struct ebpf_insn exit_only[] = {{.opcode = 0x95}};
	char text[128] = "";
	struct ebpf_log log = {.buf = text, .size = sizeof(text)};
	struct ebpf_prog_opts opts = {.type = EBPF_PROG_TYPE_KPROBE};
	struct ebpf_prog *prog = NULL;

	assert_int_equal(ebpf_prog_create(exit_only, 1, &opts, &prog, &log), -ENOTSUP);
	assert_null(prog);
	assert_string_equal(text, "program type kprobe (2) is not supported by ukbpf");
	text[0] = '\0';
	log.len = 0;
	opts.type = (enum ebpf_prog_type)77;
	assert_int_equal(ebpf_prog_create(exit_only, 1, &opts, &prog, &log), -EINVAL);
	assert_string_equal(text, "unknown program type 77");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_libbpf_1_rules),
	    cmocka_unit_test(test_libbpf_0_prefixes),
	    cmocka_unit_test(test_unclaimed_sections_are_unspec),
	    cmocka_unit_test(test_linux_numbers_and_names),
	    cmocka_unit_test(test_create_refuses_types_not_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
