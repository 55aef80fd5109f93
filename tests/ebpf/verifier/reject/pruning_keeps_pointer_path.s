# Paths meet with r4 a scalar and r4 a pointer: a different type is
# never pruned, and returning the pointer is found.
# type: xdp
# expect: 7: R0 leaks addr as return value
r5 = *(u32 *)(r1 + 12)
r4 = 0
if r5 > 10 goto +1
goto +1
r4 = r10
r0 = r4
r0 += 0
exit
