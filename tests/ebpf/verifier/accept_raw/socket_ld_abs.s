# Classic BPF's packet loads with the context in r6, and the wire length.
# type: socket
r6 = r1
r0 = *(u16 *)skb[12]
r1 = 0x800
if r0 != r1 goto +2
r0 = *(u32 *)(r6 + 12)
exit
r0 = 0
exit
