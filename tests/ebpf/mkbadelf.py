"""Malformed variants of a valid clang -target bpf object, for test_elf.py.

Each variant changes one thing in a good object: a header field, a
section header, a relocation, an instruction, the BTF, or simply where
the file ends. `targeted(obj)` returns (name, bytes, expected message
fragment) triples whose rejection reason is known; `truncations` and
`byte_flips` return variants that only have to be rejected (or loaded)
cleanly, never crash.
"""

import random
import struct

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
SHDR = struct.Struct("<IIQQQQIIQQ")
SYM = struct.Struct("<IBBHQQ")
REL = struct.Struct("<QQ")
BTF_HEADER = struct.Struct("<HBBIIIII")

# Byte offsets of ELF header fields (gABI "ELF Header").
EI_CLASS = 4
EI_DATA = 5
E_TYPE = 16
E_MACHINE = 18
E_SHOFF = 40
E_SHENTSIZE = 58
E_SHNUM = 60
E_SHSTRNDX = 62

SHT_SYMTAB = 2
SHT_REL = 9
SHF_EXECINSTR = 0x4
R_BPF_64_64 = 1
R_BPF_64_32 = 10
OP_LDDW = 0x18
OP_CALL = 0x85
SECTION_FLAGS_OFFSET = 8  # sh_flags within a section header
SECTION_OFFSET_OFFSET = 24  # sh_offset
SECTION_SIZE_OFFSET = 32  # sh_size


class Elf:
    """Just enough of an ELF-64 reader to find what to corrupt."""

    def __init__(self, data):
        self.data = bytes(data)
        fields = EHDR.unpack_from(self.data, 0)
        self.shoff, self.shnum, self.shstrndx = fields[6], fields[12], fields[13]
        self.sections = [SHDR.unpack_from(self.data, self.shoff + i * SHDR.size)
                         for i in range(self.shnum)]
        names = self.sections[self.shstrndx]
        self.names = [self._cstr(names[4] + sh[0]) for sh in self.sections]

    def _cstr(self, offset):
        return self.data[offset:self.data.index(b"\0", offset)].decode()

    def index(self, name):
        return self.names.index(name)

    def header_offset(self, index):
        return self.shoff + index * SHDR.size

    def body(self, index):
        sh = self.sections[index]
        return sh[4], sh[5]

    def rel_sections(self):
        """(rel index, target index) for every SHT_REL section."""
        return [(i, sh[7]) for i, sh in enumerate(self.sections) if sh[1] == SHT_REL]

    def code_relocs(self):
        """(file offset of the entry, r_offset, type, sym, target) of code sections."""
        out = []
        for rel, target in self.rel_sections():
            if not self.sections[target][2] & SHF_EXECINSTR:
                continue
            offset, size = self.body(rel)
            for k in range(size // REL.size):
                r_offset, info = REL.unpack_from(self.data, offset + k * REL.size)
                out.append((offset + k * REL.size, r_offset, info & 0xFFFFFFFF, info >> 32, target))
        return out

    def symbols(self):
        """(file offset, name, st_shndx, st_value) of every symbol."""
        symtab = next(i for i, sh in enumerate(self.sections) if sh[1] == SHT_SYMTAB)
        strtab_offset = self.body(self.sections[symtab][6])[0]
        offset, size = self.body(symtab)
        out = []
        for k in range(size // SYM.size):
            name, _info, _other, shndx, value, _size = SYM.unpack_from(self.data, offset + k * SYM.size)
            out.append((offset + k * SYM.size, self._cstr(strtab_offset + name), shndx, value))
        return out


def patch(data, offset, fmt, value):
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def targeted(data):
    """Corruptions of one field each, with the message the loader must give.

    Most refuse the object; the last few (a relocation to a non-map
    section, a map type ukbpf lacks, an unknown helper) refuse only the
    program that needs them.

    data must hold one code section "xdp..." whose first lddw loads a
    legacy map (section "maps") and that calls a helper.
    """
    elf = Elf(data)
    cases = [
        ("bad-magic", b"\x7fELG" + data[4:], "not an ELF file (bad magic)"),
        ("class-32", patch(data, EI_CLASS, "B", 1), "not a 64-bit ELF file"),
        ("big-endian", patch(data, EI_DATA, "B", 2), "wrong endianness"),
        ("machine-x86", patch(data, E_MACHINE, "<H", 62), "not a BPF object (machine 62"),
        ("executable", patch(data, E_TYPE, "<H", 2), "not a relocatable object"),
        ("header-only", data[:EHDR.size], "section header table extends past end of file"),
        ("tiny", data[:10], "truncated ELF header"),
        ("empty", b"", "not an ELF file (bad magic)"),
        ("shoff-past-end", patch(data, E_SHOFF, "<Q", len(data)), "section header table extends past end"),
        ("shoff-overflow", patch(data, E_SHOFF, "<Q", 2**64 - 8), "section header table extends past end"),
        ("shentsize", patch(data, E_SHENTSIZE, "<H", 32), "bad section header table"),
        ("no-sections", patch(data, E_SHNUM, "<H", 0), "bad section header table"),
        ("shstrndx-range", patch(data, E_SHSTRNDX, "<H", elf.shnum), "bad section name table index"),
        ("shstrndx-not-strtab", patch(data, E_SHSTRNDX, "<H", elf.index(".symtab")),
         "bad section name table"),
    ]
    text = elf.index(next(n for n in elf.names if n.startswith("xdp")))
    hdr = elf.header_offset(text)
    cases += [
        ("section-offset-past-end", patch(data, hdr + SECTION_OFFSET_OFFSET, "<Q", len(data)),
         "section %d (%s): extends past end of file" % (text, elf.names[text])),
        ("section-offset-overflow", patch(data, hdr + SECTION_OFFSET_OFFSET, "<Q", 2**64 - 16),
         "extends past end of file"),
        ("section-size-huge", patch(data, hdr + SECTION_SIZE_OFFSET, "<Q", 2**63),
         "extends past end of file"),
        ("code-size-odd", patch(data, hdr + SECTION_SIZE_OFFSET, "<Q", elf.sections[text][5] - 4),
         "not whole instructions inside the section"),
        ("no-code", patch(data, hdr + SECTION_FLAGS_OFFSET, "<Q", 0), "no programs"),
        ("truncated-in-section", data[:elf.sections[text][4] + 4],
         "section header table extends past end of file"),
    ]
    relocs = elf.code_relocs()
    lddw = next(r for r in relocs if r[2] == R_BPF_64_64)
    entry, r_offset, _type, sym, target = lddw
    target_size = elf.sections[target][5]
    cases += [
        ("reloc-bad-symbol", patch(data, entry + 8, "<Q", R_BPF_64_64 | 0xFFFF << 32), "bad symbol index 65535"),
        ("reloc-null-symbol", patch(data, entry + 8, "<Q", R_BPF_64_64), "bad symbol index 0"),
        ("reloc-past-section", patch(data, entry, "<Q", target_size), "is not an instruction of"),
        ("reloc-misaligned", patch(data, entry, "<Q", r_offset + 4), "is not an instruction of"),
        ("reloc-unknown-type", patch(data, entry + 8, "<Q", 7 | sym << 32), "type 7 not supported in code"),
        ("reloc-not-lddw", patch(data, elf.sections[target][4] + r_offset, "B", 0xB7),
         "not a complete lddw"),
    ]
    # A map relocation aimed at the license's symbol instead.
    symbols = elf.symbols()
    _sym_offset, sym_name, _shndx, sym_value = symbols[sym]
    license_sym = next(k for k, s in enumerate(symbols) if s[2] == elf.index("license"))
    cases.append(("reloc-not-a-map", patch(data, entry + 8, "<Q", R_BPF_64_64 | license_sym << 32),
                  "not maps or global data"))
    # What ukbpf cannot create fails the program alone (the object loads):
    # the tool, asked to run that program, says why it did not load.
    maps_offset = elf.body(elf.index("maps"))[0]
    cases.append(("map-unknown-type", patch(data, maps_offset + sym_value, "<I", 99),
                  "refers to a map that was not created (map '%s': unsupported map type 99)"
                  % sym_name))
    code_offset, code_size = elf.body(target)
    helper_call = next(k for k in range(0, code_size, 8)
                       if data[code_offset + k] == OP_CALL and data[code_offset + k + 1] == 0)
    cases.append(("unknown-helper", patch(data, code_offset + helper_call + 4, "<i", 9999),
                  "(section %s) did not load: insn" % elf.names[target]))
    return cases


STT_NOTYPE = 0
SYM_INFO_OFFSET = 4  # st_info within a symbol
SYM_SIZE_OFFSET = 16  # st_size


def untyped_map_symbols(data, section="maps"):
    """The object as older clang wrote legacy maps: their symbols NOTYPE, size 0."""
    elf = Elf(data)
    shndx = elf.index(section)
    out = data
    for offset, _name, sym_shndx, _value in elf.symbols():
        if sym_shndx == shndx:
            info = data[offset + SYM_INFO_OFFSET]
            out = patch(out, offset + SYM_INFO_OFFSET, "B", (info & 0xF0) | STT_NOTYPE)
            out = patch(out, offset + SYM_SIZE_OFFSET, "<Q", 0)
    return out


def truncations(data, step=29):
    """The object cut at many lengths, including inside each header."""
    cuts = set(range(0, len(data), step)) | {1, 4, 15, 16, 63, 64, len(data) - 1}
    return [("cut-%d" % n, data[:n]) for n in sorted(cuts) if n < len(data)]


def byte_flips(data, count, seed):
    """Copies with 1 to 8 random bytes replaced (reproducible)."""
    rng = random.Random(seed)
    out = []
    for k in range(count):
        corrupt = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            corrupt[rng.randrange(len(corrupt))] = rng.randrange(256)
        out.append(("flip-%d" % k, bytes(corrupt)))
    return out


def btf_corruptions(data):
    """Broken .BTF sections (only read when .maps needs them)."""
    elf = Elf(data)
    offset, size = elf.body(elf.index(".BTF"))
    magic, version, flags, hdr_len, type_off, type_len, str_off, str_len = BTF_HEADER.unpack_from(data, offset)
    cases = [
        ("btf-magic", patch(data, offset, "<H", 0x9FEB), "bad BTF magic"),
        ("btf-types-past-end", patch(data, offset + 12, "<I", size), "extend past the section body"),
        ("btf-strings-unterminated", patch(data, offset + hdr_len + str_off + str_len - 1, "B", 0x41),
         "not NUL-terminated"),
        ("btf-type-truncated", patch(data, offset + 12, "<I", type_len - 2), "truncated"),
    ]
    # The kind of the first type set to an unknown value.
    info_offset = offset + hdr_len + type_off + 4
    info = struct.unpack_from("<I", data, info_offset)[0]
    cases.append(("btf-unknown-kind", patch(data, info_offset, "<I", (info & ~(0x1F << 24)) | 30 << 24),
                  "unknown kind 30"))
    return cases


# Bytes after a BTF type's 12-byte common part, by kind: fixed, plus per vlen entry.
BTF_KIND_INT = 1
BTF_TYPE_TAIL = {1: (4, 0), 3: (12, 0), 4: (0, 12), 5: (0, 12), 6: (0, 8), 13: (0, 8),
                 14: (4, 0), 15: (0, 12), 17: (4, 0), 19: (0, 12)}


def btf_types(data):
    """(file offset, kind) of every type in the object's .BTF section."""
    elf = Elf(data)
    offset = elf.body(elf.index(".BTF"))[0]
    _magic, _version, _flags, hdr_len, type_off, type_len, _str_off, _str_len = \
        BTF_HEADER.unpack_from(data, offset)
    at = offset + hdr_len + type_off
    end = at + type_len
    out = []
    while at < end:
        info = struct.unpack_from("<I", data, at + 4)[0]
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        out.append((at, kind))
        fixed, per_entry = BTF_TYPE_TAIL.get(kind, (0, 0))
        at += 12 + fixed + per_entry * vlen
    return out


def btf_int_sizes_zero(data):
    """data with every BTF INT type 0 bytes wide (a kconfig extern's alignment)."""
    for at, kind in btf_types(data):
        if kind == BTF_KIND_INT:
            data = patch(data, at + 8, "<I", 0)
    return data
