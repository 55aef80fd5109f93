# Division and modulo by zero are defined (RFC 9669 §4.1): accepted.
# type: unspec
r0 = 7
r1 = 0
r0 /= r1
r2 = 9
r2 %= r1
w2 /= w1
r0 += r2
exit
