# r3 is read before anything wrote it.
# type: unspec
# expect: 1: R3 !read_ok
r0 = 0
r0 += r3
exit
