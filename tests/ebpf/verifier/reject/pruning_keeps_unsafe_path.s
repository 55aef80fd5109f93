# Two paths meet at insn 11 with r4 = 0 and r4 = 100: the first is safe
# and stored; the second is not contained in it, so it is explored and
# its out-of-range packet read found.
# type: xdp
# expect: 12: invalid access to packet, off=100 size=1, R2 range=64
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 64
r0 = 0
if r4 > r3 goto +9
r5 = *(u32 *)(r1 + 12)
r4 = 0
if r5 > 10 goto +1
goto +1
r4 = 100
r2 += r4
r0 = *(u8 *)(r2 + 0)
r0 &= 1
exit
exit
