# Below the 512-byte frame.
# type: unspec
# expect: 0: invalid stack off=-520 size=8
*(u64 *)(r10 - 520) = 0
r0 = 0
exit
