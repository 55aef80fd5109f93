# A jump into the second slot of lddw: caught at load.
# type: unspec
# expect-load: into the middle of lddw
r0 = 0
if r0 == 0 goto +1
r1 = 0x100000000 ll
exit
