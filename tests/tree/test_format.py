"""Every C file we wrote is formatted as the root .clang-format says (STYLE.md,
"Formatting"): the file equals clang-format --style=file's output for it."""
import filecmp
import shutil
import subprocess

import pytest

from bootlib import ROOT

C_PATTERNS = ("*.c", "*.h")
STYLE_FILES = (".clang-format", "_clang-format")


def git_files(*patterns: str) -> list:
    """Tracked files and new ones not ignored (so a file not yet added is checked too)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: cannot list the files we wrote")
    result = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                             "--", *patterns], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"not a git checkout: {result.stderr.strip()}")
    return sorted({p for p in result.stdout.splitlines() if (ROOT / p).is_file()})


def test_c_files_are_clang_formatted(tmp_path):
    clang_format = shutil.which("clang-format")
    if clang_format is None:
        pytest.skip("clang-format is not installed (Debian package clang-format)")
    sources = git_files(*C_PATTERNS)
    assert sources, "git lists no C files"
    styles = [p for p in git_files(*(f"*{name}" for name in STYLE_FILES))
              if p.rsplit("/", 1)[-1] in STYLE_FILES]
    # One clang-format run over copies laid out like the tree, so each copy
    # finds the same .clang-format its original does.
    for path in sources + styles:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / path, tmp_path / path)
    subprocess.run([clang_format, "--style=file", "-i", *sources], cwd=tmp_path, check=True)
    differ = [p for p in sources if not filecmp.cmp(ROOT / p, tmp_path / p, shallow=False)]
    assert not differ, (
        f"{len(differ)} file(s) differ from clang-format --style=file "
        f"(fix: clang-format --style=file -i FILE):\n  " + "\n  ".join(differ))
