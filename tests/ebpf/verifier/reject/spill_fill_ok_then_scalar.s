# A spilled scalar partially overwritten is a scalar: dereferencing it fails.
# type: xdp
# expect: 4: R2 invalid mem access 'scalar'
r2 = 5
*(u64 *)(r10 - 8) = r2
*(u8 *)(r10 - 8) = 0
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 0)
exit
