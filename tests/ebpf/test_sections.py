"""Section names and what they decide, through `ukbpf` on clang objects.

libbpf's SEC() names give a program its type and expected attach type
(ebpf/prog_type_section.c; the rules themselves are unit-tested in
tests/unit/test_ebpf_sections.c). Here: the expected attach type reaches
the verifier (xdp_md.egress_ifindex is for devmap programs only, as in
Linux's xdp_is_valid_access), with the host kernel's verdict on the same
objects where root may load BPF; each of those programs is compiled into
its own object, so that Linux (bpftool loads every program of an object)
judges one program at a time.

Then one object whose programs fail for every reason the loader knows
(a map type ukbpf lacks, an extern, an unknown helper, a program type it
does not run, a prog array slot whose program did not load) beside
programs that load and run: `ukbpf info` lists each with why, and `run`
names the reason of the one asked for.
"""

import os
import re
import shutil
import subprocess

import pytest

from linux_oracle import linux_accepts, linux_can_load

HERE = os.path.dirname(os.path.abspath(__file__))
CLANG = ["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"]

pytestmark = pytest.mark.skipif(shutil.which("clang") is None, reason="clang not installed")

HEADER = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"


def program(section, body, name="prog"):
    return HEADER + 'SEC("%s")\nint %s(struct xdp_md *ctx)\n{\n%s\n}\n' \
        'char LICENSE[] SEC("license") = "GPL";\n' % (section, name, body)


@pytest.fixture
def compile_c(tmp_path):
    """Compiles C text into an object; returns its path."""
    def build(text, name="prog"):
        src = tmp_path / (name + ".c")
        src.write_text(text)
        obj = str(tmp_path / (name + ".o"))
        subprocess.run(CLANG + ["-c", str(src), "-o", obj], check=True, capture_output=True)
        return obj
    return build


EGRESS = "return ctx->egress_ifindex;"
INGRESS = "return ctx->ingress_ifindex;"

# (name, section, body, accepted): the expected attach type decides egress_ifindex.
ATTACH_CASES = [
    ("xdp_egress", "xdp", EGRESS, False),
    ("xdp_frags_egress", "xdp.frags", EGRESS, False),
    ("devmap_egress", "xdp/devmap", EGRESS, True),
    ("devmap_frags_egress", "xdp.frags/devmap", EGRESS, True),
    ("cpumap_egress", "xdp/cpumap", EGRESS, False),
    ("xdp_ingress", "xdp", INGRESS, True),
    ("devmap_ingress", "xdp/devmap", INGRESS, True),
]
# libbpf 0.x's spellings, which libbpf 1.x (and so bpftool here) no longer knows.
LEGACY_ATTACH_CASES = [
    ("legacy_devmap_egress", "xdp_devmap/egress", EGRESS, True),
    ("legacy_xdp_egress", "xdp_prog", EGRESS, False),
]


@pytest.mark.parametrize("name,section,body,accepted", ATTACH_CASES + LEGACY_ATTACH_CASES,
                         ids=[c[0] for c in ATTACH_CASES + LEGACY_ATTACH_CASES])
def test_egress_ifindex_is_for_devmap_programs(compile_c, run_tool, name, section, body,
                                               accepted):
    obj = compile_c(program(section, body), name)
    result = run_tool("verify", obj)
    if accepted:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "invalid bpf_context access off=20 size=4" in result.stdout


@pytest.mark.skipif(not linux_can_load(), reason="needs root, bpftool and /sys/fs/bpf")
@pytest.mark.parametrize("name,section,body,accepted", ATTACH_CASES,
                         ids=[c[0] for c in ATTACH_CASES])
def test_linux_agrees_on_egress_ifindex(compile_c, name, section, body, accepted):
    assert linux_accepts(compile_c(program(section, body), name), name) == accepted


# ---- one program fails, its siblings load -------------------------------------

SIBLINGS = HEADER + r'''
/* No max_entries: libxdp sets it before loading; created as it is, the map fails. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(void *));
} jmp_table SEC(".maps");

extern int bpf_no_such_kfunc(void) __ksym;
static long (*no_such_helper)(void) = (void *)9999;

SEC("xdp")
int uses_xsk(struct xdp_md *ctx)
{
	__u32 value = 1;

	return bpf_redirect_map(&xsks, value, XDP_PASS);
}

SEC("kprobe/do_unlinkat")
int probe(void *ctx)
{
	return 0;
}

SEC("xdp")
int uses_extern(struct xdp_md *ctx)
{
	return bpf_no_such_kfunc();
}

SEC("xdp")
int unknown_helper(struct xdp_md *ctx)
{
	return no_such_helper();
}

SEC("xdp")
int tail(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp_table, 0);
	return 7;
}

SEC("xdp_legacy")
int plain(struct xdp_md *ctx)
{
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(void *));
} jmp_table_init SEC(".maps") = {
	.values = {[0] = (void *)&probe, [1] = (void *)&plain},
};

char LICENSE[] SEC("license") = "GPL";
'''


@pytest.fixture
def siblings(compile_c):
    return compile_c(SIBLINGS, "siblings")


def code_offsets_hidden(text):
    """Where clang put an instruction is its business: "xdp+0x30" becomes "xdp+N"."""
    return re.sub(r"\+0x[0-9a-f]+:", "+N:", text)


def test_info_lists_every_program_and_why(siblings, run_tool):
    result = run_tool("info", siblings)
    assert result.returncode == 0, result.stderr
    lines = code_offsets_hidden(result.stdout).splitlines()
    progs = lines[lines.index("programs:") + 1:lines.index("maps:")]
    assert progs == [
        "  0: uses_xsk  section xdp  type xdp  attach xdp  rule xdp  error: xdp+N: lddw "
        "refers to a map that was not created (map 'xsks': max_entries is 0)",
        "  1: uses_extern  section xdp  type xdp  attach xdp  rule xdp  error: program "
        "'uses_extern' calls kfunc 'bpf_no_such_kfunc' (an extern __ksym) at xdp+N: ukbpf "
        "offers no kfuncs",
        "  2: unknown_helper  section xdp  type xdp  attach xdp  rule xdp  error: insn 0: "
        "unknown helper 9999",
        "  3: tail  section xdp  type xdp  attach xdp  rule xdp  insns 6",
        "  4: probe  section kprobe/do_unlinkat  type kprobe  attach none  rule kprobe/...  "
        "error: program type kprobe is not supported by ukbpf",
        "  5: plain  section xdp_legacy  type xdp  attach xdp  rule xdp... (libbpf 0.x)  "
        "insns 2",
    ]
    errors = lines[lines.index("map errors:") + 1:]
    assert errors == [
        "  map 'xsks': max_entries is 0",
        "  map 'jmp_table_init': slot 0 left empty: program 'probe' did not load",
    ]


def test_siblings_run(siblings, run_tool):
    # The first program that loaded is the default.
    for target, r0 in ((siblings, "0x7"), (siblings + ":tail", "0x7"),
                       (siblings + ":plain", "0x3"), (siblings + ":xdp_legacy", "0x3")):
        result = run_tool("run", target)
        assert (result.returncode, result.stdout, result.stderr) == (0, r0 + "\n", ""), target


@pytest.mark.parametrize("name,why", [
    ("uses_xsk", "program 'uses_xsk' (section xdp) did not load: xdp+N: lddw refers to a "
                  "map that was not created (map 'xsks': max_entries is 0)"),
    ("probe", "program 'probe' (section kprobe/do_unlinkat) did not load: program type kprobe "
              "is not supported by ukbpf"),
    ("unknown_helper", "did not load: insn 0: unknown helper 9999"),
])
def test_failed_program_says_why(siblings, run_tool, name, why):
    result = run_tool("run", siblings + ":" + name)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert why in code_offsets_hidden(result.stderr), result.stderr


# ---- verify --type: the same program, its maps, another section's rules ------

def test_verify_as_another_type_keeps_maps(siblings, run_tool):
    # tail's lddw of jmp_table must still find its map (it once read
    # "unknown map index <pointer bits> (0 maps)").
    for type_name in ("xdp", "xdp/devmap", "xdp_prog"):
        result = run_tool("verify", "--type", type_name, siblings + ":tail")
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("accepted\n")


def test_verify_type_gives_the_attach_type(compile_c, run_tool):
    obj = compile_c(program("xdp", EGRESS), "plain_egress")
    assert run_tool("verify", obj).returncode == 1
    assert run_tool("verify", "--type", "xdp/devmap", obj).returncode == 0
    refused = run_tool("verify", "--type", "xdp/cpumap", obj)
    assert refused.returncode == 1
    assert "invalid bpf_context access off=20 size=4" in refused.stdout


@pytest.mark.parametrize("type_name,why", [
    ("tc", "ukbpf: --type tc: program type sched_cls (3) is not supported by ukbpf"),
    ("kprobe/do_unlinkat", "program type kprobe (2) is not supported by ukbpf"),
    ("nonsense", "ukbpf: --type: unknown program type 'nonsense'"),
])
def test_verify_type_not_run(siblings, run_tool, type_name, why):
    result = run_tool("verify", "--type", type_name, siblings + ":tail")
    assert (result.returncode, result.stdout) == (1, "")
    assert why in result.stderr and result.stderr.count("\n") == 1, result.stderr
