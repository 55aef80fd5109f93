# A spilled ctx pointer, one byte overwritten, filled and dereferenced:
# the rest of the pointer's bytes are no longer readable.
# type: xdp
# expect: 2: invalid read from stack off=-8 size=8
*(u64 *)(r10 - 8) = r1
*(u8 *)(r10 - 8) = 0
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 0)
exit
