"""Assembler for the eBPF text that `ukbpf dis` prints (llvm-objdump style).

One instruction per line; blank lines and text after '#' are ignored, and a
leading "INDEX:" (as in dis output) is skipped, so dis output assembles back.
Registers r0-r15 are accepted so tests can build invalid encodings.

    python3 asm.py IN.s OUT.bin
"""

import re
import struct
import sys

CLS_LD, CLS_LDX, CLS_ST, CLS_STX = 0x00, 0x01, 0x02, 0x03
CLS_ALU, CLS_JMP, CLS_JMP32, CLS_ALU64 = 0x04, 0x05, 0x06, 0x07
SRC_X = 0x08
MODE_ABS, MODE_IND, MODE_MEM, MODE_MEMSX, MODE_ATOMIC = 0x20, 0x40, 0x60, 0x80, 0xC0
SIZES = {"32": 0x00, "16": 0x08, "8": 0x10, "64": 0x18}

ALU_OPS = {
    "+=": (0x00, 0), "-=": (0x10, 0), "*=": (0x20, 0), "/=": (0x30, 0),
    "|=": (0x40, 0), "&=": (0x50, 0), "<<=": (0x60, 0), ">>=": (0x70, 0),
    "%=": (0x90, 0), "^=": (0xA0, 0), "=": (0xB0, 0), "s>>=": (0xC0, 0),
    "s/=": (0x30, 1), "s%=": (0x90, 1),
}
JMP_OPS = {
    "==": 0x10, ">": 0x20, ">=": 0x30, "&": 0x40, "!=": 0x50, "s>": 0x60,
    "s>=": 0x70, "<": 0xA0, "<=": 0xB0, "s<": 0xC0, "s<=": 0xD0,
}
ATOMIC_OPS = {"+=": 0x00, "|=": 0x40, "&=": 0x50, "^=": 0xA0}
FETCH_OPS = {"add": 0x01, "or": 0x41, "and": 0x51, "xor": 0xA1}
ATOMIC_XCHG, ATOMIC_CMPXCHG = 0xE1, 0xF1
END_OPS = {"le": 0xD4, "be": 0xDC, "bswap": 0xD7}

NUM = r"[+-]?(?:0x[0-9a-fA-F]+|\d+)"
REG = r"([rw])(\d+)"
ADDR = r"r(\d+) ([+-]) (\d+)"

FORMS = []


def form(pattern):
    """Registers an encoder for lines that fully match pattern."""
    def register(fn):
        FORMS.append((re.compile(pattern + r"$"), fn))
        return fn
    return register


class AsmError(Exception):
    pass


def num(text):
    return int(text, 0)


def insn(opcode, dst=0, src=0, off=0, imm=0):
    if not -(1 << 15) <= off < (1 << 16):
        raise AsmError("offset %d out of range" % off)
    if not -(1 << 31) <= imm < (1 << 32):
        raise AsmError("immediate %d out of range" % imm)
    if dst > 15 or src > 15:
        raise AsmError("register out of range")
    off = off - (1 << 16) if off >= (1 << 15) else off
    imm = imm - (1 << 32) if imm >= (1 << 31) else imm
    return struct.pack("<BBhi", opcode, dst | src << 4, off, imm)


def reg(width, number, expect=None):
    if expect and width != expect:
        raise AsmError("expected %s register, got %s%s" % (expect, width, number))
    return int(number)


def offset(sign, value):
    return -int(value) if sign == "-" else int(value)


@form(r"exit")
def enc_exit(m):
    return insn(CLS_JMP | 0x90)


@form(r"call pc(" + NUM + ")")
def enc_local_call(m):
    return insn(CLS_JMP | 0x80, src=1, imm=num(m[1]))


@form(r"call (" + NUM + ")")
def enc_call(m):
    return insn(CLS_JMP | 0x80, imm=num(m[1]))


@form(r"goto (" + NUM + ")")
def enc_goto(m):
    return insn(CLS_JMP, off=num(m[1]))


@form(r"gotol (" + NUM + ")")
def enc_gotol(m):
    return insn(CLS_JMP32, imm=num(m[1]))


@form(r"if " + REG + r" (\S+) " + REG + r" goto (" + NUM + ")")
def enc_jmp_reg(m):
    cls = CLS_JMP if m[1] == "r" else CLS_JMP32
    return insn(cls | JMP_OPS[m[3]] | SRC_X, reg(m[1], m[2]), reg(m[4], m[5], m[1]), num(m[6]))


@form(r"if " + REG + r" (\S+) (" + NUM + ") goto (" + NUM + ")")
def enc_jmp_imm(m):
    cls = CLS_JMP if m[1] == "r" else CLS_JMP32
    return insn(cls | JMP_OPS[m[3]], reg(m[1], m[2]), 0, num(m[5]), num(m[4]))


def lddw(dst, src, low, high):
    return insn(0x18, dst, src, 0, low) + insn(0, imm=high)


@form(r"r(\d+) = (" + NUM + ") ll")
def enc_lddw(m):
    value = num(m[2]) & ((1 << 64) - 1)
    return lddw(int(m[1]), 0, value & 0xFFFFFFFF, value >> 32)


@form(r"r(\d+) = map\[(" + NUM + r")\] ll")
def enc_lddw_map(m):
    value = num(m[2])
    return lddw(int(m[1]), 1, value & 0xFFFFFFFF, value >> 32)


@form(r"r(\d+) = func pc(" + NUM + ") ll")
def enc_lddw_func(m):
    return lddw(int(m[1]), 4, num(m[2]) & 0xFFFFFFFF, 0)


@form(r"r(\d+) = map_value\[(" + NUM + r")\] \+ (" + NUM + ") ll")
def enc_lddw_map_value(m):
    return lddw(int(m[1]), 2, num(m[2]), num(m[3]))


@form(r"r0 = \*\(u(8|16|32|64) \*\)skb\[(" + NUM + r")\]")
def enc_ld_abs(m):
    return insn(CLS_LD | MODE_ABS | SIZES[m[1]], imm=num(m[2]))


@form(r"r0 = \*\(u(8|16|32|64) \*\)skb\[r(\d+)(?: ([+-]) (\d+))?\]")
def enc_ld_ind(m):
    imm = offset(m[3], m[4]) if m[3] else 0
    return insn(CLS_LD | MODE_IND | SIZES[m[1]], src=int(m[2]), imm=imm)


@form(r"r(\d+) = \*\(([us])(8|16|32|64) \*\)\(" + ADDR + r"\)")
def enc_ldx(m):
    mode = MODE_MEM if m[2] == "u" else MODE_MEMSX
    return insn(CLS_LDX | mode | SIZES[m[3]], int(m[1]), int(m[4]), offset(m[5], m[6]))


@form(r"\*\(u(8|16|32|64) \*\)\(" + ADDR + r"\) = r(\d+)")
def enc_stx(m):
    return insn(CLS_STX | MODE_MEM | SIZES[m[1]], int(m[2]), int(m[5]), offset(m[3], m[4]))


@form(r"\*\(u(8|16|32|64) \*\)\(" + ADDR + r"\) = (" + NUM + ")")
def enc_st(m):
    return insn(CLS_ST | MODE_MEM | SIZES[m[1]], int(m[2]), 0, offset(m[3], m[4]), num(m[5]))


def atomic(bits, dst, sign, off, src, op):
    return insn(CLS_STX | MODE_ATOMIC | SIZES[bits], int(dst), src, offset(sign, off), op)


def atomic_width(bits):
    return "r" if bits == "64" else "w"


@form(r"lock \*\(u(8|16|32|64) \*\)\(" + ADDR + r"\) (\S+) " + REG)
def enc_atomic(m):
    src = reg(m[6], m[7], atomic_width(m[1]))
    return atomic(m[1], m[2], m[3], m[4], src, ATOMIC_OPS[m[5]])


@form(REG + r" = atomic_fetch_(\w+)\(\(u(8|16|32|64) \*\)\(" + ADDR + r"\), " + REG + r"\)")
def enc_atomic_fetch(m):
    src = reg(m[8], m[9], atomic_width(m[4]))
    if reg(m[1], m[2], atomic_width(m[4])) != src:
        raise AsmError("fetch result must be the source register")
    return atomic(m[4], m[5], m[6], m[7], src, FETCH_OPS[m[3]])


@form(REG + r" = xchg(?:32)?_(32|64)\(" + ADDR + r", " + REG + r"\)")
def enc_xchg(m):
    src = reg(m[7], m[8], atomic_width(m[3]))
    if reg(m[1], m[2], atomic_width(m[3])) != src:
        raise AsmError("xchg result must be the source register")
    return atomic(m[3], m[4], m[5], m[6], src, ATOMIC_XCHG)


@form(r"[rw]0 = cmpxchg(?:32)?_(32|64)\(" + ADDR + r", [rw]0, " + REG + r"\)")
def enc_cmpxchg(m):
    src = reg(m[5], m[6], atomic_width(m[1]))
    return atomic(m[1], m[2], m[3], m[4], src, ATOMIC_CMPXCHG)


@form(r"r(\d+) = (le|be|bswap)(16|32|64) r(\d+)")
def enc_end(m):
    if m[1] != m[4]:
        raise AsmError("byte swap works in place")
    return insn(END_OPS[m[2]], int(m[1]), imm=int(m[3]))


@form(REG + r" = -" + REG)
def enc_neg(m):
    if m[2] != m[4] or m[1] != m[3]:
        raise AsmError("negation works in place")
    return insn((CLS_ALU64 if m[1] == "r" else CLS_ALU) | 0x80, int(m[2]))


@form(REG + r" = \(s(8|16|32)\)" + REG)
def enc_movsx(m):
    cls = CLS_ALU64 if m[1] == "r" else CLS_ALU
    return insn(cls | 0xB0 | SRC_X, int(m[2]), reg(m[4], m[5], m[1]), int(m[3]))


@form(REG + r" (\S+) " + REG)
def enc_alu_reg(m):
    cls = CLS_ALU64 if m[1] == "r" else CLS_ALU
    op, off = ALU_OPS[m[3]]
    return insn(cls | op | SRC_X, int(m[2]), reg(m[4], m[5], m[1]), off)


@form(REG + r" (\S+) (" + NUM + ")")
def enc_alu_imm(m):
    cls = CLS_ALU64 if m[1] == "r" else CLS_ALU
    op, off = ALU_OPS[m[3]]
    return insn(cls | op, int(m[2]), 0, off, num(m[4]))


def clean_line(line):
    line = line.split("#", 1)[0].strip()
    return re.sub(r"^\d+:\s*", "", line)


def assemble_line(line):
    for pattern, encode in FORMS:
        m = pattern.match(line)
        if m:
            try:
                return encode(m)
            except KeyError as e:
                raise AsmError("unknown operator %s in %r" % (e, line))
    raise AsmError("cannot assemble %r" % line)


def assemble(text):
    """Returns the little-endian bytes of the program in text."""
    out = b""
    for number, raw in enumerate(text.splitlines(), 1):
        line = clean_line(raw)
        if not line:
            continue
        try:
            out += assemble_line(line)
        except AsmError as e:
            raise AsmError("line %d: %s" % (number, e)) from None
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: asm.py IN.s OUT.bin")
    with open(sys.argv[1]) as f:
        code = assemble(f.read())
    with open(sys.argv[2], "wb") as f:
        f.write(code)


if __name__ == "__main__":
    main()
