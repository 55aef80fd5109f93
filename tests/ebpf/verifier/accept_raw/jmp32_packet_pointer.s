# A JMP32 test sees a packet pointer's low word as an unknown scalar (see
# "32-bit views of pointers" in docs/verifier.md), so both branches are
# explored; the selftests' xdpwall tests `if w7 == 0` on one.
# type: xdp
r7 = *(u32 *)(r1 + 0)
r0 = 1
if w7 == 0 goto +1
r0 = 2
exit
