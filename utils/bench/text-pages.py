#!/usr/bin/env python3
"""Counts the distinct 4 KiB pages of a binary's .text that a run executes,
from valgrind lackey's instruction trace: up to the first execution of a
function (the end of startup), and for the whole run.

Usage: text-pages.py BINARY TRACE STARTUP_END_FUNCTION
Prints: "<startup pages> <whole-run pages> <.text pages>"."""
import subprocess
import sys

LLVM = "/usr/lib/llvm-22/bin/"


def text_range(binary):
    out = subprocess.run([LLVM + "llvm-readelf", "-SW", binary],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".text":
            addr, size = int(fields[3], 16), int(fields[5], 16)
            return addr, addr + size
    sys.exit(f"{binary}: no .text section")


def symbol_address(binary, name):
    out = subprocess.run([LLVM + "llvm-nm", binary], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] == name:
            return int(fields[0], 16)
    sys.exit(f"{binary}: no symbol {name}")


def main():
    binary, trace, stop_name = sys.argv[1:4]
    begin, end = text_range(binary)
    stop = symbol_address(binary, stop_name)
    startup, whole = set(), set()
    in_startup = True
    with open(trace, errors="replace") as f:
        for line in f:
            if not line.startswith("I  "):
                continue
            addr = int(line[3:].split(",")[0], 16)
            if not begin <= addr < end:
                continue
            if addr == stop:
                in_startup = False
            whole.add(addr >> 12)
            if in_startup:
                startup.add(addr >> 12)
    text_pages = ((end - 1) >> 12) - (begin >> 12) + 1
    print(len(startup), len(whole), text_pages)


if __name__ == "__main__":
    main()
