# r10 (the frame pointer) is read-only: caught at load (structural check).
# type: unspec
# expect-load: r10 is read-only
r10 = 0
r0 = 0
exit
