# bpf_trace_printk's r3-r5 may be unset (Linux declares no such
# argument), but a pointer there is still a leak.
# type: xdp
# expect: 7: R3 leaks addr into helper function
r1 = 0x0000000000786c25 ll
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 4
r3 = r10
call 6
r0 = 2
exit
