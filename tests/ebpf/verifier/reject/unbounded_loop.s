# A counter loop whose bound (2^64) is beyond the work budget.
# type: unspec
# expect-budget: BPF program is too large. Processed 1000001 insn
r0 = 0
r0 += 1
if r0 != 0 goto -2
exit
