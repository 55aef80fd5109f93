# A subprogram that returns nothing (a void function, as clang emits for
# one that only writes through its argument): its exit needs no r0, as
# in Linux; the caller sets its own. test_xdp_noinline's programs need it.
# type: unspec
r1 = r10
r1 += -8
call pc+2
r0 = *(u64 *)(r10 - 8)
exit
*(u64 *)(r1 + 0) = 42
exit
