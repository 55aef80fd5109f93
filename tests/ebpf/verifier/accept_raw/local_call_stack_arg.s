# A callee writes through a pointer into its caller's stack.
# type: unspec
r1 = r10
r1 += -8
call pc+2
r0 = *(u64 *)(r10 - 8)
exit
*(u64 *)(r1 + 0) = 42
r0 = 0
exit
