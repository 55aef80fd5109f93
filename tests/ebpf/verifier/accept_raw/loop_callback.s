# bpf_loop from raw instructions: an lddw of a function (src_reg 4) names
# the callback, which adds each index to a counter in its caller's stack.
# type: xdp
*(u64 *)(r10 - 8) = 0
r1 = 4
r2 = func pc+8 ll
r3 = r10
r3 += -8
r4 = 0
call 181
r0 = *(u64 *)(r10 - 8)
r0 &= 3
exit
r3 = *(u64 *)(r2 + 0)
r3 += r1
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
