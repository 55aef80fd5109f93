# A misaligned context field.
# type: xdp
# expect: 0: invalid bpf_context access off=2 size=4
r0 = *(u32 *)(r1 + 2)
exit
