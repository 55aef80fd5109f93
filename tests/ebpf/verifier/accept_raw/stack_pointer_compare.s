# Two pointers into one stack frame compare as their offsets, which leaks
# no address (Linux's samples/bpf xdp1 and xdp2 compare &a[i] with &b[j]):
# fp-46 > fp-5 is decided false, so r0 = 2.
# type: xdp
r2 = r10
r2 += -5
r3 = r10
r3 += -46
r0 = 1
if r3 > r2 goto +1
r0 = 2
exit
