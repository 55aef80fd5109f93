# "w5 s>= 0" and "w5 s<= 7" bound the signed low word; an unknown
# 64-bit r5 stays unbounded.
# type: unspec
# expect: 5: math between fp pointer and register with unbounded min value is not allowed
r5 = r2
if w5 s< 0 goto +5
if w5 s> 7 goto +4
r3 = r10
r3 += -16
r3 += r5
*(u8 *)(r3 + 0) = 1
r0 = 0
exit
