# 320 + 320 bytes of stack in one call chain is more than 512.
# type: unspec
# expect: combined stack size of 2 calls is 640. Too large
*(u64 *)(r10 - 320) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 320) = 0
r0 = 0
exit
