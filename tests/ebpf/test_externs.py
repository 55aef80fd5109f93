"""Extern symbols, as libbpf resolves them: `__kconfig` and `__ksym`.

extern_progs/*.c are compiled with clang against libbpf's headers at test
time, one object per case so that the host kernel (through
tools/kernel-run, i.e. libbpf, which refuses a whole object for one bad
extern) can judge each alone. ukbpf reports its own kconfig values
(ebpf/elf_externs.c, docs/architecture.md); those the programs compare with the
host's are Debian's (CONFIG_HZ=250...), so verdicts agree, and the
.kconfig map is laid out byte for byte as libbpf lays it out.
"""

import glob
import os
import platform
import re
import struct
import subprocess

import pytest

import mkbadelf
from linux_oracle import linux_can_load
from test_verifier import CLANG

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KERNEL_RUN = os.path.join(ROOT, "build", "tools", "kernel-run")
CORPUS = os.path.expanduser("~/.cache/ukbpf/corpus/build/linux-selftests")
XDP_PASS, XDP_TX = 2, 3
# values: CONFIG_HZ 250 + CONFIG_BPF_JIT TRI_YES 1 + CONFIG_NET true 1 + CONFIG_IPV6 'y'.
VALUES = 250 + 1 + 1 + ord("y")


@pytest.fixture(scope="module")
def objs(tmp_path_factory):
    out = tmp_path_factory.mktemp("extern_progs")
    built = {}
    for src in sorted(glob.glob(os.path.join(HERE, "extern_progs", "*.c"))):
        name = os.path.basename(src)[:-2]
        built[name] = str(out / (name + ".o"))
        subprocess.run(CLANG + ["-c", src, "-o", built[name]], check=True, capture_output=True)
    return built


@pytest.fixture(scope="module")
def one_frame(tmp_path_factory):
    path = tmp_path_factory.mktemp("extern_pcap") / "one.pcap"
    frame = bytes(64)
    path.write_bytes(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1) +
                     struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
    return str(path)


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
def test_kconfig_values_are_ukbpfs(objs, engine, run_tool):
    run = run_tool("run", engine, objs["kconfig"] + ":values")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [hex(VALUES)]


def test_verifier_prunes_on_kernel_version(objs, run_tool):
    run = run_tool("run", objs["kconfig"] + ":version_gate")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [hex(XDP_PASS)]
    # An older kernel walks the unchecked read, which the verifier refuses.
    old = run_tool("run", "--kconfig", "LINUX_KERNEL_VERSION=0x040000",
                   objs["kconfig"] + ":version_gate")
    assert old.returncode == 1
    assert "invalid access to packet" in old.stderr


OVERRIDES = [
    (["CONFIG_HZ=1000"], VALUES + 750),
    (["CONFIG_HZ=100", "CONFIG_HZ=0x3e8"], VALUES + 750),  # the last one wins
    (["CONFIG_UKBPF_UNDEFINED=5"], VALUES + 5),
    (["CONFIG_BPF_JIT=m", "CONFIG_NET=n", "CONFIG_IPV6=m"], VALUES + 1 - 1 - ord("y") + ord("m")),
    (['CONFIG_UKBPF_STRING="ukbpf"'], VALUES + ord("k")),
    (['CONFIG_UKBPF_STRING=""'], VALUES),
    (["CONFIG_NOT_IN_THE_OBJECT=1"], VALUES),  # ignored, as libbpf ignores it
]


@pytest.mark.parametrize("settings,expected", OVERRIDES)
def test_kconfig_option_overrides(objs, settings, expected, run_tool):
    args = [arg for setting in settings for arg in ("--kconfig", setting)]
    run = run_tool("run", *args, objs["kconfig"] + ":values")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [hex(expected)]


def test_long_string_is_cut_to_the_array(objs, run_tool):
    run = run_tool("run", "--kconfig", 'CONFIG_UKBPF_STRING="0123456789"', "--dump-maps", "-",
                   objs["kconfig"] + ":values")
    assert run.returncode == 0, run.stderr
    # char[8]: seven characters and the NUL, at the end of the map's value.
    assert run.stdout.splitlines()[1].endswith(b"0123456\0".hex() + '"}]}]}')


VALUE_ERRORS = [
    ("CONFIG_NET=m", "extern (kconfig) 'CONFIG_NET': value 'm' implies a tristate or char "
                     "type, not bool"),
    ("CONFIG_NET=1", "extern (kconfig) 'CONFIG_NET': value 1 implies an integer or char type"),
    ("CONFIG_HZ=0x100000000", "value 0x100000000 does not fit its 4-byte type"),
    ("CONFIG_HZ=y", "extern (kconfig) 'CONFIG_HZ': value 'y' implies a bool, tristate or "
                    "char type"),
    ("CONFIG_HZ=25O", "extern (kconfig) 'CONFIG_HZ': value '25O' is not an integer"),
    ('CONFIG_HZ="250"', "extern (kconfig) 'CONFIG_HZ': value \"250\" implies a char array type"),
    ("CONFIG_BPF_JIT=1", "extern (kconfig) 'CONFIG_BPF_JIT': value 1 implies an integer or "
                         "char type"),
    ('CONFIG_UKBPF_STRING="open', "extern (kconfig) 'CONFIG_UKBPF_STRING': invalid string "
                                  "value \"open"),
]


@pytest.mark.parametrize("setting,message", VALUE_ERRORS)
def test_kconfig_values_its_type_cannot_hold(objs, setting, message, run_tool):
    run = run_tool("run", "--kconfig", setting, objs["kconfig"] + ":values")
    assert run.returncode == 1
    assert "program 'values' (xdp+0x" in run.stderr
    assert message in run.stderr


def info_errors(run_tool, obj):
    run = run_tool("info", obj)
    assert run.returncode == 0, run.stderr
    return dict(re.findall(r"^  \d+: (\S+) .*?error: (.*)$", run.stdout, re.M))


def test_kconfig_refusals_name_the_extern(objs, run_tool):
    errors = info_errors(run_tool, objs["kconfig_strong"])
    assert re.sub(r"\+0x[0-9a-f]+", "+N", errors["strong_unknown"]) == (
        "program 'strong_unknown' (xdp+N): extern (kconfig) 'CONFIG_UKBPF_UNDEFINED' (strong): "
        "ukbpf does not define it (its kconfig: docs/architecture.md)")
    errors = info_errors(run_tool, objs["kconfig_ukbpf"])
    assert "extern (kconfig) 'CONFIG_UKBPF_SHORTS': its type (4 bytes) is not bool, char, an " \
        "integer, enum libbpf_tristate or a char array" in errors["bad_type"]
    assert "extern (kconfig) 'UKBPF_NOT_A_CONFIG': unrecognized (neither CONFIG_* nor " \
        "LINUX_*)" in errors["bad_name"]
    # libbpf 1.x: an unknown LINUX_ extern is 0 when weak, like a CONFIG_ one.
    assert "bad_virtual" not in errors
    run = run_tool("run", objs["kconfig_ukbpf"] + ":bad_virtual")
    assert run.stdout.split() == ["0x0"]


def test_virtual_bool_takes_a_number(objs, run_tool):
    # libbpf sets LINUX_* externs as numbers, a bool's too (.config lines may not).
    run = run_tool("run", objs["kconfig_ukbpf"] + ":has_cookie")
    assert run.stdout.split() == ["0x5"], run.stderr
    run = run_tool("run", "--kconfig", "LINUX_HAS_BPF_COOKIE=1", objs["kconfig_ukbpf"] + ":has_cookie")
    assert run.stdout.split() == ["0x6"], run.stderr


def test_kconfig_defined_by_option_loads(objs, run_tool):
    run = run_tool("run", "--kconfig", "CONFIG_UKBPF_UNDEFINED=1",
                   objs["kconfig_strong"] + ":strong_unknown")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["0x1"]  # XDP_DROP


def test_ksym_refusals_name_the_symbol(objs, run_tool):
    errors = {name: re.sub(r"\+0x[0-9a-f]+", "+N", text)
              for name, text in info_errors(run_tool, objs["ksym_strong"]).items()}
    assert errors == {
        "calls_kfunc": "program 'calls_kfunc' calls kfunc 'bpf_ukbpf_no_such_kfunc' (an extern "
                       "__ksym) at xdp+N: ukbpf offers no kfuncs",
        "calls_weak_kfunc": "program 'calls_weak_kfunc' calls kfunc 'bpf_ukbpf_weak_kfunc' (an "
                            "extern __ksym __weak) at xdp+N: ukbpf offers no kfuncs",
        "reads_ksym": "program 'reads_ksym' reads 'bpf_ukbpf_no_such_var' (an extern __ksym "
                      "variable) at xdp+N: ukbpf offers no kernel symbols",
    }


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
def test_weak_ksym_reads_address_zero(objs, engine, run_tool):
    run = run_tool("run", engine, objs["ksym_weak"] + ":weak_ksym")
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [hex(XDP_TX)]


@pytest.mark.parametrize("obj", ["test_bpf_nf", "xdp_synproxy_kern"])
def test_corpus_conntrack_programs_name_their_kfunc(obj, run_tool):
    found = glob.glob(os.path.join(CORPUS, obj + "-*.o"))
    if not found:
        pytest.skip("the corpus is not built (scripts/corpus.sh)")
    errors = info_errors(run_tool, found[0])
    xdp = [text for text in errors.values() if "sched_cls" not in text]
    assert xdp and all(re.search(r"calls kfunc 'bpf_xdp_ct_lookup' \(an extern __ksym\) at "
                                 r"xdp\+0x[0-9a-f]+: ukbpf offers no kfuncs", text)
                       for text in xdp), errors


# ---- the host kernel (libbpf) as the oracle ---------------------------------

def host_kernel_version():
    """libbpf's LINUX_KERNEL_VERSION: KERNEL_VERSION of uname's release, patch capped at 255."""
    major, minor, patch = (int(x) for x in re.match(r"(\d+)\.(\d+)\.(\d+)",
                                                     platform.release()).groups())
    return (major << 16) + (minor << 8) + min(patch, 255)


@pytest.fixture(scope="module")
def kernel_run():
    if not linux_can_load() or not os.path.exists(KERNEL_RUN):
        pytest.skip("needs root, /sys/fs/bpf and build/tools/kernel-run")
    if not any(os.path.exists(p) for p in ("/proc/config.gz",
                                          "/boot/config-" + platform.release())):
        pytest.skip("libbpf finds no kernel config on this host")
    return KERNEL_RUN


# (object, program, r0 when it loads, or None when libbpf refuses it)
HOST_CASES = [
    ("kconfig", "values", VALUES),
    ("kconfig", "version_gate", XDP_PASS),
    ("kconfig_strong", "strong_unknown", None),
    ("ksym_weak", "weak_ksym", XDP_TX),
    ("ksym_strong", "calls_kfunc", None),
]


@pytest.mark.parametrize("obj,prog,r0", HOST_CASES, ids=["%s:%s" % c[:2] for c in HOST_CASES])
def test_host_kernel_agrees(objs, one_frame, kernel_run, obj, prog, r0, run_tool):
    host = subprocess.run([kernel_run, "run", objs[obj], prog, "--pcap", one_frame],
                          capture_output=True, text=True, timeout=60)
    if "Operation not permitted" in host.stderr:
        pytest.skip("this host does not let us load BPF programs")
    ours = run_tool("run", "%s:%s" % (objs[obj], prog), "--pcap", one_frame)
    if r0 is None:
        assert host.returncode == 1, host.stdout + host.stderr
        assert ours.returncode == 1
        assert "did not load" in ours.stderr
    else:
        assert host.returncode == 0, host.stderr
        assert host.stdout.split()[:2] == ["0", hex(r0)]
        assert ours.stdout.split() == ["0", hex(r0)]


def host_run(kernel_run, obj, prog, frame, *args):
    host = subprocess.run([kernel_run, "run", obj, prog, "--pcap", frame, *args],
                          capture_output=True, text=True, timeout=60)
    if "Operation not permitted" in host.stderr:
        pytest.skip("this host does not let us load BPF programs")
    return host


@pytest.mark.parametrize("settings,expected", OVERRIDES)
def test_host_kconfig_option_agrees(objs, one_frame, kernel_run, settings, expected):
    """libbpf's kconfig option (kernel-run --kconfig) reads the same values."""
    args = [arg for setting in settings for arg in ("--kconfig", setting)]
    host = host_run(kernel_run, objs["kconfig"], "values", one_frame, *args)
    assert host.returncode == 0, host.stderr
    assert host.stdout.split()[:2] == ["0", hex(expected)]


@pytest.mark.parametrize("setting", [setting for setting, _ in VALUE_ERRORS])
def test_host_refuses_the_same_values(objs, one_frame, kernel_run, setting):
    host = host_run(kernel_run, objs["kconfig"], "values", one_frame, "--kconfig", setting)
    assert host.returncode == 1, host.stdout + host.stderr


def test_kconfig_map_laid_out_as_libbpf(objs, one_frame, kernel_run, run_tool, tmp_path):
    """Given the host's kernel version, ukbpf's .kconfig bytes are libbpf's."""
    host_dump = tmp_path / "host.json"
    host = subprocess.run([kernel_run, "run", objs["kconfig"], "values", "--pcap", one_frame,
                           "--dump-maps", str(host_dump)], capture_output=True, text=True,
                          timeout=60)
    if "Operation not permitted" in host.stderr:
        pytest.skip("this host does not let us load BPF programs")
    assert host.returncode == 0, host.stderr
    ours = run_tool("run", "--kconfig", "LINUX_KERNEL_VERSION=%d" % host_kernel_version(),
                    "--dump-maps", "-", objs["kconfig"] + ":values", "--pcap", one_frame)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout.splitlines()[1] == host_dump.read_text().splitlines()[0]


def test_too_many_externs_refuse_the_object(tmp_path, run_tool):
    """Each extern is looked up in the whole BTF: their number is bounded."""
    count = 4097
    src = tmp_path / "many.c"
    src.write_text(
        "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nvolatile int acc;\n" +
        "".join("extern int CONFIG_X%d __kconfig __weak;\n" % i for i in range(count)) +
        'SEC("xdp") int many(struct xdp_md *ctx) {' +
        "".join(" acc = CONFIG_X%d;" % i for i in range(count)) + " return 0; }\n")
    obj = str(tmp_path / "many.o")
    subprocess.run(CLANG + ["-c", str(src), "-o", obj], check=True, capture_output=True)
    run = run_tool("info", obj)
    assert run.returncode == 1
    assert run.stderr == "ukbpf: %s: 4097 extern symbols (more than 4096)\n" % obj


def test_zero_sized_kconfig_integer_is_refused(objs, run_tool, tmp_path):
    # A fuzzer-found crash: a 0-byte integer extern was laid out at alignment 0.
    bad = tmp_path / "zero_int.o"
    with open(objs["kconfig"], "rb") as f:
        bad.write_bytes(mkbadelf.btf_int_sizes_zero(f.read()))
    run = run_tool("info", str(bad))
    assert run.returncode in (0, 1), run.stderr
    assert "its type (0 bytes) is not bool, char, an integer" in run.stdout + run.stderr
