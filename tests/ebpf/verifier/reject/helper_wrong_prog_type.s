# bpf_xdp_adjust_head in a socket filter.
# type: socket
# expect: 1: program of this type cannot use helper bpf_xdp_adjust_head#44
r2 = 0
call 44
exit
