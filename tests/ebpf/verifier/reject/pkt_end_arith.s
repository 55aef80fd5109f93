# Arithmetic on data_end.
# type: xdp
# expect: 1: R2 pointer arithmetic on pkt_end prohibited
r2 = *(u32 *)(r1 + 4)
r2 += 1
r0 = 2
exit
