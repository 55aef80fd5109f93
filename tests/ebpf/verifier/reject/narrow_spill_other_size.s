# A narrow spill fills back only at its own size: a 2-byte load of a
# 4-byte spill of 0x10000 is a 16-bit unknown (0 here), not the register.
# type: xdp
# expect: 4: R9 !read_ok
r5 = 0x10000
*(u32 *)(r10 - 8) = r5
r5 = *(u16 *)(r10 - 8)
if r5 != 0 goto +1
r0 = *(u8 *)(r9 + 0)
r0 = 2
exit
