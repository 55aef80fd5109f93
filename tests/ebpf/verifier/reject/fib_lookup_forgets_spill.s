# bpf_fib_lookup writes its params: a 0 stored there before the call is
# an unknown number after it, and no offset into the packet.
# type: xdp
# expect: 19: math between pkt pointer and register with unbounded min value is not allowed
r6 = r1
r1 = 0
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 24) = r1
*(u64 *)(r10 - 32) = r1
*(u64 *)(r10 - 40) = r1
*(u64 *)(r10 - 48) = r1
*(u64 *)(r10 - 56) = r1
*(u64 *)(r10 - 64) = r1
r1 = r6
r2 = r10
r2 += -64
r3 = 64
r4 = 0
call 69
r1 = *(u64 *)(r10 - 8)
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r2 += r1
r4 = r2
r4 += 1
if r4 > r3 goto +1
r0 = *(u8 *)(r2 + 0)
r0 = 2
exit
