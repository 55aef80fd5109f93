"""Who may include whom (STYLE.md, "Layering"), read from the #include "..."
lines of our source directories.

A quoted include is resolved as the guest build resolves it: the including
file's own directory first, then the Makefile's -iquote directories in
KERNEL_CFLAGS order. A name found in none of them (lwIP's, newlib's) is
outside the layering and ignored."""
import re
from collections import defaultdict
from pathlib import Path

import pytest

from bootlib import ROOT

LAYERS = ("boot", "kernel", "drivers", "net", "ebpf", "apps", "tools")
SOURCE_SUFFIXES = (".c", ".h", ".S")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
# The one net/ header drivers implement (the device interface they register through).
DRIVER_NET_INTERFACE = "net/netdev.h"


def iquote_dirs(root: Path) -> list:
    """The -iquote directories of the Makefile's KERNEL_CFLAGS, in order."""
    makefile = (root / "Makefile").read_text()
    match = re.search(r"^KERNEL_CFLAGS\s*:?=((?:.*\\\n)*.*)$", makefile, re.MULTILINE)
    assert match, "Makefile: no KERNEL_CFLAGS"
    dirs = re.findall(r"-iquote\s+(\S+)", match.group(1))
    assert dirs, "Makefile: KERNEL_CFLAGS has no -iquote"
    return dirs


def source_files(root: Path) -> list:
    return sorted(p.relative_to(root).as_posix() for layer in LAYERS
                  for p in (root / layer).rglob("*")
                  if p.suffix in SOURCE_SUFFIXES and p.is_file())


def includes(root: Path) -> dict:
    """{including file: [(name as written, resolved file or None), ...]}, paths relative to root."""
    search = iquote_dirs(root)
    result = {}
    for path in source_files(root):
        resolved = []
        text = (root / path).read_text(errors="replace")
        for name in INCLUDE.findall(text):
            found = None
            for directory in [str(Path(path).parent), *search]:
                candidate = Path(directory) / name
                if (root / candidate).is_file():
                    found = candidate.as_posix()
                    break
            resolved.append((name, found))
        result[path] = resolved
    return result


def top(path: str) -> str:
    return path.split("/", 1)[0]


def violations(graph: dict, layer: str, allowed) -> list:
    """'file: #include "name" (resolved)' for each include of layer's files that
    allowed(resolved) refuses."""
    found = []
    for path, targets in graph.items():
        if top(path) != layer:
            continue
        for name, target in targets:
            if target is not None and not allowed(target):
                found.append(f'{path}: #include "{name}" ({target})')
    return found


@pytest.fixture(scope="module")
def graph() -> dict:
    return includes(ROOT)


def check(graph, layer, allowed, rule):
    bad = violations(graph, layer, allowed)
    assert not bad, f"{rule}:\n  " + "\n  ".join(bad)


def test_ebpf_includes_only_ebpf(graph):
    check(graph, "ebpf", lambda t: top(t) == "ebpf",
          "ebpf/ builds for the host too: it includes only its own headers, nothing of "
          "kernel/, drivers/ or net/")


def test_tools_include_only_ebpf(graph):
    check(graph, "tools", lambda t: top(t) in ("tools", "ebpf"),
          "tools/ include only ebpf/ (and their own headers): host tools link no kernel code")


def test_apps_do_not_include_drivers(graph):
    check(graph, "apps", lambda t: top(t) != "drivers",
          "apps/ reach NICs through net/, never a driver's header")


def test_drivers_include_only_kernel(graph):
    check(graph, "drivers",
          lambda t: top(t) in ("drivers", "kernel") or t == DRIVER_NET_INTERFACE,
          f"drivers/ include only kernel/ (and {DRIVER_NET_INTERFACE}, the interface they "
          "implement): a driver knows nothing of the IP stack")


def test_kernel_includes_only_ebpf(graph):
    check(graph, "kernel", lambda t: top(t) in ("kernel", "boot", "ebpf"),
          "kernel/ include only ebpf/ (to load programs at boot) besides their own and boot/")


# ---- no include cycle inside kernel/ ----
# A module is NAME.h with the file(s) that define what it declares (NAME.c
# as a rule: a header implemented elsewhere belongs to that file's module,
# so an edge into it is an edge into the file that implements it). Module A
# depends on B when a file of A includes a header of B.

COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
PROTOTYPE = re.compile(r"\b([A-Za-z_]\w*)\s*\([^;{}]*\)\s*(?:__attribute__\s*\(\(.*?\)\)\s*)?;",
                       re.DOTALL)
# Words a "(" may follow that name no function (a function pointer's type, an attribute).
NOT_FUNCTIONS = {"if", "while", "for", "switch", "return", "sizeof", "__attribute__", "void",
                 "int", "char", "bool", "const"}


def declared_functions(header_text: str) -> set:
    text = COMMENT.sub(" ", header_text)
    # Only top-level declarations: drop preprocessor lines, typedefs and inline bodies.
    text = re.sub(r"^\s*#.*?(?<!\\)$", " ", text, flags=re.MULTILINE | re.DOTALL)
    text = re.sub(r"\btypedef\b[^;]*;", " ", text)
    text = re.sub(r"\bstatic\s+inline\b[^{;]*\{", "{", text)
    depth, flat = 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            flat.append(";")  # end of a struct or an inline body
        elif depth == 0:
            flat.append(ch)
    names = {m.group(1) for m in PROTOTYPE.finditer("".join(flat))}
    return names - NOT_FUNCTIONS


def defines(source_text: str, name: str) -> bool:
    """True when source_text defines function name (our style: the name at the start
    of a line or after its return type, the body's brace before any ';')."""
    text = COMMENT.sub(" ", source_text)
    definition = re.compile(r"^(?:[A-Za-z_][\w\s\*]*?[\s\*])?" + re.escape(name) +
                            r"\s*\([^;{]*\)[^;{]*\{", re.MULTILINE)
    label = re.compile(r"^\s*" + re.escape(name) + r"\s*:", re.MULTILINE)
    return bool(definition.search(text) or label.search(text))


def stem(path: str) -> str:
    return Path(path).stem


def kernel_modules(root: Path, graph: dict) -> dict:
    """{kernel header: set of module names it belongs to}."""
    kernel = [p for p in graph if top(p) == "kernel"]
    sources = {p: (root / p).read_text(errors="replace") for p in kernel if not p.endswith(".h")}
    owners = {}
    for header in (p for p in kernel if p.endswith(".h")):
        owner = set()
        for name in declared_functions((root / header).read_text(errors="replace")):
            owner |= {stem(src) for src, text in sources.items() if defines(text, name)}
        owners[header] = owner or {stem(header)}
    return owners


def module_graph(root: Path, graph: dict) -> dict:
    """{(module a, module b): the include lines that make a depend on b}."""
    owners = kernel_modules(root, graph)
    edges = defaultdict(list)
    for path, targets in graph.items():
        if top(path) != "kernel":
            continue
        sources = owners.get(path, {stem(path)})
        for name, target in targets:
            if target is None or top(target) != "kernel":
                continue
            for a in sources:
                for b in owners[target] - {a}:
                    edges[(a, b)].append(f'{path}: #include "{name}"')
    return edges


def successors(edges: dict) -> dict:
    result = defaultdict(set)
    for a, b in edges:
        result[a].add(b)
    return result


def find_cycle(edges: dict):
    """One cycle as [a, b, ..., a], or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_no_include_cycle_in_kernel(graph):
    edges = module_graph(ROOT, graph)
    cycle = find_cycle(successors(edges))
    if cycle is None:
        return
    why = [f"  {a} -> {b}: " + "; ".join(edges[(a, b)]) for a, b in zip(cycle, cycle[1:])]
    pytest.fail("kernel/ modules include each other in a circle: " + " -> ".join(cycle) + "\n" +
                "\n".join(why) + "\n(split a module, or pass a function pointer instead)",
                pytrace=False)
