# Comparing a pointer with a scalar leaks its value.
# type: xdp
# expect: 1: R1 pointer comparison prohibited
r0 = 0
if r1 > 5 goto +1
exit
r0 = 1
exit
