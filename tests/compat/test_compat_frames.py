"""The compatibility report's frames (scripts/compat_frames.py): which frames of
tcpdump's test captures it picks, in what order, and what the report says when
there are none. Needs no root: the captures here are written by the tests."""
import importlib.util
import struct
import sys

import pytest

from bootlib import ROOT

SCRIPTS = ROOT / "scripts"


def load(name):
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def frames_module():
    return load("compat_frames")


@pytest.fixture(scope="module")
def compat():
    return load("compat")


def eth(tag: int, length: int = 60) -> bytes:
    """A frame of length bytes whose first byte is tag."""
    return bytes([tag]) + bytes(length - 1)


def write_capture(path, frame_list, linktype=1, order="<", magic=0xa1b2c3d4):
    out = [struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)]
    for data in frame_list:
        out += [struct.pack(order + "IIII", 0, 0, len(data), len(data)), data]
    path.write_bytes(b"".join(out))


def test_read_pcap_either_byte_order_and_precision(frames_module, tmp_path):
    write_capture(tmp_path / "be.pcap", [eth(1), eth(2, 100)], order=">", magic=0xa1b23c4d)
    assert frames_module.read_pcap(tmp_path / "be.pcap") == (1, [eth(1), eth(2, 100)])
    # A last record cut short is left out, not read past the end.
    write_capture(tmp_path / "cut.pcap", [eth(1), eth(2)])
    (tmp_path / "cut.pcap").write_bytes((tmp_path / "cut.pcap").read_bytes()[:-1])
    assert frames_module.read_pcap(tmp_path / "cut.pcap") == (1, [eth(1)])
    (tmp_path / "ng.pcap").write_bytes(b"\x0a\x0d\x0d\x0a" + bytes(28))
    with pytest.raises(ValueError):
        frames_module.read_pcap(tmp_path / "ng.pcap")


def test_capture_frames_picks_in_turns(frames_module, tmp_path):
    """Ethernet captures only, frames an XDP test run takes whole, none twice,
    the captures' first frames before any capture's second, sorted by name."""
    linear_max = frames_module.XDP_TEST_RUN_LINEAR_MAX
    write_capture(tmp_path / "b.pcap", [eth(10), eth(11), eth(12)])
    write_capture(tmp_path / "a.pcap", [bytes(13), eth(20), eth(10), eth(21, linear_max),
                                        eth(22, linear_max + 1), eth(23)])
    write_capture(tmp_path / "c.pcap", [eth(30), eth(31)], linktype=113)  # Linux cooked
    (tmp_path / "d.pcap").write_bytes(b"\x0a\x0d\x0d\x0a" + bytes(28))  # pcapng
    write_capture(tmp_path / "e.pcap", [eth(40)])
    picked = frames_module.capture_frames(tmp_path, limit=100, seen={eth(40)})
    assert [name for name, _ in picked] == [
        "a.pcap#2", "b.pcap#1",   # first round (e.pcap#1 is in seen)
        "b.pcap#2",               # a.pcap#3 is b.pcap#1 again
        "a.pcap#4", "b.pcap#3",   # a.pcap#5 is longer than a test run takes whole
        "a.pcap#6"]
    assert dict(picked)["a.pcap#4"] == eth(21, linear_max)
    limited = frames_module.capture_frames(tmp_path, limit=3)
    assert [name for name, _ in limited] == ["a.pcap#2", "b.pcap#1", "e.pcap#1"]


def test_frames_refused_by_linux_go_last(frames_module, tmp_path):
    """Maps are compared up to the first frame Linux refuses: the captures'
    frames must come before it."""
    write_capture(tmp_path / "a.pcap", [eth(1), frames_module.generated_frames()[0][1]])
    names = [name for name, _ in frames_module.frames(tmp_path)]
    generated = [name for name, _ in frames_module.generated_frames()]
    assert names[:len(generated) - 1] == [n for n in generated if n != "cut-13-bytes"]
    assert names[len(generated) - 1:] == ["a.pcap#1", "cut-13-bytes"]  # #2 is generated
    assert [name for name, _ in frames_module.frames(None)][-1] == "cut-13-bytes"
    assert len(frames_module.frames(None)) == len(generated)


def test_the_report_names_the_frames_sources(compat):
    fetched = compat.frames_phrase(["x"] * 345, {"generated": 45, "captured": 300,
                                                   "captures": "tcpdump 4.99.3-1",
                                                   "captures_missing": ""})
    text = fetched
    assert "345 frames (45 generated" in text and "300 picked" in text
    assert "`tcpdump 4.99.3-1`" in text
    missing = compat.frames_phrase(["x"] * 45, {"generated": 45, "captured": 0, "captures": "",
                                                  "captures_missing": "apt knows no source"})
    assert "could not be fetched: apt knows no source" in missing


@pytest.mark.parametrize("fetched", [True, False])
def test_ensure_frames_follows_the_corpus_list(compat, frames_module, tmp_path, monkeypatch,
                                               fetched):
    """compat.py takes the captures scripts/corpus.sh names in OUT_TSV and,
    when it names none (a cold cache without network), goes on with the
    generated frames and keeps the reason for the report."""
    captures = tmp_path / "tcpdump-1.0-1"
    captures.mkdir()
    write_capture(captures / "a.pcap", [eth(1), eth(2)])
    (captures / "packages").write_text("tcpdump 1.0-1\n")  # as corpus.sh writes it
    line = f"# captures: {captures}" if fetched else "# captures: none: no deb-src lines"
    (tmp_path / "corpus.tsv").write_text(f"# packages: xdp-tools 1, tcpdump 1.0-1\n{line}\n")
    monkeypatch.setattr(compat, "CORPUS_TSV", tmp_path / "corpus.tsv")
    monkeypatch.setattr(compat, "FRAMES_PCAP", tmp_path / "frames.pcap")
    sources = compat.ensure_frames()
    generated = len(frames_module.generated_frames())
    assert sources["generated"] == generated
    assert len(sources["names"]) == generated + (2 if fetched else 0)
    assert ("a.pcap#2" in sources["names"]) == fetched
    assert sources["captures"] == ("tcpdump 1.0-1" if fetched else "")
    assert sources["captures_missing"] == ("" if fetched else "no deb-src lines")
    written = frames_module.read_pcap(tmp_path / "frames.pcap")[1]
    assert len(written) == len(sources["names"])
    assert compat.frame_bytes(len(written) - 2) == (eth(2) if fetched else written[-2])
