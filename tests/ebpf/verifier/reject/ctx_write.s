# XDP's context is read-only.
# type: xdp
# expect: 0: invalid bpf_context access off=0 size=4
*(u32 *)(r1 + 0) = 0
r0 = 2
exit
