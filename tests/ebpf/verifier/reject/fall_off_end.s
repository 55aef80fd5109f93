# The last instruction is not exit: caught at load (structural check).
# type: unspec
# expect-load: falls off the end
r0 = 0
exit
r0 = 1
