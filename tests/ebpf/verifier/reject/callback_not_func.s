# bpf_loop's second argument must be a function (lddw src_reg 4), not a number.
# type: xdp
# expect: R2 type=scalar expected=func
r1 = 4
r2 = 11
r3 = 0
r4 = 0
call 181
r0 = 2
exit
