# r0 must be set before exit.
# type: xdp
# expect: 0: R0 !read_ok
exit
