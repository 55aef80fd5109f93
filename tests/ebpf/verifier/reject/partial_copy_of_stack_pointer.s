# The low half of a stack address stays hidden (docs/verifier.md): the
# interpreter's and the JIT's stacks differ, so a program could tell them
# apart. Packet pointers may be copied this way; fp may not.
# type: xdp
# expect: 0: R10 partial copy of pointer
w0 = w10
exit
