# A 32-bit bound (w4 <= 8) says nothing about the 64-bit r4 added to a
# packet pointer.
# type: xdp
# expect: 9: math between pkt pointer and register with unbounded min value is not allowed
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 16
r0 = 1
if r4 > r3 goto +6
r4 = *(u64 *)(r2 + 0)
r0 = 1
if w4 > 8 goto +3
r2 += r4
r2 += r4
r0 = *(u8 *)(r2 + 0)
exit
