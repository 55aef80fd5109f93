# A stack write at a variable offset that may reach above the frame
# pointer: fp-16 + [0, 31].
# type: unspec
# expect: 5: invalid variable-offset stack access R3
r1 = r2
r1 &= 31
r3 = r10
r3 += -16
r3 += r1
*(u8 *)(r3 + 0) = 1
r0 = 0
exit
