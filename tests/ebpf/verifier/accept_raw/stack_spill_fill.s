# A spilled pointer keeps its type; atomics on the stack; fetch writes src.
# type: xdp
*(u64 *)(r10 - 8) = r1
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 12)
*(u64 *)(r10 - 16) = r0
r3 = 1
r3 = atomic_fetch_add((u64 *)(r10 - 16), r3)
r0 = cmpxchg_64(r10 - 16, r0, r3)
r0 = 2
exit
