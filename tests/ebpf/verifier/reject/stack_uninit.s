# Reading a stack slot nothing wrote (stricter than privileged Linux).
# type: unspec
# expect: 0: invalid read from stack off=-8 size=8
r0 = *(u64 *)(r10 - 8)
exit
