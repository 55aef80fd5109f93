#!/usr/bin/env python3
"""scripts/compat.py: do the XDP programs of the eBPF ecosystem load and run
on ukbpf as they do on Linux? (issue 11; docs/compat.md is its output)

For every object of the corpus (scripts/corpus.sh: xdp-tools' objects and
Linux 6.1's XDP selftests and samples, from Debian) and every XDP program in
it (a section named xdp...):

  Linux loads   the host kernel's verifier accepts the program, loaded
                alone by tools/kernel-run (libbpf; the object's maps created)
  ukbpf loads   `ukbpf verify OBJ.o:NAME` accepts it
  agree         where both load: on every frame of scripts/compat_frames.py
                (generated ones, then real ones from tcpdump's test captures),
                the verdict and the bytes the program left (data_meta to
                data_end) are the same under `ukbpf run --jit --pcap-bytes`
                and under BPF_PROG_TEST_RUN, and so are the maps after it
                (`--dump-maps` on both sides). Maps start empty on both sides
                but for what the samples' loaders set (LOADER_SETTINGS).

and the first reason of each refusal, normalised so that the same cause
groups ("unsupported map type 17 (xskmap)").

usage: scripts/compat.py [--markdown FILE] [--json FILE] [--jobs N]
  prints the report as markdown (docs/compat.md is `make compat`'s copy).
Needs root (loading programs into the host kernel), bpftool and clang;
builds the corpus on the way (cached: a warm run compiles nothing).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
UKBPF = BUILD / "tools" / "ukbpf"
KERNEL_RUN = BUILD / "tools" / "kernel-run"
CORPUS_SH = ROOT / "scripts" / "corpus.sh"
CORPUS_TSV = BUILD / "corpus.tsv"
FRAMES_PY = ROOT / "scripts" / "compat_frames.py"
FRAMES_PCAP = BUILD / "compat" / "frames.pcap"
UAPI_BPF_H = Path("/usr/include/linux/bpf.h")
CORPORA = ("xdp-tools", "linux-selftests", "linux-samples")
XDP_SECTION = "xdp"
# Linux's test run returns a 32-bit retval; ukbpf prints r0's 64 bits.
RETVAL_MASK = 0xffffffff
# A program the verifier works on for longer than this is reported as refused.
VERIFY_TIMEOUT_S = 120

# What the samples' own loaders set before load, given to both sides as
# `--set`/`--map-max`: xdp_sample_user.h's sample_init_pre_load sets nr_cpus and
# sizes the statistics maps by the CPU count (samples/bpf/xdp_sample_user.c's
# sample_setup_maps; exception_cnt falls through to the cpumap_enqueue_cnt
# size there), xdp_redirect_cpu_user.c sizes cpu_map and cpus_available by it.
# Both sides get a one-CPU machine's values, ukbpf's.
SAMPLE_CPUS = 1
XDP_REDIRECT_ERR_MAX = 7
_SAMPLE_SETTINGS = [
    "--set", f"nr_cpus={SAMPLE_CPUS}",
    "--map-max", f"rx_cnt={SAMPLE_CPUS}",
    "--map-max", f"redir_err_cnt={XDP_REDIRECT_ERR_MAX * SAMPLE_CPUS}",
    "--map-max", f"cpumap_enqueue_cnt={SAMPLE_CPUS * SAMPLE_CPUS}",
    "--map-max", f"cpumap_kthread_cnt={SAMPLE_CPUS}",
    "--map-max", f"exception_cnt={SAMPLE_CPUS * SAMPLE_CPUS}",
    "--map-max", f"devmap_xmit_cnt={SAMPLE_CPUS}",
]
LOADER_SETTINGS: Dict[str, List[str]] = {
    "xdp_redirect.bpf": _SAMPLE_SETTINGS,
    "xdp_redirect_cpu.bpf": _SAMPLE_SETTINGS + ["--map-max", f"cpu_map={SAMPLE_CPUS}",
                                                "--map-max", f"cpus_available={SAMPLE_CPUS}"],
    "xdp_redirect_map.bpf": _SAMPLE_SETTINGS,
    "xdp_redirect_map_multi.bpf": _SAMPLE_SETTINGS,
    "xdp_router_ipv4.bpf": _SAMPLE_SETTINGS,
}


class CorpusError(Exception):
    """scripts/corpus.sh failed; the message is its stderr."""


@dataclass
class FrameDiff:
    index: int
    frame: str
    linux: str
    ukbpf: str


@dataclass
class MapDiff:
    index: int      # the frame after which the maps differ
    frame: str
    map: str
    key: str        # hex; "" when the whole map differs (records, or missing)
    linux: str      # the value (or records) on each side; "absent" when the key is not there
    ukbpf: str


@dataclass
class Program:
    corpus: str
    object: str      # file name of the object
    path: str        # where it is
    name: str        # the program's function name
    section: str
    ukbpf_type: str = ""  # the type ukbpf's loader gives it ("" if it cannot open the object)
    linux_loads: bool = False
    linux_reason: str = ""
    ukbpf_loads: bool = False
    ukbpf_reason: str = ""
    frames_compared: int = 0
    frames_linux_refused: int = 0  # frames BPF_PROG_TEST_RUN does not run
    diffs: List[FrameDiff] = field(default_factory=list)
    maps_compared: int = 0  # frames after which the maps were compared
    map_diffs: List[MapDiff] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The name tests and docs use: OBJECT-STEM:PROGRAM, the stem
        without the cache key (test_xdp_noinline:balancer_ingress_v4)."""
        return f"{self.stem}:{self.name}"

    @property
    def both_load(self) -> bool:
        return self.linux_loads and self.ukbpf_loads

    @property
    def stem(self) -> str:
        return re.sub(r"-[0-9a-f]{16}$", "", self.object[:-2])

    @property
    def settings(self) -> List[str]:
        """What the program's own loader sets before load (LOADER_SETTINGS)."""
        return LOADER_SETTINGS.get(self.stem, [])

    @property
    def agrees(self) -> bool:
        return not self.diffs and not self.map_diffs


@dataclass
class CorpusObject:
    corpus: str
    path: str
    source: str
    build_error: str = ""  # did not compile
    open_error: str = ""   # libbpf cannot open it, so its programs are unknown
    programs: List[Program] = field(default_factory=list)


# ---------------------------------------------------------------- the corpus

def corpus_packages() -> List[str]:
    """The Debian packages the corpus came from: OUT_TSV's "# packages:" line."""
    for line in CORPUS_TSV.read_text().splitlines():
        if line.startswith("# packages: "):
            return line[len("# packages: "):].split(", ")
    return []


def build_corpus() -> List[CorpusObject]:
    """Runs scripts/corpus.sh (prints its step lines to stderr) and reads its list."""
    result = subprocess.run([str(CORPUS_SH), str(CORPUS_TSV)], cwd=ROOT, capture_output=True,
                            text=True)
    sys.stderr.write(result.stdout)
    if result.returncode != 0:
        raise CorpusError(result.stderr.strip())
    objects = []
    for line in CORPUS_TSV.read_text().splitlines():
        if line.startswith("#"):
            continue
        corpus, path, source, error = line.split("\t")
        objects.append(CorpusObject(corpus, path, source, "" if error == "-" else error))
    return objects


def corpus_captures() -> tuple:
    """(directory of tcpdump's test captures, "") from OUT_TSV's "# captures:"
    line, or (None, why there are none)."""
    for line in CORPUS_TSV.read_text().splitlines():
        if line.startswith("# captures: none: "):
            return None, line[len("# captures: none: "):]
        if line.startswith("# captures: "):
            return Path(line[len("# captures: "):]), ""
    return None, f"{CORPUS_TSV} names no captures"


def frames_module():
    """scripts/compat_frames.py, imported when first needed: scapy takes a second."""
    sys.path.insert(0, str(FRAMES_PY.parent))
    import compat_frames
    return compat_frames


def ensure_frames() -> dict:
    """Writes FRAMES_PCAP (left alone when it holds the same frames); returns
    what the report says of them: {"names": [...], "generated": N,
    "captured": N, "captures": PACKAGE or "", "captures_missing": why or ""}."""
    compat_frames = frames_module()
    captures, missing = corpus_captures()
    frame_list = compat_frames.frames(captures)
    FRAMES_PCAP.parent.mkdir(parents=True, exist_ok=True)
    compat_frames.write_pcap(FRAMES_PCAP, frame_list)
    generated = len(compat_frames.generated_frames())
    # corpus.sh's "NAME VERSION" of the package the captures came from.
    package = (captures / "packages").read_text().strip() if captures else ""
    return {"names": [name for name, _ in frame_list], "generated": generated,
            "captured": len(frame_list) - generated, "captures": package,
            "captures_missing": missing}


def frame_bytes(index: int) -> bytes:
    """Frame index of FRAMES_PCAP, as written."""
    return frames_module().read_pcap(FRAMES_PCAP)[1][index]


def list_programs(obj: CorpusObject) -> None:
    """Fills obj.programs with its XDP programs, as libbpf lists them."""
    result = subprocess.run([str(KERNEL_RUN), "list", obj.path], capture_output=True, text=True)
    if result.returncode != 0:
        obj.open_error = linux_reason(result.stderr)
        return
    info = subprocess.run([str(UKBPF), "info", obj.path], capture_output=True, text=True)
    ukbpf_types = dict(re.findall(r"^\s+\d+: (\S+)\s+section \S+\s+type (\S+)", info.stdout,
                                  re.M))
    for line in result.stdout.splitlines():
        name, section, _ = line.split(" ")
        if section.lstrip("?").startswith(XDP_SECTION):  # SEC("?xdp"): autoload off
            obj.programs.append(Program(obj.corpus, Path(obj.path).name, obj.path, name,
                                        section, ukbpf_types.get(name, "")))


# ---------------------------------------------------------------- reasons

def _enum_names(header: str) -> Dict[str, Dict[int, str]]:
    """Numbers to names of bpf.h's helpers and map types, so that reasons
    say "helper 163 (check_mtu)"; empty when the header is missing."""
    names: Dict[str, Dict[int, str]] = {"helper": {}, "map type": {}}
    # FN(name) in order in older headers, FN(name, number, ...) in newer ones.
    for index, (name, number) in enumerate(re.findall(r"\bFN\((\w+)(?:, (\d+))?", header)):
        names["helper"][int(number) if number else index] = name
    body = re.search(r"enum bpf_map_type \{(.*?)\};", header, re.S)
    value = -1
    for entry in re.findall(r"BPF_MAP_TYPE_(\w+)\s*(=\s*\w+)?\s*,", body.group(1) if body else ""):
        if entry[1] and not entry[1][1:].strip().isdigit():
            continue  # an alias (CGROUP_STORAGE = CGROUP_STORAGE_DEPRECATED)
        value = int(entry[1][1:]) if entry[1] else value + 1
        names["map type"][value] = entry[0].lower().removesuffix("_deprecated")
    return names


ENUM_NAMES = _enum_names(UAPI_BPF_H.read_text() if UAPI_BPF_H.exists() else "")


def _name_numbers(reason: str) -> str:
    def named(match):
        kind, number = match.group(1), int(match.group(2))
        name = ENUM_NAMES[kind].get(number)
        return f"{kind} {number} ({name})" if name else match.group(0)
    return re.sub(r"(helper|map type) (\d+)\b", named, reason)


def normalise(reason: str, program: str = "") -> str:
    """One line that groups with others of the same cause: names of maps,
    symbols and registers, offsets and instruction numbers left out."""
    reason = reason.strip().splitlines()[0] if reason.strip() else "no reason given"
    reason = re.sub(r"^ukbpf: [^:]+: ", "", reason)
    other = re.match(r"program '([^']+)' \(section [^)]*\)(?: did not load)?: ", reason)
    if other:
        reason = reason[other.end():]
        if program and other.group(1) != program:
            reason = "another program of the object: " + reason
    reason = re.sub(r"^section \S+ is not XDP to ukbpf \(type (\w+)\): .*",
                    r"legacy section name, not XDP to ukbpf: verified as \1", reason)
    reason = re.sub(r"^section \S+: ", "", reason)
    reason = re.sub(r"^program '[^']*' (calls kfunc '[^']*' \(an extern __ksym\)) at \S+:",
                    r"\1:", reason)
    reason = re.sub(r"\bmap '[^']*': ", "map: ", reason)
    reason = re.sub(r"^[\w.]+\+0x[0-9a-f]+: ", "", reason)
    reason = re.sub(r"symbol '[^']*'", "symbol", reason)
    reason = re.sub(r"\binsn \d+: ", "", reason)
    reason = re.sub(r"\bR\d+\b", "Rn", reason)
    reason = re.sub(r"\b(off|size|imm|id|r)=-?\d+", r"\1=N", reason)
    reason = re.sub(r"\(id=N[^)]*\)", "", reason)
    return _name_numbers(reason)


def _verifier_error(log: List[str]) -> Optional[str]:
    """The verifier's own message: its log's last line before the statistics."""
    lines = [line for line in log if line.strip() and not line[0].isspace() and not line.startswith(
        ("processed ", "verification time", "stack depth", "error: "))]
    return lines[-1] if lines else None


def linux_reason(stderr: str) -> str:
    lines = stderr.splitlines()
    if "-- BEGIN PROG LOAD LOG --" in stderr:
        begin = next(i for i, line in enumerate(lines) if "-- BEGIN PROG LOAD LOG --" in line)
        end = next((i for i, line in enumerate(lines) if "-- END PROG LOAD LOG --" in line),
                   len(lines))
        found = _verifier_error(lines[begin + 1:end])
        if found:
            return found
    generic = ("skipping unrecognized", "failed to load object", "failed to load: -",
               "BPF program load failed", "Retrying without BTF")
    for line in lines:
        if line.startswith("libbpf: ") and not any(g in line for g in generic):
            return re.sub(r"^libbpf: (prog '[^']*': )?", "", line)
    return lines[-1] if lines else "refused without a message"


def ukbpf_reason(stdout: str, stderr: str) -> str:
    if stdout.startswith("rejected"):
        found = _verifier_error(stdout.splitlines()[1:])
        if found:
            return found
    return stderr.strip() or stdout.strip() or "refused without a message"


# ---------------------------------------------------------------- one program

def _run_lines(stdout: str) -> Dict[int, str]:
    """{frame index: "0xVERDICT HEX" or "error ERRNO"} from either tool."""
    runs = {}
    for line in stdout.splitlines():
        index, rest = line.split(" ", 1)
        if rest.startswith("0x"):
            verdict, _, data = rest.partition(" ")
            rest = f"0x{int(verdict, 16) & RETVAL_MASK:x} {data}"
        runs[int(index)] = rest
    return runs


def _map_states(path: Path) -> Dict[int, Dict[str, dict]]:
    """{frame index: {map name: map}} from a --dump-maps file of either tool."""
    states = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        run = json.loads(line)
        states[run["input"]] = {m["name"]: m for m in run["maps"]}
    return states


def compare_maps(index: int, frame: str, linux: Dict[str, dict],
                 ukbpf: Dict[str, dict]) -> List[MapDiff]:
    """The differences between both sides' maps after one frame. Only maps both
    sides made and both dump (not programs, maps, sockets as values) are compared;
    entries by key, whatever order each side walks them in."""
    diffs = []
    for name in sorted(set(linux) & set(ukbpf)):
        lin, ukb = linux[name], ukbpf[name]
        if "records" in lin and "records" in ukb:
            if lin["records"] != ukb["records"]:
                diffs.append(MapDiff(index, frame, name, "", " ".join(lin["records"]),
                                     " ".join(ukb["records"])))
            continue
        if lin.get("entries") is None or ukb.get("entries") is None:
            continue
        lin_entries = {e["key"]: e["value"] for e in lin["entries"]}
        ukb_entries = {e["key"]: e["value"] for e in ukb["entries"]}
        for key in sorted(set(lin_entries) | set(ukb_entries)):
            if lin_entries.get(key) != ukb_entries.get(key):
                diffs.append(MapDiff(index, frame, name, key, lin_entries.get(key, "absent"),
                                     ukb_entries.get(key, "absent")))
    return diffs


def check_program(prog: Program, frame_names: List[str]) -> Program:
    with tempfile.TemporaryDirectory(prefix="compat-") as tmp:
        return _check_program(prog, frame_names, Path(tmp))


def _check_program(prog: Program, frame_names: List[str], tmp: Path) -> Program:
    linux_maps, ukbpf_maps = tmp / "linux-maps.jsonl", tmp / "ukbpf-maps.jsonl"
    linux = subprocess.run([str(KERNEL_RUN), "run", prog.path, prog.name, "--pcap",
                            str(FRAMES_PCAP), "--dump-maps", str(linux_maps), *prog.settings],
                           capture_output=True, text=True)
    prog.linux_loads = linux.returncode == 0
    if not prog.linux_loads:
        prog.linux_reason = linux_reason(linux.stderr)
    try:
        verify = subprocess.run([str(UKBPF), "verify", *prog.settings,
                                 f"{prog.path}:{prog.name}"],
                                capture_output=True, text=True, timeout=VERIFY_TIMEOUT_S)
        prog.ukbpf_loads = verify.returncode == 0
        if not prog.ukbpf_loads:
            prog.ukbpf_reason = ukbpf_reason(verify.stdout, verify.stderr)
            if prog.ukbpf_type not in ("", "xdp"):
                # An xdp* section typed otherwise by libbpf's table: say so,
                # since the frames would then never be compared.
                prog.ukbpf_reason = (f"section {prog.section} is not XDP to ukbpf "
                                     f"(type {prog.ukbpf_type}): {prog.ukbpf_reason}")
    except subprocess.TimeoutExpired:
        prog.ukbpf_reason = f"verification took more than {VERIFY_TIMEOUT_S} s"
    if not prog.both_load:
        return prog
    run = subprocess.run([str(UKBPF), "run", "--jit", *prog.settings, f"{prog.path}:{prog.name}",
                          "--pcap-bytes", str(FRAMES_PCAP), "--dump-maps", str(ukbpf_maps)],
                         capture_output=True, text=True)
    ukbpf_runs = _run_lines(run.stdout) if run.returncode == 0 else {}
    linux_states, ukbpf_states = _map_states(linux_maps), _map_states(ukbpf_maps)
    states_aligned = True
    for index, linux_run in sorted(_run_lines(linux.stdout).items()):
        if linux_run.startswith("error"):
            # ukbpf ran the frame Linux refused: from here on their maps may
            # differ for that alone, so they are no longer compared.
            prog.frames_linux_refused += 1
            states_aligned = False
            continue
        if states_aligned:
            prog.maps_compared += 1
            prog.map_diffs += compare_maps(index, frame_names[index],
                                           linux_states.get(index, {}),
                                           ukbpf_states.get(index, {}))
        prog.frames_compared += 1
        ukbpf_run = ukbpf_runs.get(index, f"no result: {run.stderr.strip()}")
        if ukbpf_run != linux_run:
            prog.diffs.append(FrameDiff(index, frame_names[index], linux_run, ukbpf_run))
    return prog


def check_corpus(jobs: int) -> dict:
    """The whole report as data: {"objects": [...], "frames": [names...],
    "frame_sources": ensure_frames()'s counts, "host": {...}}."""
    objects = build_corpus()
    frame_sources = ensure_frames()
    frame_names = frame_sources.pop("names")
    built = [obj for obj in objects if not obj.build_error]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(list_programs, built))
        programs = [prog for obj in built for prog in obj.programs]
        list(pool.map(lambda prog: check_program(prog, frame_names), programs))
    return {"objects": objects, "frames": frame_names, "frame_sources": frame_sources,
            "host": host_facts(corpus_packages())}


def host_facts(packages: List[str]) -> dict:
    clang = subprocess.run(["clang", "--version"], capture_output=True, text=True).stdout
    return {"kernel": os.uname().release, "clang": clang.splitlines()[0] if clang else "?",
            "packages": packages}


# ---------------------------------------------------------------- the report

def summary_rows(objects: List[CorpusObject]) -> List[dict]:
    rows = []
    for corpus in CORPORA + ("total",):
        objs = [o for o in objects if corpus in (o.corpus, "total")]
        progs = [p for o in objs for p in o.programs]
        both = [p for p in progs if p.both_load]
        rows.append({
            "corpus": corpus,
            "objects": len(objs),
            "built": sum(1 for o in objs if not o.build_error),
            "with XDP programs": sum(1 for o in objs if o.programs),
            "XDP programs": len(progs),
            "Linux loads": sum(1 for p in progs if p.linux_loads),
            "ukbpf loads": sum(1 for p in progs if p.ukbpf_loads),
            "both": len(both),
            "run on frames": sum(1 for p in both if p.frames_compared),
            "agree on every frame": sum(1 for p in both if p.frames_compared and p.agrees),
        })
    return rows


def reason_rows(programs: List[Program], side: str) -> List[tuple]:
    """[(normalised reason, programs, objects)], most programs first."""
    groups: Dict[str, List[Program]] = {}
    for prog in programs:
        loads, reason = ((prog.ukbpf_loads, prog.ukbpf_reason) if side == "ukbpf"
                         else (prog.linux_loads, prog.linux_reason))
        if not loads:
            groups.setdefault(normalise(reason, prog.name), []).append(prog)
    rows = [(reason, len(progs), len({p.object for p in progs})) for reason, progs in groups.items()]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


# What the tables cannot say; kept true by whoever changes what they count.
NOTES = [
    "- Objects are loaded as their authors ship or build them, nothing patched. Where a",
    "  sample's own loader sets config or sizes maps before load (`max_entries` 0 in the",
    "  samples' redirect programs), both sides get what it would set on one CPU",
    "  (`--set`/`--map-max`, scripts/compat.py's LOADER_SETTINGS). Maps no loader fills",
    "  start empty, so paths that need entries are not exercised.",
    "- Maps are compared after every frame up to the first frame Linux refuses (after",
    "  it ukbpf, which ran that frame, may be a step ahead; such frames go last, after",
    "  tcpdump's): every map both sides made whose values are bytes, entry by entry by",
    "  key; ring buffer and perf event records as written. Arrays' all-zero values are",
    "  left out on both sides. Percpu maps:",
    "  Linux keeps a value per possible CPU, ukbpf one; kernel-run runs on CPU 0 and",
    "  only CPU 0's value is compared.",
    "- Sections libbpf 1.x does not know (`xdp_icmp`, `xdp_prog0`, samples' legacy",
    "  names) are loaded as XDP on both sides, as the samples' own loaders do.",
    "- `test_map_in_map:xdp_mimtest0` declares `mim_array` and `mim_hash` without an inner",
    "  map definition: the selftest's user space gives one (`bpf_map__set_inner_map_fd`)",
    "  before loading, so loaded alone both sides refuse it for that reason. Debian's",
    "  libbpf 1.1 leaves an inner perf event array at 0 entries; kernel-run sizes it per",
    "  CPU, as libbpf >= 1.2 does.",
    "- Linux's test run refuses programs of `xdp/devmap` and `xdp/cpumap` sections and",
    "  frames shorter than an Ethernet header: those are not compared.",
    "- The host kernel of this report refuses `bpf_xdp_adjust_meta` in every XDP program",
    "  (a one-line program calling it is refused too), which upstream Linux allows: where",
    "  Linux refuses for that reason, the fault is the oracle's.",
]


def _table(header: List[str], rows: List[list]) -> List[str]:
    def cell(value):
        return str(value).replace("|", "\\|")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def _yes_no(loads: bool, reason: str, name: str) -> str:
    return "yes" if loads else "no: " + normalise(reason, name)


def frames_phrase(frames: List[str], sources: dict) -> str:
    """Where the report's frames came from, for the header."""
    text = (f"each of the {len(frames)} frames ({sources['generated']} generated by "
            "scripts/compat_frames.py, ")
    if sources["captures"]:
        return text + (f"{sources['captured']} picked from the Ethernet captures in "
                       f"`{sources['captures']}`'s tests/*.pcap: every capture's first frame, "
                       "then every capture's second..., none twice; named CAPTURE#N)")
    return text + ("none from tcpdump's test captures, which could not be fetched: "
                   f"{sources['captures_missing']})")


def markdown(report: dict) -> str:
    objects: List[CorpusObject] = report["objects"]
    programs = [p for o in objects for p in o.programs]
    host = report["host"]
    frames = report["frames"]
    out = [
        "# Compatibility: the XDP programs of the eBPF ecosystem on ukbpf and on Linux",
        "",
        "Generated by `make compat` (`scripts/compat.py --markdown docs/compat.md`); do not edit.",
        f"Host kernel {host['kernel']} (the oracle); {host['clang']}; the corpus from Debian's",
        ", ".join(f"`{c}`" for c in host["packages"]) + " (scripts/corpus.sh).",
        "",
        *textwrap.wrap(
            "A program is an XDP program when its section name starts with `xdp`. *Linux "
            "loads*: the host kernel's verifier accepts it, loaded alone with its object's maps "
            "(tools/kernel-run; a section libbpf does not know, such as samples' `xdp_fwd`, is "
            "loaded as XDP, as the samples' own loaders do). *ukbpf loads*: `ukbpf verify "
            "OBJ.o:NAME` accepts it. *Agree*: where both load, "
            + frames_phrase(frames, report["frame_sources"]) +
            " gives the same verdict and the same output bytes (data_meta to data_end) under "
            "`ukbpf run --jit --pcap-bytes` and under BPF_PROG_TEST_RUN, and leaves the same map "
            "contents (`--dump-maps` on both sides, after each frame), maps starting empty on "
            "both sides. Frames Linux will not test-run (shorter than an Ethernet header; "
            "programs of devmap/cpumap sections) are not compared.", width=90,
            break_long_words=False, break_on_hyphens=False),
        "",
        "## Summary",
        "",
    ]
    rows = summary_rows(objects)
    out += _table(list(rows[0].keys()), [list(r.values()) for r in rows])
    for side, title in (("ukbpf", "Why ukbpf refuses"), ("linux", "Why Linux refuses")):
        out += ["", f"## {title}", ""]
        rows = reason_rows(programs, side)
        out += _table(["reason", "programs", "objects"], rows) if rows else ["Nothing."]
    out += ["", "## Where ukbpf accepts what Linux refuses", ""]
    unsafe = [p for p in programs if p.ukbpf_loads and not p.linux_loads]
    out += _table(["program", "Linux's reason"], [[f"`{p.key}`", normalise(p.linux_reason)]
                                                   for p in unsafe]) if unsafe else ["Nothing."]
    out += ["", "## Where both load and the results differ", ""]
    differ = [p for p in programs if not p.agrees]
    if differ:
        rows = [[f"`{p.key}`", len(p.diffs), p.frames_compared,
                 ", ".join(d.frame for d in p.diffs[:4]) + (" ..." if len(p.diffs) > 4 else ""),
                 len(p.map_diffs),
                 ", ".join(f"`{d.map}` {d.key or 'records'} after {d.frame}"
                           for d in p.map_diffs[:2]) + (" ..." if len(p.map_diffs) > 2 else "")]
                for p in differ]
        out += _table(["program", "frames differing", "frames compared", "first frames",
                       "map entries differing", "first map entries"], rows)
    else:
        out += ["Nothing: every program both load gives the same verdict, bytes and maps on every",
                "frame."]
    out += ["", "## Reading the numbers", ""] + NOTES
    unbuilt = [o for o in objects if o.build_error or o.open_error]
    if unbuilt:
        out += ["", "## Objects that did not build or open", ""]
        out += _table(["object", "reason"], [[o.source, o.build_error or o.open_error]
                                             for o in unbuilt])
    out += ["", "## Every program", ""]
    rows = []
    for p in programs:
        agree = ("" if not p.both_load else
                 f"{p.frames_compared - len(p.diffs)}/{p.frames_compared}" +
                 (f", maps differ after {len({d.index for d in p.map_diffs})}" if p.map_diffs
                  else "") if p.frames_compared else "Linux runs none")
        rows.append([p.corpus, f"`{p.key}`", f"`{p.section}`",
                     _yes_no(p.linux_loads, p.linux_reason, p.name),
                     _yes_no(p.ukbpf_loads, p.ukbpf_reason, p.name), agree])
    out += _table(["corpus", "program", "section", "Linux loads", "ukbpf loads", "frames agree"],
                  rows)
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", type=Path, help="write the report there too")
    parser.add_argument("--json", type=Path, help="write the results as JSON there")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("compat: loading programs into the host kernel needs root", file=sys.stderr)
        return 1
    for tool in (UKBPF, KERNEL_RUN):
        if not tool.exists():
            print(f"compat: {tool} missing: run make first", file=sys.stderr)
            return 1
    try:
        report = check_corpus(args.jobs)
    except CorpusError as error:
        print(f"compat: {error}", file=sys.stderr)
        return 1
    text = markdown(report)
    sys.stdout.write(text)
    if args.markdown:
        args.markdown.write_text(text)
    if args.json:
        data = dict(report, objects=[asdict(o) for o in report["objects"]])
        args.json.write_text(json.dumps(data, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
