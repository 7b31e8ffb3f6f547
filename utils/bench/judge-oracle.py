#!/usr/bin/env python3
"""The judge's page oracle: what a run of a binary touched in its code, and
the two floors a layout of that binary could reach, all from one valgrind
lackey instruction trace and the binary's own headers and symbols.

The layouts compared by judge-layouts.sh come from different tools (lld,
BOLT, pagelayout), so nothing here trusts any of them: an executable page
is a 4 KiB page of a PF_X PT_LOAD segment (every executable section, .plt
and .init included, and BOLT's new segments too), and an executed byte is
a byte of an instruction lackey logged (run with --vex-guest-chase=no, so
every logged instruction ran). Three numbers per run:
  - pages touched: distinct 4 KiB pages holding an executed byte;
  - instruction bound: ceil(executed bytes / 4096), the floor for any
    layout that could place every executed byte anywhere;
  - span bound: per function symbol (STT_FUNC with a size; overlapping
    ones keep the first, as trace-oracle.py does), the bytes from its first
    to its last executed byte, minus the whole pages (floor(len / 4096))
    of each never-executed hole of 4096 bytes or more inside it, summed
    over functions, plus the executed bytes outside any function symbol
    (PLT entries, _init), / 4096 rounded up: the floor for layouts that
    keep each function's bytes whole and in their order.
A BOLT output splits functions into `foo.cold.N` symbols of their own, so
its span bound is lower: each binary is judged against its own bounds.

Usage: judge-oracle.py BINARY LACKEY_LOG [LACKEY_LOG...]
(logs as lackey writes them, or reduced by lackey-first.c).
Prints: "pages=N instr=N span=N bytes=N functions=N"."""
import re
import subprocess
import sys

LLVM = "/usr/lib/llvm-22/bin/"
PAGE = 4096


def exec_segments(binary):
    out = subprocess.run([LLVM + "llvm-readelf", "-lW", binary],
                         capture_output=True, text=True, check=True).stdout
    segs = []
    for line in out.splitlines():
        f = line.split()
        # LOAD offset vaddr paddr filesz memsz flags... ("R E", "R", "RW")
        if f[:1] == ["LOAD"] and "E" in f[6:-1]:
            segs.append((int(f[2], 16), int(f[2], 16) + int(f[5], 16)))
    if not segs:
        sys.exit(f"{binary}: no executable PT_LOAD segment")
    header = subprocess.run([LLVM + "llvm-readelf", "-hW", binary],
                            capture_output=True, text=True, check=True).stdout
    if re.search(r"Type:\s+DYN", header):
        sys.exit(f"{binary}: a PIE; the judge builds non-PIE binaries "
                 "(lackey addresses are then the binary's own)")
    return segs


def functions(binary):
    out = subprocess.run([LLVM + "llvm-readelf", "-sW", binary],
                         capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[3] == "FUNC" and f[6] != "UND" and int(f[2], 0):
            syms.append((int(f[1], 16), int(f[2], 0)))
    syms.sort()
    kept, end = [], 0
    for addr, size in syms:
        if addr >= end:
            kept.append((addr, size))
            end = addr + size
    return kept


def main():
    binary, logs = sys.argv[1], sys.argv[2:]
    segs = exec_segments(binary)
    marks = {s: bytearray(e - s) for s, e in segs}

    def segment_of(addr):
        for s, e in segs:
            if s <= addr < e:
                return s
        return None

    pages = set()
    for log in logs:
        with open(log, errors="replace") as f:
            for line in f:
                if not line.startswith("I  "):
                    continue
                a, n = line[3:].split(",")
                addr, size = int(a, 16), int(n)
                s = segment_of(addr)
                if s is None:
                    continue  # shared libraries, the loader, vdso
                m = marks[s]
                m[addr - s:addr - s + size] = b"\1" * size
                pages.add(addr // PAGE)
                pages.add((addr + size - 1) // PAGE)
    executed = sum(m.count(1) for m in marks.values())
    span, in_functions, ran = 0, 0, 0
    hole = re.compile(rb"\x00{%d,}" % PAGE)
    for addr, size in functions(binary):
        s = segment_of(addr)
        if s is None:
            continue
        body = marks[s][addr - s:addr - s + size]
        in_functions += body.count(1)
        first = body.find(1)
        if first < 0:
            continue
        ran += 1
        last = body.rfind(1)
        length = last - first + 1
        for h in hole.finditer(body, first, last + 1):
            length -= (h.end() - h.start()) // PAGE * PAGE
        span += length
    span += executed - in_functions
    ceil = lambda b: -(-b // PAGE)
    print(f"pages={len(pages)} instr={ceil(executed)} span={ceil(span)} "
          f"bytes={executed} functions={ran}")


if __name__ == "__main__":
    main()
