# bpf_check_mtu reads *mtu_len (a non-zero value is the length to check):
# it must be initialized, as Linux's ARG_PTR_TO_INT.
# type: xdp
# expect: 5: invalid indirect read from stack
r2 = 0
r3 = r10
r3 += -4
r4 = 0
r5 = 0
call 163
r0 = 2
exit
