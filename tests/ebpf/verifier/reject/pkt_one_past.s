# data + 14 <= data_end proves bytes 0..13; byte 14 is one too far.
# type: xdp
# expect: 7: invalid access to packet, off=14 size=1, R2 range=14
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
r0 = 1
if r4 > r3 goto +2
r0 = *(u8 *)(r2 + 13)
r0 = *(u8 *)(r2 + 14)
exit
