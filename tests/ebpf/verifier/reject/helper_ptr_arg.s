# A pointer passed where a helper takes a plain value.
# type: xdp
# expect: 1: R1 leaks addr into helper function
r1 = r10
call 23
exit
