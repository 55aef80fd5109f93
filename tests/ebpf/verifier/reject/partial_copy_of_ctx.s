# Nor may the low half of the context pointer be read.
# type: xdp
# expect: 0: R1 partial copy of pointer
w0 = w1
exit
