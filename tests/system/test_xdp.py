"""eBPF programs attached at boot (kernel/bpf_boot.c) and the XDP hook on
the receive path (net/xdp_hook.c), through netecho: scripts/run.sh --bpf
adds an object module, the kernel verifies it before the app starts (or
exits 127), and netecho's frames go through the program. The programs
are tests/system/xdp/*.c, compiled here; verdicts.c's by_opcode does what
each frame's first payload byte says, so one boot covers many verdicts.
The socket harness is test_virtio_net.py's."""
import re
import subprocess
from pathlib import Path

import pytest

from bootlib import boot, build_app
from test_virtio_net import GUEST_MACS, HOST_MAC, ETHERTYPE_TEST, Guest, frame

XDP_SOURCES = Path(__file__).resolve().parent / "xdp"
BPF_REJECTED = 127
ETH_HEADER_LEN = 14
XDP_STAT_NAMES = ("attached", "runs", "aborted", "drop", "pass", "tx", "redirect",
                  "invalid_action", "redirect_unset", "tx_failed", "redirect_failed",
                  "oversized", "run_ns", "redirect_cpu", "redirect_xsk")
ATTACHED = re.compile(r"bpf: attached (\S+) \((\d+) insns, verified in (\d+) us, "
                      r"(\d+) insns processed, (jit|interp)\)")


def multiarch_include():
    triple = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                            text=True).stdout.strip()
    return "-I/usr/include/" + (triple or "x86_64-linux-gnu")


@pytest.fixture(scope="module")
def netecho_image() -> Path:
    return build_app("netecho")


@pytest.fixture(scope="module")
def objects(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("xdp")
    objs = {}
    for source in sorted(XDP_SOURCES.glob("*.c")):
        obj = out / (source.stem + ".o")
        subprocess.run(["clang", "-O2", "-g", "-target", "bpf", multiarch_include(), "-c",
                        str(source), "-o", str(obj)], check=True)
        objs[source.stem] = obj
    garbage = out / "garbage.o"
    garbage.write_bytes(b"\x7fELF" + bytes(range(60)))
    objs["garbage"] = garbage
    return objs


@pytest.fixture
def guests():
    started = []
    yield started
    for g in started:
        g.close()


def start(guests, image, nics, *app_args, run_flags=(), kernel_options=""):
    guests.append(Guest(image, nics, *app_args, run_flags=run_flags,
                        kernel_options=kernel_options))
    return guests[-1]


def op_frame(op: str, arg: int = 0, length: int = 64, seed: int = 0) -> bytes:
    """A test frame whose payload starts with by_opcode's opcode and argument."""
    f = frame(GUEST_MACS[0], HOST_MAC, ETHERTYPE_TEST, length, seed)
    return f[:ETH_HEADER_LEN] + op.encode() + bytes([arg]) + f[ETH_HEADER_LEN + 2:]


def netecho_echo(sent: bytes) -> bytes:
    """What netecho sends back for a frame it handles itself (XDP_PASS)."""
    return sent[6:12] + sent[0:6] + sent[12:]


def xdp_stats(guest) -> dict:
    pattern = r"netecho: xdp " + " ".join(rf"{n} (\d+)" for n in XDP_STAT_NAMES)
    match = re.search(pattern, guest.output())
    assert match, guest.output()
    return dict(zip(XDP_STAT_NAMES, map(int, match.groups())))


def test_accepted_programs_are_listed_in_module_order(netecho_image, objects):
    result = boot(netecho_image, "--bpf", str(objects["verdicts"]),
                  "--bpf", f"{objects['verdicts']}:pass_all")
    # No NIC: netecho started (after the programs were attached) and gave up.
    assert result.status == 1, result.output
    attached = ATTACHED.findall(result.output)
    assert [a[0] for a in attached] == ["verdicts.o:by_opcode", "verdicts.o:pass_all"]
    assert all(engine == "jit" for *_, engine in attached)
    assert int(attached[0][1]) > 10 and int(attached[0][3]) >= int(attached[0][1]) // 2
    assert result.output.index("bpf: attached") < result.output.index("netecho: no virtio-net")


def test_rejected_program_never_lets_the_app_start(netecho_image, objects):
    result = boot(netecho_image, "--bpf", str(objects["oob_read"]))
    assert result.status == BPF_REJECTED, result.output
    assert re.search(r"bpf: oob_read.o: oob_read rejected by the verifier in \d+ us:",
                     result.output), result.output
    assert "invalid access to packet" in result.output
    assert "netecho:" not in result.output and "started app" not in result.output


@pytest.mark.parametrize("bpf, cmdline, message", [
    ("garbage", "", "bpf: garbage.o: not a loadable eBPF object: "),
    ("verdicts:nosuch", "", "bpf: verdicts.o:nosuch: no program or section of that name"),
    # The comma travels through QEMU's -initrd escaped as ",,".
    ("verdicts:by,opcode", "", "bpf: verdicts.o:by,opcode: no program or section"),
    ("verdicts:ports", "", "bpf: verdicts.o:ports: no program or section"),
    ("verdicts", "bpf.engine=fast", "bpf: bpf.engine=fast: expected jit or interp"),
    # Linux's dev_xdp_attach refuses programs for devmap and cpumap entries.
    ("map_entry_programs:devmap_entry", "",
     "bpf: map_entry_programs.o:devmap_entry: devmap_entry (section xdp/devmap) is an "
     "xdp_devmap program: Linux attaches those to map entries, never to a device"),
    ("map_entry_programs:cpumap_frags_entry", "",
     "bpf: map_entry_programs.o:cpumap_frags_entry: cpumap_frags_entry (section "
     "xdp.frags/cpumap) is an xdp_cpumap program"),
])
def test_unusable_object_or_option_exits_127(netecho_image, objects, bpf, cmdline, message):
    name, _, prog = bpf.partition(":")
    spec = str(objects[name]) + (f":{prog}" if prog else "")
    result = boot(netecho_image, "--bpf", spec, "--cmdline", cmdline)
    assert result.status == BPF_REJECTED, result.output
    assert message in result.output
    assert "netecho:" not in result.output


def test_program_the_loader_left_out(netecho_image, objects):
    # "bpf" alone: the first XDP program that loaded, past the kprobe.
    result = boot(netecho_image, "--bpf", str(objects["partly_loadable"]))
    assert result.status == 1, result.output
    assert [a[0] for a in ATTACHED.findall(result.output)] == ["partly_loadable.o:pass"]
    # Asked for by name, the kprobe is refused with the loader's reason.
    result = boot(netecho_image, "--bpf", f"{objects['partly_loadable']}:probe")
    assert result.status == BPF_REJECTED, result.output
    assert "bpf: partly_loadable.o:probe: probe did not load:\n" \
        "program type kprobe is not supported by ukbpf\n" in result.output
    assert "netecho:" not in result.output


def test_bare_bpf_passes_over_map_entry_programs(netecho_image, objects):
    result = boot(netecho_image, "--bpf", str(objects["map_entry_programs"]))
    assert result.status == 1, result.output  # netecho: no NIC
    assert [a[0] for a in ATTACHED.findall(result.output)] == ["map_entry_programs.o:device"]


def test_run_script_refuses_a_missing_bpf_file(netecho_image, objects):
    result = boot(netecho_image, "--bpf", "/nonexistent.o:xdp")
    assert result.status == 125
    assert "--bpf /nonexistent.o:xdp: no such readable file" in result.output
    result = boot(netecho_image, "--bpf", f"{objects['verdicts']}:a'b")
    assert result.status == 125
    assert "NAME may not contain" in result.output


def test_without_a_program_no_frame_is_counted(netecho_image, guests):
    guest = start(guests, netecho_image, 1)
    sent = op_frame("D")
    guest.send(0, sent)
    assert guest.recv(0) == netecho_echo(sent)
    assert guest.quit() == 0, guest.output()
    stats = xdp_stats(guest)
    assert stats["attached"] == 0 and stats["runs"] == 0


def test_pass_behaves_as_without_a_program(netecho_image, objects, guests):
    guest = start(guests, netecho_image, 1,
                  run_flags=("--bpf", f"{objects['verdicts']}:pass_all"))
    sizes = (60, 64, 1514)
    for i, size in enumerate(sizes):
        sent = op_frame("D", length=size, seed=i)
        guest.send(0, sent)
        assert guest.recv(0) == netecho_echo(sent)
    assert guest.quit() == 0, guest.output()
    stats = xdp_stats(guest)
    assert stats["attached"] == 1 and stats["runs"] == stats["pass"] == len(sizes)
    assert guest.stats(0)["echoed"] == len(sizes)


def test_every_verdict_is_carried_out_and_counted(netecho_image, objects, guests):
    guest = start(guests, netecho_image, 1, run_flags=("--bpf", str(objects["verdicts"])))

    def send_then_expect(sent: bytes, expected: bytes):
        guest.send(0, sent)
        assert guest.recv(0) == expected, sent[14:16]

    # Verdicts that send nothing back: a PASS frame right after each must be
    # the next thing to arrive (loopback UDP keeps order).
    silent = [op_frame("D"), op_frame("A"), op_frame("I"), op_frame("U"),
              op_frame("M", 0), op_frame("R", 9)]
    for i, sent in enumerate(silent):
        guest.send(0, sent)
        marker = op_frame("P", length=60, seed=i)
        send_then_expect(marker, netecho_echo(marker))

    sent = op_frame("T", length=100)
    send_then_expect(sent, sent[6:12] + sent[0:6] + sent[12:15] + b"t" + sent[16:])

    sent = op_frame("S", 10, length=100)
    send_then_expect(sent, netecho_echo(sent)[:90])

    sent = op_frame("H", length=80)
    echoed = (guest.send(0, sent), guest.recv(0))[1]
    assert len(echoed) == len(sent) + ETH_HEADER_LEN
    assert echoed[:ETH_HEADER_LEN] == HOST_MAC + GUEST_MACS[0] + ETHERTYPE_TEST
    assert echoed[ETH_HEADER_LEN:] == sent

    sent = op_frame("G", 20, length=100)
    echoed = (guest.send(0, sent), guest.recv(0))[1]
    assert len(echoed) == len(sent) + 20 and echoed[:len(sent)] == sent

    # A redirect to the receiving NIC itself (ifindex 1) goes out unchanged.
    sent = op_frame("R", 1, length=70)
    send_then_expect(sent, sent)

    assert guest.quit() == 0, guest.output()
    stats = xdp_stats(guest)
    assert stats["runs"] == len(silent) * 2 + 5
    assert stats["drop"] == 2  # D, and M's devmap miss
    assert stats["aborted"] == 3  # A, I (not an action), U (no target)
    assert stats["invalid_action"] == 1 and stats["redirect_unset"] == 1
    assert stats["redirect"] == 2 and stats["redirect_failed"] == 1  # ifindex 9: no NIC
    assert stats["tx"] == 3 and stats["tx_failed"] == 0
    assert stats["pass"] == len(silent) + 1
    assert stats["oversized"] == 0
    assert guest.stats(0)["echoed"] == stats["pass"]


def test_redirect_sends_out_of_the_other_nic(netecho_image, objects, guests):
    # ports[1] = ifindex 1 (eth0), set by netecho through bpf_boot_find_map.
    guest = start(guests, netecho_image, 2, "map-set", "ports", "1", "1",
                  run_flags=("--bpf", str(objects["verdicts"])))
    sent = op_frame("R", 2, length=200)
    guest.send(0, sent)
    assert guest.recv(1) == sent
    sent = op_frame("M", 1, length=300)
    guest.send(1, sent)
    assert guest.recv(0) == sent
    assert guest.quit() == 0, guest.output()
    stats = xdp_stats(guest)
    assert stats["redirect"] == 2 and stats["redirect_failed"] == 0
    for nic in (0, 1):
        assert guest.stats(nic)["tx_frames"] == 1
        assert guest.stats(nic)["echoed"] == 0


def test_cpumap_redirect_goes_to_the_stack(netecho_image, objects, guests):
    """One CPU: a cpumap redirect hands the frame to the stack (netecho echoes
    what passes), counted apart; CPU 1 does not exist, so its slot stays
    empty and the redirect falls back to XDP_DROP."""
    guest = start(guests, netecho_image, 1, "map-set", "cpus", "0", "64",
                  run_flags=("--bpf", str(objects["verdicts"])))
    sent = op_frame("C", 0, length=80)
    guest.send(0, sent)
    assert guest.recv(0) == netecho_echo(sent)
    guest.send(0, op_frame("C", 1))
    marker = op_frame("P", length=60, seed=1)
    guest.send(0, marker)
    assert guest.recv(0) == netecho_echo(marker)
    assert guest.quit() == 0, guest.output()
    stats = xdp_stats(guest)
    assert stats["redirect"] == 1 and stats["redirect_cpu"] == 1
    assert stats["drop"] == 1 and stats["pass"] == 1 and stats["redirect_failed"] == 0
    assert guest.stats(0)["echoed"] == 2


def test_map_set_names_a_missing_map(netecho_image, objects):
    result = boot(netecho_image, "--bpf", str(objects["verdicts"]),
                  "--cmdline", "-- map-set nosuch 1 1")
    assert result.status == 2, result.output
    assert "netecho: map-set: no attached program has a map nosuch" in result.output


@pytest.mark.parametrize("run_flags, cmdline, engine", [
    ((), "bpf.engine=interp", "interp"),
    (("--iso",), "", "jit"),  # GRUB's module2 line carries bpf=NAME
])
def test_tx_under_interpreter_and_from_the_iso(netecho_image, objects, guests, run_flags,
                                               cmdline, engine):
    flags = (*run_flags, "--bpf", f"{objects['verdicts']}:by_opcode")
    guest = start(guests, netecho_image, 1, run_flags=flags, kernel_options=cmdline)
    sent = op_frame("T", length=60)
    guest.send(0, sent)
    assert guest.recv(0) == sent[6:12] + sent[0:6] + sent[12:15] + b"t" + sent[16:]
    assert guest.quit() == 0, guest.output()
    attached = ATTACHED.findall(guest.output())
    assert [(a[0], a[4]) for a in attached] == [("verdicts.o:by_opcode", engine)]
    assert xdp_stats(guest)["tx"] == 1
