# A function reference is not a number: no arithmetic on it.
# type: xdp
# expect: pointer arithmetic on func prohibited
r1 = 4
r2 = func pc+7 ll
r2 += 8
r3 = 0
r4 = 0
call 181
r0 = 2
exit
r0 = 0
exit
