# data_meta + 8 <= data + 64 says nothing about the metadata: only a
# comparison with data itself bounds it (found by tests/fuzz/fuzz_verifier.c).
# type: xdp
# expect: 7: invalid access to packet, off=0 size=8, R2 range=0
r2 = *(u32 *)(r1 + 8)
r3 = *(u32 *)(r1 + 0)
r3 += 64
r4 = r2
r4 += 8
r0 = 2
if r4 > r3 goto +1
r0 = *(u64 *)(r2 + 0)
r0 = 2
exit
