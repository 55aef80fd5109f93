# A JMP32 test of a ctx pointer's low word stays refused: only packet
# pointers have a documented 32-bit view.
# type: xdp
# expect: 1: R1 pointer comparison prohibited (32-bit)
r0 = 0
if w1 == 0 goto +1
exit
r0 = 1
exit
