"""The ukbpf command line: help, errors, run, dis, --repeat and jit-dump."""

import json
import os
import re
import struct
import subprocess

import pytest

from bootlib import write_pcap

# Reads r1's memory (the --mem convention), so it runs with --no-verify.
PROGRAM = "r0 = *(u8 *)(r1 + 1)\nr0 += r2\nexit"


def test_help_documents_everything(run_tool):
    proc = run_tool("--help")
    assert proc.returncode == 0
    for word in ("run", "dis", "jit-dump", "--interp", "--jit", "--blind", "--repeat", "--no-verify",
                 "--raw FILE", "--mem HEX", "objdump -D -b binary -mi386:x86-64",
                 "--pcap-out FILE", "--dump-maps FILE", "--set NAME=VALUE", "--map-max NAME=N"):
        assert word in proc.stdout


@pytest.mark.parametrize("args,message", [
    ((), "ukbpf: no command given (see ukbpf --help)"),
    (("frobnicate",), "ukbpf: unknown command 'frobnicate' (see ukbpf --help)"),
    (("run", "--bogus"), "ukbpf: unknown option '--bogus' (see ukbpf --help)"),
    (("run",), "ukbpf: run: no PROGRAM given (see ukbpf --help)"),
    (("run", "--raw"), "ukbpf: --raw needs an argument (see ukbpf --help)"),
    (("run", "prog.xyz"), "ukbpf: prog.xyz: unknown program kind (see ukbpf --help)"),
    (("run", "--repeat", "0", "--raw", "p"),
     "ukbpf: --repeat: '0' is not a positive count (see ukbpf --help)"),
    (("run", "--repeat", "x1", "--raw", "p"),
     "ukbpf: --repeat: 'x1' is not a positive count (see ukbpf --help)"),
    (("run", "--interp", "--jit", "--raw", "p"),
     "ukbpf: --jit: --interp and --jit exclude each other (see ukbpf --help)"),
    (("run", "--raw", "a", "--raw", "b"), "ukbpf: --raw: only one PROGRAM allowed (see ukbpf --help)"),
    (("run", "--raw", "p", "--mem", "00", "--mem", "01"),
     "ukbpf: --mem: only one CONTEXT allowed (see ukbpf --help)"),
    (("dis", "--raw", "p", "--mem", "00"),
     "ukbpf: --mem: a CONTEXT only makes sense with run (see ukbpf --help)"),
    (("dis", "--no-verify", "--raw", "p"),
     "ukbpf: dis: --no-verify only makes sense with run (see ukbpf --help)"),
    (("jit-dump", "--raw", "p", "--no-verify"),
     "ukbpf: jit-dump: --no-verify only makes sense with run (see ukbpf --help)"),
    (("verify", "--no-verify", "--raw", "p"),
     "ukbpf: verify: --no-verify only makes sense with run (see ukbpf --help)"),
    (("run", "--verify", "--raw", "p"), "ukbpf: unknown option '--verify' (see ukbpf --help)"),
    (("verify", "--pcap-out", "x", "p.o"),
     "ukbpf: --pcap-out only makes sense with run (see ukbpf --help)"),
    (("dis", "--dump-maps", "-", "p.o"),
     "ukbpf: --dump-maps only makes sense with run (see ukbpf --help)"),
    (("run", "p.o", "--dump-maps"), "ukbpf: --dump-maps needs an argument (see ukbpf --help)"),
    (("run", "p.o", "--set"), "ukbpf: --set needs an argument (see ukbpf --help)"),
])
def test_usage_errors(args, message, run_tool):
    proc = run_tool(*args)
    assert proc.returncode == 2
    assert proc.stderr == message + "\n"
    assert proc.stdout == ""


def test_missing_file(run_tool, tmp_path):
    path = str(tmp_path / "missing.bin")
    proc = run_tool("run", "--raw", path)
    assert proc.returncode == 1
    assert proc.stderr == "ukbpf: %s: No such file or directory\n" % path


@pytest.mark.parametrize("mem,message", [
    ("00 0g", "invalid hex digit 'g' at position 4"),
    ("zz", "invalid hex digit 'z' at position 0"),
    ("001", "odd number of hex digits"),
    ("0 01", "lone hex digit before position 1"),
])
def test_mem_errors(mem, message, raw_program, run_tool):
    proc = run_tool("run", "--no-verify", "--raw", raw_program(PROGRAM), "--mem", mem)
    assert proc.returncode == 1
    assert proc.stderr == "ukbpf: --mem: %s\n" % message


@pytest.mark.parametrize("mem", ["00 7f 01", "007f01", "00 7F\t01", " 007f 01 "])
def test_mem_formats(mem, raw_program, run_tool):
    proc = run_tool("run", "--no-verify", "--raw", raw_program(PROGRAM), "--mem", mem)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "0x82\n", "")


def test_run_verifies_by_default(raw_program, run_tool):
    """An unverifiable program does not run: the log goes to stderr, exit 1."""
    proc = run_tool("run", "--raw", raw_program(PROGRAM), "--mem", "01 02")
    assert (proc.returncode, proc.stdout) == (1, "")
    lines = proc.stderr.splitlines()
    assert lines[0] == "ukbpf: program rejected by the verifier:"
    assert lines[1:3] == ["0: (71) r0 = *(u8 *)(r1 + 1)",
                          "invalid bpf_context access off=1 size=1"]


def test_no_verify_runs_an_unverifiable_program(raw_program, run_tool):
    proc = run_tool("run", "--no-verify", "--raw", raw_program(PROGRAM), "--mem", "01 02")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "0x4\n", "")


def test_run_without_context_has_empty_memory(raw_program, run_tool):
    proc = run_tool("run", "--raw", raw_program("r0 = r2\nr0 += 7\nexit"))
    assert proc.stdout == "0x7\n"


def test_typed_program_without_context_runs_on_an_empty_frame(run_tool, tmp_path):
    """An XDP program that reads its ctx, run with no CONTEXT, sees an empty
    frame on ingress_ifindex 1 instead of crashing the tool on r1 = NULL."""
    src = tmp_path / "ctx.c"
    src.write_text(
        "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
        "SEC(\"xdp\") int ctx_reader(struct xdp_md *ctx)\n"
        "{ return (ctx->data_end - ctx->data) * 16 + ctx->ingress_ifindex; }\n"
        "char LICENSE[] SEC(\"license\") = \"GPL\";\n")
    obj = tmp_path / "ctx.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                    "-c", str(src), "-o", str(obj)], check=True)
    for engine in ("--interp", "--jit"):
        proc = run_tool("run", engine, str(obj))
        assert (proc.returncode, proc.stdout) == (0, "0x1\n"), proc.stderr


def test_run_prints_lowercase_hex(raw_program, run_tool):
    proc = run_tool("run", "--raw", raw_program("r0 = -1\nexit"))
    assert proc.stdout == "0xffffffffffffffff\n"


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
def test_repeat_prints_median(engine, raw_program, run_tool):
    proc = run_tool("run", engine, "--repeat", "2100", "--no-verify", "--raw",
                    raw_program(PROGRAM), "--mem", "01 02")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "0x4"
    m = re.fullmatch(r"(\d+\.\d) ns/run \(median of 21 batches of 100 runs\)", lines[1])
    assert m and 0 < float(m.group(1)) < 100000


def test_dis(raw_program, run_tool):
    proc = run_tool("dis", "--raw", raw_program(PROGRAM))
    assert proc.returncode == 0
    assert proc.stdout == "0: r0 = *(u8 *)(r1 + 1)\n1: r0 += r2\n2: exit\n"


def test_jit_dump_is_hex_bytes(raw_program, run_tool):
    proc = run_tool("jit-dump", "--raw", raw_program(PROGRAM))
    assert proc.returncode == 0, proc.stderr
    code = bytes.fromhex(proc.stdout)
    assert len(code) > 3
    assert b"\xc3" in code  # an x86-64 ret somewhere
    assert all(len(line.split()) <= 16 for line in proc.stdout.splitlines())


# ---- run output (--pcap-out, --dump-maps) and object options (--set, --map-max) ----

RUN_OUTPUT_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tool_progs",
                                 "run_output.c")
XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX = 0, 1, 2, 3
E2BIG = 7
# rewrite swaps the MAC addresses of frames of 20 bytes or more, drops shorter ones.
RUN_FRAMES = [bytes(range(60)), bytes(range(100, 116)), bytes(range(200, 230))]


@pytest.fixture(scope="module")
def run_output_obj(tmp_path_factory):
    out = tmp_path_factory.mktemp("tool_progs") / "run_output.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                    "-c", RUN_OUTPUT_SOURCE, "-o", str(out)], check=True)
    return str(out)


@pytest.fixture(scope="module")
def frames_pcap(tmp_path_factory):
    path = tmp_path_factory.mktemp("pcap") / "frames.pcap"
    return write_pcap(path, RUN_FRAMES)


def swapped_macs(frame):
    return frame[6:12] + frame[0:6] + frame[12:]


def read_pcapng(path):
    """[(packet bytes, comment)] of a pcapng file, checking its block structure."""
    data = open(path, "rb").read()
    packets, pos, linktypes = [], 0, []
    while pos < len(data):
        block_type, length = struct.unpack_from("<II", data, pos)
        assert length % 4 == 0 and struct.unpack_from("<I", data, pos + length - 4)[0] == length
        body = data[pos + 8:pos + length - 4]
        if block_type == 0x0a0d0d0a:
            assert struct.unpack_from("<IHH", body) == (0x1a2b3c4d, 1, 0)
        elif block_type == 1:
            linktypes.append(struct.unpack_from("<H", body)[0])
        else:
            assert block_type == 6
            iface, _, _, caplen, wirelen = struct.unpack_from("<IIIII", body)
            assert (iface, caplen) == (0, wirelen)
            packet = body[20:20 + caplen]
            opts, comment = body[20 + (caplen + 3) // 4 * 4:], None
            while opts:
                code, olen = struct.unpack_from("<HH", opts)
                if code == 0:
                    break
                if code == 1:
                    comment = opts[4:4 + olen].decode()
                opts = opts[4 + (olen + 3) // 4 * 4:]
            packets.append((packet, comment))
        pos += length
    assert linktypes == [1]
    return packets


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
def test_pcap_out_has_every_frame_as_left_with_its_verdict(engine, run_output_obj, frames_pcap,
                                                           run_tool, tmp_path):
    out = tmp_path / "out.pcapng"
    proc = run_tool("run", engine, run_output_obj + ":rewrite", "--pcap", frames_pcap,
                    "--pcap-out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["0 0x3", "1 0x1", "2 0x3"]
    assert read_pcapng(out) == [
        (swapped_macs(RUN_FRAMES[0]), "verdict XDP_TX (0x3)\n"),
        (RUN_FRAMES[1], "verdict XDP_DROP (0x1)\n"),  # dropped frames are kept, in place
        (swapped_macs(RUN_FRAMES[2]), "verdict XDP_TX (0x3)\n"),
    ]
    # tcpdump and Wireshark read it; so does scapy, which tests and scripts use.
    from scapy.all import rdpcap
    assert [(bytes(p), p.comment) for p in rdpcap(str(out))] == [
        (swapped_macs(RUN_FRAMES[0]), b"verdict XDP_TX (0x3)"),
        (RUN_FRAMES[1], b"verdict XDP_DROP (0x1)"),
        (swapped_macs(RUN_FRAMES[2]), b"verdict XDP_TX (0x3)")]


def test_pcap_out_needs_frames(raw_program, run_tool, tmp_path):
    proc = run_tool("run", "--raw", raw_program("r0 = 0\nexit"), "--mem", "00",
                    "--pcap-out", str(tmp_path / "x.pcapng"))
    assert proc.returncode == 1
    assert proc.stderr == "ukbpf: --pcap-out: --mem runs on no frames\n"
    assert not (tmp_path / "x.pcapng").exists()


def u32(n):
    return struct.pack("<I", n).hex()


def u64(n):
    return struct.pack("<Q", n).hex()


def test_dump_maps_after_each_run(run_output_obj, frames_pcap, run_tool, tmp_path):
    dump = tmp_path / "maps.jsonl"
    proc = run_tool("run", "--jit", run_output_obj + ":rewrite", "--pcap", frames_pcap,
                    "--dump-maps", str(dump))
    assert proc.returncode == 0, proc.stderr
    runs = [json.loads(line) for line in dump.read_text().splitlines()]
    assert [run["input"] for run in runs] == [0, 1, 2]
    last = {m["name"]: m for m in runs[2]["maps"]}
    assert list(last) == [".rodata", ".bss", "frames_by_length", "verdicts", "events"]
    assert last[".rodata"] == {"name": ".rodata", "type": "array", "entries": []}  # all zero
    assert last[".bss"]["entries"] == [{"key": u32(0), "value": u32(3)}]
    assert sorted(last["frames_by_length"]["entries"], key=lambda e: e["key"]) == sorted(
        [{"key": u32(len(f)), "value": u64(1)} for f in RUN_FRAMES], key=lambda e: e["key"])
    assert last["verdicts"] == {"name": "verdicts", "type": "array", "entries": [
        {"key": u32(XDP_DROP), "value": u32(1)}, {"key": u32(XDP_TX), "value": u32(2)}]}
    # Ring buffer records are consumed by each dump: one record a run, its frame's length.
    assert [run["maps"][4] for run in runs] == [
        {"name": "events", "type": "ringbuf", "records": [u32(len(f))]} for f in RUN_FRAMES]
    first = {m["name"]: m for m in runs[0]["maps"]}
    assert first["verdicts"]["entries"] == [{"key": u32(XDP_TX), "value": u32(1)}]


def test_dump_maps_to_stdout(run_output_obj, run_tool):
    proc = run_tool("run", run_output_obj + ":configured", "--dump-maps", "-")
    assert proc.returncode == 0, proc.stderr
    verdict, dump = proc.stdout.splitlines()
    assert verdict == "0x2"
    assert json.loads(dump)["maps"][0] == {"name": ".rodata", "type": "array", "entries": []}


def test_set_flips_a_verdict(run_output_obj, run_tool):
    obj = run_output_obj + ":configured"
    assert run_tool("run", obj).stdout == "0x%x\n" % XDP_PASS
    assert run_tool("run", "--set", "drop_all=1", obj).stdout == "0x%x\n" % XDP_DROP
    # Signed and bool variables, and a later --set of a name wins.
    proc = run_tool("run", "--set", "flag=1", "--set", "small_signed=-1", "--set",
                    "small_signed=-2", obj)
    assert proc.stdout == "0x%x\n" % (XDP_PASS - 2 + 1)
    proc = run_tool("run", "--set", "drop_all=0x0", "--set", "flag=true", obj)
    assert proc.returncode == 2  # not an integer


def test_set_changes_what_the_verifier_accepts(run_output_obj, run_tool):
    """The verifier reads frozen .rodata as constants, as Linux's does: a branch
    with an unchecked packet read is dead, and pruned, until --set makes it live."""
    obj = run_output_obj + ":pruned"
    proc = run_tool("verify", obj)
    assert proc.returncode == 0 and proc.stdout.startswith("accepted\n"), proc.stdout
    proc = run_tool("verify", "--set", "read_past_end=1", obj)
    assert proc.returncode == 1
    assert "invalid access to packet, off=100 size=1" in proc.stdout
    proc = run_tool("run", "--set", "read_past_end=1", obj)
    assert proc.returncode == 1 and proc.stdout == ""


def test_rodata_is_frozen_and_set_before_it(run_output_obj, run_tool):
    proc = run_tool("run", "--set", "drop_all=7", run_output_obj + ":configured",
                    "--dump-maps", "-")
    assert proc.returncode == 0, proc.stderr
    rodata = json.loads(proc.stdout.splitlines()[1])["maps"][0]
    # drop_all is the first 4 bytes; the other config variables follow untouched.
    assert rodata["entries"] == [{"key": u32(0), "value": u32(7) + "00" * 12}]


@pytest.mark.parametrize("setting,status,message", [
    ("nosuch=1", 1, "variable 'nosuch': no such variable in the object's BTF"),
    ("config_array=1", 1, "variable 'config_array': not an integer, bool or enum (8 bytes)"),
    ("verdicts=1", 1, "variable 'verdicts': in section .maps, not in .rodata, .data or .bss"),
    ("flag=2", 1, "variable 'flag': 2 does not fit its 1-byte bool type"),
    ("small_signed=128", 1, "variable 'small_signed': 128 does not fit its 1-byte signed type"),
    ("small_signed=-129", 1,
     "variable 'small_signed': -129 does not fit its 1-byte signed type"),
    ("read_past_end=256", 1,
     "variable 'read_past_end': 256 does not fit its 1-byte unsigned type"),
    ("drop_all=-1", 1, "variable 'drop_all': -1 does not fit its 4-byte unsigned type"),
    ("drop_all", 2, "--set: 'drop_all' is not NAME=VALUE"),
    ("=1", 2, "--set: '=1' is not NAME=VALUE"),
    ("drop_all=one", 2, "--set: 'drop_all=one': VALUE is not an integer"),
    ("drop_all=99999999999999999999", 2,
     "--set: 'drop_all=99999999999999999999': VALUE is not an integer"),
])
def test_set_errors_name_the_variable(setting, status, message, run_output_obj, run_tool):
    """A bad --set refuses the whole load (the good --set before it is not half-applied
    to a program that then runs)."""
    proc = run_tool("run", "--set", "drop_all=1", "--set", setting,
                    run_output_obj + ":configured")
    assert (proc.returncode, proc.stdout) == (status, "")
    if status == 1:
        assert proc.stderr == "ukbpf: %s: %s\n" % (run_output_obj, message)
    else:
        assert proc.stderr == "ukbpf: %s (see ukbpf --help)\n" % message


def test_set_and_map_max_need_an_object(raw_program, run_tool):
    prog = raw_program("r0 = 0\nexit")
    proc = run_tool("run", "--set", "x=1", "--raw", prog)
    assert proc.returncode == 2
    assert proc.stderr == ("ukbpf: %s: --set, --map-max and --kconfig need an OBJ.o program "
                           "(see ukbpf --help)\n" % prog)


def test_map_max_sizes_a_map_declared_with_zero(run_output_obj, run_tool):
    obj = run_output_obj + ":sized"
    proc = run_tool("run", obj)
    assert proc.returncode == 1
    assert "map 'sized_at_load': max_entries is 0" in proc.stderr
    # The program writes slot 3: room with 4 slots, -E2BIG with 2.
    assert run_tool("run", "--map-max", "sized_at_load=4", obj).stdout == "0x0\n"
    proc = run_tool("run", "--map-max", "sized_at_load=2", obj)
    assert proc.stdout == "0x%x\n" % (2**64 - E2BIG)
    proc = run_tool("verify", "--map-max", "sized_at_load=4", obj)
    assert proc.returncode == 0 and proc.stdout.startswith("accepted\n")


def test_map_max_resizes_a_sized_map(run_output_obj, frames_pcap, run_tool):
    """verdicts has 4 slots; with 2, XDP_TX's slot (3) is out of range and stays unseen."""
    def verdicts(*args):
        proc = run_tool("run", *args, run_output_obj + ":rewrite", "--pcap", frames_pcap,
                        "--dump-maps", "-")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.splitlines()[-1])["maps"][3]["entries"]
    assert verdicts() == [{"key": u32(XDP_DROP), "value": u32(1)},
                          {"key": u32(XDP_TX), "value": u32(2)}]
    assert verdicts("--map-max", "verdicts=2") == [{"key": u32(XDP_DROP), "value": u32(1)}]


@pytest.mark.parametrize("setting,status,message", [
    ("nosuch=4", 1, "map 'nosuch': no such map in the object (sections .maps, maps)"),
    ("sized_at_load=0", 2, "--map-max: 'sized_at_load=0': N is not a count from 1 to 4294967295"),
    ("sized_at_load=-4", 2,
     "--map-max: 'sized_at_load=-4': N is not a count from 1 to 4294967295"),
    ("sized_at_load=4294967296", 2,
     "--map-max: 'sized_at_load=4294967296': N is not a count from 1 to 4294967295"),
    ("sized_at_load", 2, "--map-max: 'sized_at_load' is not NAME=VALUE"),
])
def test_map_max_errors_name_the_map(setting, status, message, run_output_obj, run_tool):
    proc = run_tool("run", "--map-max", "sized_at_load=4", "--map-max", setting,
                    run_output_obj + ":sized")
    assert (proc.returncode, proc.stdout) == (status, "")
    if status == 1:
        assert proc.stderr == "ukbpf: %s: %s\n" % (run_output_obj, message)
    else:
        assert proc.stderr == "ukbpf: %s (see ukbpf --help)\n" % message


def test_question_mark_section_is_not_loaded_by_default(run_output_obj, run_tool):
    """SEC("?xdp"): libbpf's autoload off. First in the object, it is not the
    default program, but it is an XDP program that loads when named."""
    info = run_tool("info", run_output_obj)
    assert "  0: optional  section ?xdp  type xdp  attach xdp  rule xdp  autoload off" \
        in info.stdout
    assert run_tool("run", run_output_obj).stdout == "0x%x\n" % XDP_DROP  # rewrite's
    proc = run_tool("verify", run_output_obj + ":optional")
    assert proc.returncode == 0 and proc.stdout.startswith("accepted\n")
    assert run_tool("run", run_output_obj + ":optional").stdout == "0x%x\n" % XDP_ABORTED
