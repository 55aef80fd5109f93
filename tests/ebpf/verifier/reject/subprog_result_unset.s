# A subprogram may return with r0 unset (as a void function does, and
# Linux allows), but then its caller cannot read r0.
# type: unspec
# expect: 1: R0 !read_ok
call pc+2
r0 += 1
exit
r1 = 0
exit
