#!/usr/bin/env python3
"""Writes a static library (GNU ar, one ELF64 x86-64 or AArch64 relocatable
object) whose .data section holds SIZE bytes, a fraction of them random and the
rest repetitive, so the archive compresses roughly like real object code.
usage: make_lib.py OUT SIZE_BYTES [RANDOM_FRACTION=0.5] [x86_64|aarch64]"""
import os
import struct
import sys

out, size = sys.argv[1], int(sys.argv[2])
fraction = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
machine = 183 if (len(sys.argv) > 4 and sys.argv[4] == "aarch64") else 62

shstrtab = b"\0.data\0.shstrtab\0"
data_off = 64
str_off = data_off + size
sh_off = (str_off + len(shstrtab) + 7) & ~7

with open(out, "wb") as f:
    obj_size = sh_off + 3 * 64
    f.write(b"!<arch>\n")
    f.write(b"%-16s%-12s%-6s%-6s%-8s%-10d`\n" % (b"payload.o/", b"0", b"0", b"0", b"644", obj_size))
    f.write(b"\x7fELF\x02\x01\x01\x00" + b"\0" * 8)
    f.write(struct.pack("<HHIQQQIHHHHHH", 1, machine, 1, 0, 0, sh_off, 0, 64, 0, 0, 64, 3, 2))
    written = 0
    chunk = 1 << 20
    pattern = (b"\x48\x89\xe5\x48\x83\xec\x10\xe8\x00\x00\x00\x00" * 100000)[:chunk]
    while written < size:
        n = min(chunk, size - written)
        k = int(n * fraction)
        f.write(os.urandom(k) + pattern[: n - k])
        written += n
    f.write(shstrtab)
    f.write(b"\0" * (sh_off - str_off - len(shstrtab)))
    for name, typ, flags, off, sz in ((0, 0, 0, 0, 0), (1, 1, 3, data_off, size), (7, 3, 0, str_off, len(shstrtab))):
        f.write(struct.pack("<IIQQQQIIQQ", name, typ, flags, 0, off, sz, 0, 0, 1, 0))
    if (8 + 60 + obj_size) % 2:
        f.write(b"\n")
