# A caller may not use the r0 of a subprogram that never set it.
# type: unspec
# expect: 3: R0 !read_ok
r1 = r10
r1 += -8
call pc+1
exit
*(u64 *)(r1 + 0) = 42
exit
