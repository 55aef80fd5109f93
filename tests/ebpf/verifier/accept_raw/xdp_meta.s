# Metadata: bpf_xdp_adjust_meta(ctx, -4), then data_meta + 4 <= data
# proves the 4 metadata bytes.
# type: xdp
r6 = r1
r2 = -4
call 54
if r0 != 0 goto +7
r2 = *(u32 *)(r6 + 8)
r3 = *(u32 *)(r6 + 0)
r4 = r2
r4 += 4
if r4 > r3 goto +2
r5 = 7
*(u32 *)(r2 + 0) = r5
r0 = 2
exit
