"""Reading the eBPF test cases' files, for the tests and for
scripts/ebpf-equivalence.py: the 'key: value' header of a program case and
the '-- section' layout of an ISA data file."""

import re


def header(path):
    """The 'key: value' comment lines at the top of a case ('#' in .s,
    '/* ... */' in .c): {key: value}, the first of each key."""
    fields = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*(?:#|/\*|\*)\s*([a-z-]+): (.*?)\s*(?:\*/)?$", line)
            if m:
                fields.setdefault(m[1], m[2])
            elif not line.startswith(("#", "/*", " *")):
                break
    return fields


def parse_data_file(path):
    """Splits a '-- section' data file into {section: text}; '#' lines before
    the first section are the description."""
    sections, name, lines = {}, None, []
    with open(path) as f:
        for line in f:
            if line.startswith("-- "):
                if name:
                    sections[name] = "".join(lines)
                name, lines = line[3:].strip(), []
            elif name:
                lines.append(line)
            elif line.strip() and not line.startswith("#"):
                raise ValueError("%s: text before the first section" % path)
    if name:
        sections[name] = "".join(lines)
    return sections
