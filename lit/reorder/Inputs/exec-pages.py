#!/usr/bin/env python3
"""The independent count: distinct pages of a binary's executable sections
that a valgrind lackey log (--trace-mem=yes) shows executed.

Usage: exec-pages.py BINARY LACKEY_LOG [PAGE_SIZE]
Prints "oracle pages N"."""
import subprocess
import sys

binary, log = sys.argv[1:3]
page = int(sys.argv[3]) if len(sys.argv) > 3 else 4096
out = subprocess.run(["llvm-readelf", "-SW", binary], capture_output=True,
                     text=True, check=True).stdout
code = []
for line in out.splitlines():
    fields = line.replace("[ ", "[").split()
    if len(fields) > 7 and fields[0].startswith("[") and "X" in fields[7]:
        begin = int(fields[3], 16)
        code.append((begin, begin + int(fields[5], 16)))
pages = set()
with open(log, errors="replace") as f:
    for line in f:
        if not line.startswith("I  "):
            continue
        addr, size = line[3:].split(",")
        addr, size = int(addr, 16), int(size)
        if any(b <= addr < e for b, e in code):
            for a in range(addr, addr + size):
                pages.add(a // page)
print("oracle pages", len(pages))
