# A packet pointer spilled before bpf_xdp_adjust_tail is filled after it
# as an unknown scalar: it can no longer be dereferenced.
# type: xdp
# expect: 9: R2 invalid mem access 'scalar'
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
if r4 > r3 goto +6
*(u64 *)(r10 - 8) = r2
r2 = -1
call 65
r2 = *(u64 *)(r10 - 8)
r0 = *(u8 *)(r2 + 0)
exit
r0 = 2
exit
