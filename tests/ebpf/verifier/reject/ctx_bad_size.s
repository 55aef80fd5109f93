# A one-byte read of a 4-byte context field.
# type: xdp
# expect: 0: invalid bpf_context access off=0 size=1
r0 = *(u8 *)(r1 + 0)
exit
