# CVE-2020-8835: r5 in [1, 0x100000001] does not make the low word 1
# (the value 2 has low word 2). A JMP32 test must not bound the low
# word by truncating umin and umax; r5 & 2 may be 2, so
# ((r5 & 2) >> 1) << 3 may be 8, and fp - 8 + 8 is above the frame.
# type: unspec
# expect: 12: invalid variable-offset stack access R3
r5 = r2
if r5 < 1 goto +11
r6 = 0x100000001 ll
if r5 > r6 goto +8
if w5 == 5 goto +7
r5 &= 2
r5 >>= 1
r5 <<= 3
r3 = r10
r3 += -8
r3 += r5
*(u8 *)(r3 + 0) = 1
r0 = 0
exit
