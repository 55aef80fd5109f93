# A subprogram called from 2 sites runs a 5-round loop of 3 packet guards
# that keep their paths apart (r5): about 670,000 processed instructions,
# within the budget (tests/ebpf/test_verifier.py checks the count).
# type: xdp
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 1
r1 = r6
r2 = r10
r2 += -16
r3 = 0
call pc+7
r1 = r6
r2 = r10
r2 += -16
r3 = 1
call pc+2
r0 = 2
exit
# sub(ctx, fp, k): r5 collects one bit per packet guard
r6 = r1
r5 = 0
r8 = *(u32 *)(r6 + 0)      # data
r9 = *(u32 *)(r6 + 4)      # data_end
r7 = 0                     # loop: 5 rounds
r4 = r8
r4 += 14
r5 <<= 1
if r4 > r9 goto +1
r5 += 1
r4 = r8
r4 += 20
r5 <<= 1
if r4 > r9 goto +1
r5 += 1
r4 = r8
r4 += 34
r5 <<= 1
if r4 > r9 goto +1
r5 += 1
r7 += 1
if r7 < 5 goto -17
r0 = r5
r0 &= 1
exit
