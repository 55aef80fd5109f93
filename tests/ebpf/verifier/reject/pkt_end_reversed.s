# The check in the other order (data_end on the left) proves the range
# only on the branch where data_end >= data + 8: here the wrong one.
# type: xdp
# expect: 6: invalid access to packet, off=0 size=1, R2 range=0
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
r0 = 1
if r3 >= r4 goto +1
r0 = *(u8 *)(r2 + 0)
exit
