# A counted loop with a back-edge: the exit is decided every iteration.
# type: unspec
r0 = 0
r1 = 0
r0 += r1
r1 += 1
if r1 < 100 goto -3
exit
