# At or above the frame pointer.
# type: unspec
# expect: 0: invalid stack off=0 size=1
*(u8 *)(r10 + 0) = 0
r0 = 0
exit
