#!/usr/bin/env python3
"""set-module.py IN OUT PATH: copies the raw file IN to OUT with the path of
its first module (the program) replaced by PATH, the chunk sizes kept
consistent: a well-formed raw file that names another module."""
import struct
import sys

src, dst, new = sys.argv[1], sys.argv[2], sys.argv[3].encode()
d = open(src, "rb").read()
out = bytearray(d[:32])  # magic, version, pid, parent, flags, duration
pos = 32
while pos < len(d):
    tag, count, size = struct.unpack_from("<IIQ", d, pos)
    body = d[pos + 16:pos + 16 + size]
    if tag == 1:  # modules
        old = struct.unpack_from("<QQQH", body, 0)
        path = body[26:26 + old[3]]
        records, p = bytearray(), 0
        for _ in range(count):
            base, begin, end, n = struct.unpack_from("<QQQH", body, p)
            name = body[p + 26:p + 26 + n]
            if name == path:
                name = new
            records += struct.pack("<QQQH", base, begin, end, len(name)) + name
            p += 26 + n
        body = bytes(records)
    out += struct.pack("<IIQ", tag, count, len(body)) + body
    pos += 16 + size
open(dst, "wb").write(out)
