# UNSPEC's r1 points at memory of a size known only at run time: refused.
# type: unspec
# expect: 0: invalid bpf_context access off=0 size=1
r0 = *(u8 *)(r1 + 0)
exit
