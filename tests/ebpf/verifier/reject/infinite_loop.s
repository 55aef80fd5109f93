# A loop whose state never changes.
# type: unspec
# expect: 1: infinite loop detected at insn 1
r0 = 0
r1 = 1
goto -2
