# A packet pointer checked before bpf_xdp_adjust_head, used after it.
# type: xdp
# expect: 9: R6 invalid mem access 'scalar'
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r6 = r2
r4 = r2
r4 += 14
r0 = 1
if r4 > r3 goto +3
r2 = 0
call 44
r0 = *(u8 *)(r6 + 0)
exit
