#!/usr/bin/env python3
"""Flash and RAM use of a 32-bit little-endian ARM ELF, from its section headers (what
`size -A` would add up): flash = sections loaded from the image (vector table, code, read-only
data, initial values of .data); RAM = .data + .bss + .uninit.

Usage: elf-size.py ELF...   (prints one line per file: name, flash bytes, RAM bytes)
"""
import struct
import sys

ALLOC, WRITE, NOBITS = 0x2, 0x1, 8


def sizes(path):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        raise SystemExit(f"{path}: not a 32-bit ELF")
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x2E)
    flash = ram = 0
    for i in range(shnum):
        _, kind, flags, _, _, size = struct.unpack_from("<IIIIII", data, shoff + i * shentsize)
        if not flags & ALLOC:
            continue
        if flags & WRITE:
            ram += size
            if kind != NOBITS:
                flash += size  # .data's initial values live in flash
        else:
            flash += size
    return flash, ram


for path in sys.argv[1:]:
    flash, ram = sizes(path)
    print(f"{path.rsplit('/', 1)[-1]}\tflash {flash} B\tRAM {ram} B")
