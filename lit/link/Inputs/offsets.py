#!/usr/bin/env python3
"""Offsets of functions from the first one named, and their sizes.

Usage: offsets.py BINARY FIRST NAME... Prints "NAME OFFSET SIZE" for each
name the binary's symbol table defines as a function (a local one too:
the first of its name), FIRST at offset 0."""
import subprocess
import sys

binary, names = sys.argv[1], sys.argv[2:]
out = subprocess.run(["llvm-nm", "-S", "--defined-only", binary],
                     capture_output=True, text=True, check=True).stdout
where = {}
for line in out.splitlines():
    f = line.split()
    if len(f) == 4 and f[2] in "tT" and f[3] not in where:
        where[f[3]] = (int(f[0], 16), int(f[1], 16))
base = where[names[0]][0]
for n in names:
    if n in where:
        print(n, where[n][0] - base, where[n][1])
