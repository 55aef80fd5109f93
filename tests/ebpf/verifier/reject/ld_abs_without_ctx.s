# LD_ABS needs the context in r6.
# type: socket
# expect: 0: R6 !read_ok
r0 = *(u8 *)skb[12]
exit
