#!/usr/bin/env python3
"""Writes a damaged copy of a compact profile, for the reader's error tests.

  damage-compact.py IN OUT EDIT...

Each EDIT is WHERE=TYPE:VALUE, with WHERE a byte offset, SECTION+N (N bytes
into a section's data) or entry:SECTION+N (into its section table entry),
TYPE u8, u16, u32 or u64 (little-endian) and VALUE a number; or
truncate=N, or append=N (N zero bytes). Sections are named as in
schema/lib/CompactProfileFormat.h: strings, metadata, markers, functions,
ranges, blocks, edges, rules, traces, trace-names.
"""
import struct
import sys

KINDS = {"strings": 1, "metadata": 2, "markers": 3, "functions": 4,
         "ranges": 5, "blocks": 6, "edges": 7, "rules": 8, "traces": 9,
         "trace-names": 10}
FORMATS = {"u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q"}


def entry(data, kind):
    count = struct.unpack_from("<I", data, 24)[0]
    for i in range(count):
        if struct.unpack_from("<I", data, 32 + 32 * i)[0] == KINDS[kind]:
            return 32 + 32 * i
    sys.exit(f"damage-compact: no section '{kind}'")


def offset(data, where):
    base, _, delta = where.partition("+")
    if base.isdigit():
        return int(base) + int(delta or 0)
    if base.startswith("entry:"):
        return entry(data, base[6:]) + int(delta or 0)
    start = struct.unpack_from("<Q", data, entry(data, base) + 8)[0]
    return start + int(delta or 0)


def main():
    src, dst, edits = sys.argv[1], sys.argv[2], sys.argv[3:]
    data = bytearray(open(src, "rb").read())
    for edit in edits:
        where, _, what = edit.partition("=")
        if where == "truncate":
            del data[int(what):]
        elif where == "append":
            data += bytes(int(what))
        else:
            kind, _, value = what.partition(":")
            struct.pack_into(FORMATS[kind], data, offset(data, where),
                             int(value, 0))
    open(dst, "wb").write(data)


main()
