# Atomics only on the stack and map values.
# type: xdp
# expect: 1: BPF_ATOMIC stores into R1 ctx is not allowed
r2 = 1
lock *(u32 *)(r1 + 0) += w2
r0 = 0
exit
