# fp - INT64_MIN wraps to fp + 2^63: out of bounds, computed without
# signed overflow in the verifier (found by tests/fuzz/fuzz_verifier.c
# under UBSan).
# type: xdp
# expect: 3: value -9223372036854775808 makes fp pointer be out of bounds
r2 = r10
r3 = -9223372036854775808 ll
r2 -= r3
r0 = *(u8 *)(r2 + 0)
exit
