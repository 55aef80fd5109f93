# Past the end of struct xdp_md.
# type: xdp
# expect: 0: invalid bpf_context access off=24 size=4
r0 = *(u32 *)(r1 + 24)
exit
