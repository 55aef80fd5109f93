# The low word 0xffffffff is -1 as a signed 32-bit value: "w1 s> 0" is
# false, so the path through insn 3 runs and must be checked.
# type: unspec
# expect: 3: R3 !read_ok
r1 = 0xffffffff ll
if w1 s> 0 goto +1
r0 = r3
r0 = 0
exit
