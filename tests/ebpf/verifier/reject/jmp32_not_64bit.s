# "w5 < 8" bounds the low word only: with the upper half known to be 1,
# r5 is 0x100000000..0x100000007, not 0..7, far outside the packet.
# type: xdp
# expect: 11: math between pkt pointer and register with unbounded min value is not allowed
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
r0 = 1
if r4 > r3 goto +7
r5 = *(u32 *)(r2 + 0)
r6 = 0x100000000 ll
r5 |= r6
if w5 > 7 goto +2
r2 += r5
r0 = *(u8 *)(r2 + 0)
exit
