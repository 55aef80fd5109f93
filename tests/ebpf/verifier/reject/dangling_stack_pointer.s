# A callee stores a pointer to its own stack into its caller's frame;
# after the return that pointer is gone (the slot is unreadable).
# type: unspec
# expect: 3: invalid read from stack off=-8 size=8
r1 = r10
r1 += -8
call pc+3
r2 = *(u64 *)(r10 - 8)
r0 = *(u64 *)(r2 + 0)
exit
r2 = r10
r2 += -16
*(u64 *)(r2 + 0) = 1
*(u64 *)(r1 + 0) = r2
r0 = 0
exit
