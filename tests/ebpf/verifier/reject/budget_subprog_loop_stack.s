# budget_subprog_loop_guards.s with the paths told apart by a stack
# slot of the subprogram instead of a register: the prune keys (registers
# only) skip no stored state of the chain, every comparison reaches the
# stack, and every pending branch copies the full caller frame. The
# slowest case per processed instruction known (docs/verifier.md, Limits).
# type: xdp
# expect-budget: BPF program is too large. Processed 1000001 insn
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 1
*(u64 *)(r10 - 24) = 2
*(u64 *)(r10 - 32) = 3
*(u64 *)(r10 - 40) = 4
*(u64 *)(r10 - 48) = 5
*(u64 *)(r10 - 56) = 6
*(u64 *)(r10 - 64) = 7
*(u64 *)(r10 - 72) = 8
*(u64 *)(r10 - 80) = 9
*(u64 *)(r10 - 88) = 10
*(u64 *)(r10 - 96) = 11
*(u64 *)(r10 - 104) = 12
*(u64 *)(r10 - 112) = 13
*(u64 *)(r10 - 120) = 14
*(u64 *)(r10 - 128) = 15
*(u64 *)(r10 - 136) = 16
*(u64 *)(r10 - 144) = 17
*(u64 *)(r10 - 152) = 18
*(u64 *)(r10 - 160) = 19
*(u64 *)(r10 - 168) = 20
*(u64 *)(r10 - 176) = 21
*(u64 *)(r10 - 184) = 22
*(u64 *)(r10 - 192) = 23
*(u64 *)(r10 - 200) = 24
*(u64 *)(r10 - 208) = 25
*(u64 *)(r10 - 216) = 26
*(u64 *)(r10 - 224) = 27
*(u64 *)(r10 - 232) = 28
*(u64 *)(r10 - 240) = 29
*(u64 *)(r10 - 248) = 30
*(u64 *)(r10 - 256) = 31
*(u64 *)(r10 - 264) = 32
*(u64 *)(r10 - 272) = 33
*(u64 *)(r10 - 280) = 34
*(u64 *)(r10 - 288) = 35
*(u64 *)(r10 - 296) = 36
*(u64 *)(r10 - 304) = 37
*(u64 *)(r10 - 312) = 38
*(u64 *)(r10 - 320) = 39
*(u64 *)(r10 - 328) = 40
*(u64 *)(r10 - 336) = 41
*(u64 *)(r10 - 344) = 42
*(u64 *)(r10 - 352) = 43
*(u64 *)(r10 - 360) = 44
*(u64 *)(r10 - 368) = 45
*(u64 *)(r10 - 376) = 46
*(u64 *)(r10 - 384) = 47
*(u64 *)(r10 - 392) = 48
*(u64 *)(r10 - 400) = 49
*(u64 *)(r10 - 408) = 50
*(u64 *)(r10 - 416) = 51
*(u64 *)(r10 - 424) = 52
*(u64 *)(r10 - 432) = 53
*(u64 *)(r10 - 440) = 54
*(u64 *)(r10 - 448) = 55
*(u64 *)(r10 - 456) = 56
*(u64 *)(r10 - 464) = 57
*(u64 *)(r10 - 472) = 58
*(u64 *)(r10 - 480) = 59
r7 = *(u32 *)(r6 + 0)
*(u64 *)(r10 - 488) = r7      # a spilled packet pointer
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
# sub(ctx, fp, k): its fp-8 collects one bit per packet guard
r6 = r1
*(u64 *)(r10 - 8) = 0
r8 = *(u32 *)(r6 + 0)      # data
r9 = *(u32 *)(r6 + 4)      # data_end
r7 = 0                     # loop: 5 rounds
r4 = r8
r4 += 14
r5 = *(u64 *)(r10 - 8)
r5 <<= 1
if r4 > r9 goto +1
r5 += 1
*(u64 *)(r10 - 8) = r5
r4 = r8
r4 += 20
r5 = *(u64 *)(r10 - 8)
r5 <<= 1
if r4 > r9 goto +1
r5 += 1
*(u64 *)(r10 - 8) = r5
r4 = r8
r4 += 34
r5 = *(u64 *)(r10 - 8)
r5 <<= 1
if r4 > r9 goto +1
r5 += 1
*(u64 *)(r10 - 8) = r5
r7 += 1
if r7 < 5 goto -23
r0 = *(u64 *)(r10 - 8)
r0 &= 1
exit
