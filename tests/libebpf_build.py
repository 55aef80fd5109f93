"""libebpf as ebpf/ebpf.mk builds it, for the tests and scripts that compile
it themselves (the fuzzers, with sanitizers; scripts/ebpf-equivalence.py):
ebpf/*.c and the mbed TLS files it uses, with the flags those need. The
mbed TLS part comes from make (ebpf/ebpf.mk), its one home."""

import glob
import os
import shlex
import subprocess


def sources_and_flags(tree):
    """([source paths], [compiler flags]) of the libebpf of tree."""
    sources = sorted(glob.glob(os.path.join(tree, "ebpf", "*.c")))
    flags = ["-I" + os.path.join(tree, "ebpf")]
    if not os.path.exists(os.path.join(tree, "ebpf", "mbedtls_config.h")):
        return sources, flags  # a tree from before SYN cookies
    out = subprocess.run(["make", "-s", "--no-print-directory", "-C", tree, "print-mbedtls"],
                         capture_output=True, text=True, check=True).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return sources + values["MBEDTLS_SRCS"].split(), flags + shlex.split(values["MBEDTLS_INCLUDES"])
