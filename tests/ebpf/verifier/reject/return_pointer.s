# r0 holding a pointer at exit leaks an address.
# type: xdp
# expect: 1: R0 leaks addr as return value
r0 = r10
exit
