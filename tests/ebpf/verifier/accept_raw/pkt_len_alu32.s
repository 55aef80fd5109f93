# clang -mcpu=v3's data_end - data: 32-bit copies of packet pointers are
# unknown 32-bit scalars (Linux, privileged), and so is their 32-bit
# difference; the length is returned, no pointer leaks.
# type: xdp
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
w0 = w7
w0 -= w6
if w0 > 1500 goto +1
exit
r0 = 0
exit
