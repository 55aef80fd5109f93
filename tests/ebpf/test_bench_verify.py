"""Smoke test of `make bench-verify` (scripts/bench-verify.py --quick).

The figures of a quick run mean nothing; what is checked is that every
accept-suite program, each synthetic parser and each worst case has a row
with ukbpf's verdict and numbers, that Linux's columns are filled (or say
why not), that the issue's target is judged and that each worst case
reaches the budget and gets its time per processed instruction.
"""
import glob
import os
import re
import subprocess

from bootlib import markdown_table_rows
from conftest import ROOT

SCRIPT = os.path.join(ROOT, "scripts", "bench-verify.py")
ACCEPT = sorted(os.path.basename(p)[:-2]
                for p in glob.glob(os.path.join(ROOT, "tests", "ebpf", "verifier", "accept", "*.c")))
SYNTHETIC = ["synthetic parser ~100 insns", "synthetic parser ~1000 insns"]
WORST = ["worst case: " + name for name in
         ("budget_subprog_loop_guards", "budget_subprog_loop_stack", "budget_nested_loops")]
BUDGET_EXCEEDED = 1000001
TIMEOUT_S = 120


def test_quick_table_has_every_program_with_numbers():
    result = subprocess.run(["/usr/bin/python3", SCRIPT, "--quick"], capture_output=True,
                            text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, result.stderr
    rows = markdown_table_rows(result.stdout, "| program |")
    assert [row[0] for row in rows] == ACCEPT + SYNTHETIC + WORST
    for row in rows:
        name, insns, verdict, processed, states, us, ns_per_insn = row[:7]
        if name in WORST:
            assert verdict == "rejected: too large" and int(processed) == BUDGET_EXCEEDED, row
        else:  # the accept suite, and parsers well in budget
            assert verdict == "accepted", row
        assert int(insns) > 0 and int(processed) >= int(insns) // 2, row
        assert int(states) >= 0 and float(us) > 0 and float(ns_per_insn) > 0, row
        linux = row[7:]
        if linux[0].startswith("n/a ("):
            assert linux[1:] == ["n/a"] * 3, row
        else:
            assert linux[0] == "accepted", row
            assert int(linux[1]) > 0 and float(linux[2]) >= 0, row
    sizes = {row[0]: int(row[1]) for row in rows}
    # The generator scales: ~10x the headers, ~10x the instructions.
    assert 5 < sizes[SYNTHETIC[1]] / sizes[SYNTHETIC[0]] < 20
    assert re.search(r"^target: a 1000-instruction parser verifies in under 5 ms: "
                     r"synthetic parser ~1000 insns \(\d+ insns\) accepted in \d+ us: "
                     r"(met|NOT met)$", result.stdout, re.M), result.stdout
    for name in WORST:
        assert re.search(r"^%s \(\d+ insns\): ukbpf rejected: too large, %d insns processed "
                         r"in \d+ us, \d+ ns per processed insn" % (re.escape(name), BUDGET_EXCEEDED),
                         result.stdout, re.M), result.stdout
