# Clang spills a 32-bit value with a 4-byte store and fills it with a
# 4-byte load across helper calls (selftests' xdpwall, edgewall): the
# value comes back with its bounds, here a header length of 54 or 82
# that then offsets a packet pointer, as Linux's narrow spills allow.
# type: xdp
r6 = r1
call 7
r5 = 54
if r0 > 100 goto +1
r5 = 82
*(u32 *)(r10 - 8) = r5
call 7
r5 = *(u32 *)(r10 - 8)
r7 = *(u32 *)(r6 + 0)
r8 = *(u32 *)(r6 + 4)
w1 = w5
r7 += r1
r2 = r7
r2 += 1
if r2 > r8 goto +1
r0 = *(u8 *)(r7 + 0)
r0 = 2
exit
