# data_meta + 4 <= data proves 4 metadata bytes, not 8.
# type: xdp
# expect: 6: invalid access to packet, off=0 size=8, R2 range=4
r2 = *(u32 *)(r1 + 8)
r3 = *(u32 *)(r1 + 0)
r4 = r2
r4 += 4
r0 = 2
if r4 > r3 goto +1
r0 = *(u64 *)(r2 + 0)
r0 = 2
exit
