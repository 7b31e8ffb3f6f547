#!/usr/bin/env python3
"""Checks the block ids of a `pagelayout record --mode=trace` profile of a
binary built with -fbasic-block-address-map against the binary's own
address map (llvm-readobj --bb-addr-map) and valgrind lackey's instruction
trace of the same run (an independent, exact oracle).

Usage: trace-bbmap-oracle.py BINARY PROFILE LOGDIR [--ids-only]

LOGDIR holds one lackey log per process, named by pid (the lowest is the
program's process). A map block ran when lackey saw an instruction inside
it. Checks, per function of the map:
  - ids: the profile's startup_blocks + first_frame_blocks + steady_blocks
    hold exactly the blocks that ran (in any process);
  - order: that list is the first-execution order of the blocks, the
    program's process first, then each child's blocks not seen before
    (as the recorder merges its processes); record with one phase (a
    large --startup-window-ms) so the phases do not reorder it (not
    checked with --ids-only);
  - hash: block_hash is FNV-1a 64 over each block's id and size as two
    little-endian 32-bit words, in map order (docs/profile-format.md).
Prints one line per check and exits 1 on a difference."""
import bisect
import json
import os
import struct
import subprocess
import sys

import yaml

LLVM = "/usr/lib/llvm-22/bin/"
VALGRIND_PIE_BASE = 0x108000  # where valgrind (amd64) loads a PIE


def fnv1a(blocks):
    h = 0xcbf29ce484222325
    for ident, size in blocks:
        for byte in struct.pack("<II", ident, size):
            h ^= byte
            h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def address_map(binary):
    out = subprocess.run([LLVM + "llvm-readobj", "--bb-addr-map",
                          "--elf-output-style=JSON", binary],
                         capture_output=True, text=True, check=True).stdout
    funcs = {}
    for entry in json.loads(out)[0]["BBAddrMap"]:
        f = entry["Function"]
        blocks = []
        for r in f["BB Ranges"]:
            for b in r["BB Entries"]:
                blocks.append((r["Base Address"] + b["Offset"], b["Size"],
                               b["ID"]))
        funcs[f["Name"]] = blocks
    return funcs


def main():
    args = sys.argv[1:]
    ids_only = "--ids-only" in args
    if ids_only:
        args.remove("--ids-only")
    binary, profile, logdir = args
    pie = "DYN" in subprocess.run(
        [LLVM + "llvm-readelf", "-hW", binary], capture_output=True,
        text=True, check=True).stdout.split("Type:")[1].splitlines()[0]
    bias = VALGRIND_PIE_BASE if pie else 0
    funcs = address_map(binary)
    spans = sorted((a, a + s, name, ident)
                   for name, blocks in funcs.items()
                   for a, s, ident in blocks if s)
    starts = [s[0] for s in spans]
    order = {name: [] for name in funcs}
    seen = set()
    logs = sorted(os.listdir(logdir), key=int)
    for log in logs:
        with open(os.path.join(logdir, log), errors="replace") as f:
            for line in f:
                if not line.startswith("I  "):
                    continue
                addr = int(line[3:].split(",")[0], 16) - bias
                i = bisect.bisect_right(starts, addr) - 1
                if i < 0 or addr >= spans[i][1]:
                    continue
                key = (spans[i][2], spans[i][3])
                if key not in seen:
                    seen.add(key)
                    order[key[0]].append(key[1])

    with open(profile) as f:
        p = yaml.safe_load(f)
    got, hashes = {}, {}
    for fn in p.get("functions", []):
        got[fn["name"]] = (fn.get("startup_blocks", []) +
                           fn.get("first_frame_blocks", []) +
                           fn.get("steady_blocks", []))
        if "block_hash" in fn:
            hashes[fn["name"]] = fn["block_hash"]
    ok = True

    def report(what, diffs):
        nonlocal ok
        print(f"{what}: " + ("same" if not diffs else "DIFFERENT"))
        for d in diffs[:8]:
            print("  " + d)
        ok = ok and not diffs

    ran = [n for n in funcs if order[n]]
    report("ids", [f"{n}: lackey {sorted(order[n])} trace "
                   f"{sorted(got.get(n, []))}"
                   for n in sorted(funcs)
                   if set(order[n]) != set(got.get(n, []))])
    if not ids_only:
        report("order", [f"{n}: lackey {order[n]} trace {got.get(n, [])}"
                         for n in sorted(ran) if order[n] != got.get(n, [])])
    report("hash", [f"{n}: want {fnv1a([(i, s) for _, s, i in funcs[n]]):#x} "
                    f"got {hashes.get(n, 0):#x}"
                    for n in sorted(ran)
                    if hashes.get(n) != fnv1a([(i, s)
                                               for _, s, i in funcs[n]])])
    print(f"functions with blocks: {len(ran)} blocks: {len(seen)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
