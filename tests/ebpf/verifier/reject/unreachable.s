# Nothing jumps to insn 2.
# type: unspec
# expect: unreachable insn 2
r0 = 0
goto +1
exit
r0 = 1
exit
