# A 4-byte store of 2^32 writes zeros: the load that fills it back gets
# 0, not the register, so the branch on 0 is taken (and reads r9 unset).
# type: xdp
# expect: 5: R9 !read_ok
r5 = 0x100000000 ll
*(u32 *)(r10 - 8) = r5
r5 = *(u32 *)(r10 - 8)
if r5 != 0 goto +2
r0 = *(u8 *)(r9 + 0)
r0 = 2
exit
