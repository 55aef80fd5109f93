# A stack read at a variable offset covering bytes nothing wrote.
# type: unspec
# expect: 6: invalid variable-offset read from stack R3 off=-16..-8 size=8
r1 = r2
r1 &= 8
*(u64 *)(r10 - 8) = 0
r3 = r10
r3 += -16
r3 += r1
r0 = *(u64 *)(r3 + 0)
exit
