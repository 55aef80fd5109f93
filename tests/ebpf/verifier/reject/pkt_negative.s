# A negative offset below data.
# type: xdp
# expect: 6: invalid access to packet, off=-1 size=1, R2 range=14
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
r0 = 1
if r4 > r3 goto +1
r0 = *(u8 *)(r2 - 1)
exit
