#!/usr/bin/env python3
"""Checks that each file is a well-formed UF2 image for the RP2040: every 512-byte block has
the UF2 magic numbers, the RP2040 family id, consecutive block numbers and a payload inside
the Pico's flash (0x10000000, 2 MiB), starting at its first address (the boot2 stage).

Usage: uf2-check.py FILE...   (prints blocks and bytes per file; exits 1 on the first problem)
"""
import struct
import sys

MAGIC0, MAGIC1, MAGIC_END = 0x0A324655, 0x9E5D5157, 0x0AB16F30
FAMILY_ID_PRESENT, RP2040 = 0x00002000, 0xE48BFF56
FLASH, FLASH_SIZE = 0x10000000, 2 << 20


def check(path):
    data = open(path, "rb").read()
    if not data or len(data) % 512:
        raise SystemExit(f"{path}: {len(data)} bytes is not a whole number of 512-byte blocks")
    blocks = len(data) // 512
    payload = 0
    for i in range(blocks):
        m0, m1, flags, addr, size, number, total, family = struct.unpack_from("<8I", data, i * 512)
        end, = struct.unpack_from("<I", data, i * 512 + 508)
        where = f"{path}: block {i}"
        if (m0, m1, end) != (MAGIC0, MAGIC1, MAGIC_END):
            raise SystemExit(f"{where}: bad magic numbers")
        if not flags & FAMILY_ID_PRESENT or family != RP2040:
            raise SystemExit(f"{where}: family {family:#x}, expected the RP2040's {RP2040:#x}")
        if number != i or total != blocks:
            raise SystemExit(f"{where}: numbered {number} of {total}, expected {i} of {blocks}")
        if not FLASH <= addr < FLASH + FLASH_SIZE or size > 476:
            raise SystemExit(f"{where}: {size} bytes at {addr:#x} is outside the flash")
        if i == 0 and addr != FLASH:
            raise SystemExit(f"{where}: the image starts at {addr:#x}, not at the flash's start")
        payload += size
    print(f"{path.rsplit('/', 1)[-1]}\t{blocks} blocks\t{payload} B")


for p in sys.argv[1:]:
    check(p)
