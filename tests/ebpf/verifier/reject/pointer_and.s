# Bitwise operations on pointers.
# type: xdp
# expect: 0: R1 pointer arithmetic with &= operator prohibited
r1 &= 7
r0 = 0
exit
