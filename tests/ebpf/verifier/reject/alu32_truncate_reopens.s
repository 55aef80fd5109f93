# A 64-bit range of 33 values across a 2^32 boundary, [0xfffffff0,
# 0x100000010], truncated by w5 = w5: the low words wrap, so they are
# 0xfffffff0..0xffffffff or 0..0x10, not [0xfffffff0, 0xffffffff] (the
# low words of umin and umax). Believing that makes "r5 > 16" always
# taken and hides the stack write above the frame below.
# type: unspec
# expect: 12: invalid variable-offset stack access R3
r5 = r2
r6 = 0xfffffff0 ll
if r5 < r6 goto +9
r6 = 0x100000010 ll
if r5 > r6 goto +6
w5 = w5
if r5 > 16 goto +4
r3 = r10
r3 += -16
r3 += r5
*(u8 *)(r3 + 0) = 1
r0 = 0
exit
