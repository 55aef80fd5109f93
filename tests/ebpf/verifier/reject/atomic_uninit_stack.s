# An atomic add reads the slot first: it must be initialized.
# type: unspec
# expect: 1: invalid read from stack off=-8 size=8
r2 = 1
lock *(u64 *)(r10 - 8) += r2
r0 = 0
exit
