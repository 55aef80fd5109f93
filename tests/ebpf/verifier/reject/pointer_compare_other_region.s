# Pointers into different regions (stack, ctx) have no offsets in common:
# comparing them would compare addresses.
# type: xdp
# expect: 2: R10 pointer comparison prohibited
r0 = 0
r2 = r1
if r10 > r2 goto +1
exit
r0 = 1
exit
