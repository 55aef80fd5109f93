# A subprogram whose last instruction falls into the next subprogram.
# type: unspec
# expect: 4: last insn is not an exit or jmp
call pc+3
call pc+3
r0 = 0
exit
r0 = 1
r0 = 2
exit
