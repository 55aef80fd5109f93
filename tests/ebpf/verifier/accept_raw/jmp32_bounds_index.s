# JMP32 tests bound a value whose upper half is known zero: "w5 <= 7"
# after a 32-bit add makes r5 a stack offset in [0, 7]; "w6 s>= 0" on
# w5 - 4 (as signed, [-4, 3]) leaves the zero-extended r6 in [0, 3].
# type: unspec
w5 = w2
w5 += 3
if w5 > 7 goto +11
r3 = r10
r3 += -16
r3 += r5
*(u8 *)(r3 + 8) = 1
w6 = w5
w6 -= 4
if w6 s< 0 goto +4
r3 = r10
r3 += -8
r3 += r6
*(u8 *)(r3 + 4) = 1
r0 = 0
exit
