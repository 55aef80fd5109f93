# A subprogram calling itself: too many frames.
# type: unspec
# expect: 3: the call stack of 9 frames is too deep
call pc+2
r0 = 0
exit
call pc-1
exit
