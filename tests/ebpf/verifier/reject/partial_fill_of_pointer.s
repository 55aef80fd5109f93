# A misaligned 8-byte read across a scalar slot and a spilled pointer
# would read pointer bytes as a number.
# type: xdp
# expect: 2: R10 leaks addr: spilled pointer at fp-8 read as bytes
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = r1
r0 = *(u64 *)(r10 - 12)
exit
