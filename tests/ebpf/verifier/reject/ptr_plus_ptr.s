# Adding two pointers.
# type: unspec
# expect: 1: R1 pointer += pointer prohibited
r1 = r10
r1 += r10
r0 = 0
exit
