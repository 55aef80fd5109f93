# Atomic operations need naturally aligned addresses.
# type: unspec
# expect: 2: misaligned stack access off=-12 size=8 for an atomic operation
*(u64 *)(r10 - 16) = 0
r2 = 1
lock *(u64 *)(r10 - 12) += r2
r0 = 0
exit
