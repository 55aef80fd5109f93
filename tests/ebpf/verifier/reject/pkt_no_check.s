# A packet read with no comparison against data_end.
# type: xdp
# expect: 1: invalid access to packet, off=0 size=1, R2 range=0
r2 = *(u32 *)(r1 + 0)
r0 = *(u8 *)(r2 + 0)
exit
