#!/usr/bin/env python3
"""Compares a `pagelayout record --mode=trace` profile with valgrind lackey's
instruction trace of the same program (an independent, exact oracle).

Usage: trace-oracle.py BINARY PROFILE LOGDIR [--startup-end SYMBOL] [--parts]
                       [--only NAME,...] [--bias HEX | --bias-file FILE]

LOGDIR holds one lackey log per process, named by pid (valgrind
--log-file=LOGDIR/%p); the lowest pid is the program's process, the others
its forked children. Checks, for the functions of BINARY's
symbol table (STT_FUNC with a size; aliases keep the first name in symbol
table order, as the recorder does):
  - order: the profile's first trace equals the program process's
    first-execution order of functions in the lackey trace;
  - bytes: the profile's executed ranges (all phases, all processes) equal
    the bytes of every instruction lackey saw executed;
  - with --startup-end: startup_ranges equal the bytes executed before the
    first instruction of SYMBOL, in each process (choose a SYMBOL the
    program reaches after its forks: a child starts in startup).
With --parts, the parts of functions split by basic-block sections
(NOTYPE symbols with a size named NAME.cold or NAME.__part.N) count as
functions too, as the recorder traces them in a binary with an address map.
With --only, only the bytes of the named functions are compared (a profile
that merges the processes of several programs, whose other functions are
another program's); the order is not checked. --bias gives where lackey's
run had BINARY (a shared library: where the loader put it).
Prints one line per check and exits 1 on a difference."""
import os
import subprocess
import sys

import yaml

LLVM = "/usr/lib/llvm-22/bin/"
VALGRIND_PIE_BASE = 0x108000  # where valgrind (amd64) loads a PIE


def functions(binary, parts=False):
    out = subprocess.run([LLVM + "llvm-readelf", "-sW", binary],
                         capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        part = (parts and len(f) >= 8 and f[3] == "NOTYPE" and
                (f[7].endswith(".cold") or ".__part." in f[7]))
        if (len(f) >= 8 and (f[3] == "FUNC" or part) and f[6] != "UND"
                and int(f[2], 0)):
            syms.append((int(f[1], 16), int(f[2], 0), f[7]))
        if line.startswith("Symbol table '.dynsym'"):
            continue
    syms.sort(key=lambda s: s[0])  # stable: first name of an address wins
    kept, end = [], 0
    for addr, size, name in syms:
        if addr < end:
            continue
        kept.append((addr, size, name))
        end = addr + size
    return kept


def header(binary):
    out = subprocess.run([LLVM + "llvm-readelf", "-hW", binary],
                         capture_output=True, text=True, check=True).stdout
    pie = "DYN" in out.split("Type:")[1].splitlines()[0]
    entry = int(out.split("Entry point address:")[1].split()[0], 16)
    return pie, entry


def lackey(path, bias):
    # "I  ADDRESS,SIZE": the address in hex, the size in decimal (lackey
    # prints "%08lx,%lu"; an instruction of 10 bytes or more shows it).
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("I  "):
                addr, size = line[3:].split(",")
                yield int(addr, 16) - bias, int(size)


def main():
    args = sys.argv[1:]
    stop = None
    if "--startup-end" in args:
        i = args.index("--startup-end")
        stop = args[i + 1]
        del args[i:i + 2]
    only = None
    if "--only" in args:
        i = args.index("--only")
        only = set(args[i + 1].split(","))
        del args[i:i + 2]
    bias_arg = None
    if "--bias" in args:
        i = args.index("--bias")
        bias_arg = int(args[i + 1], 16)
        del args[i:i + 2]
    if "--bias-file" in args:
        i = args.index("--bias-file")
        with open(args[i + 1]) as f:
            bias_arg = int(f.read().strip(), 16)
        del args[i:i + 2]
    parts = "--parts" in args
    if parts:
        args.remove("--parts")
    binary, profile, logdir = args
    logs = [os.path.join(logdir, n)
            for n in sorted(os.listdir(logdir), key=int)]
    pie, entry = header(binary)
    bias = VALGRIND_PIE_BASE if pie else 0
    if bias_arg is not None:
        bias = bias_arg
    funcs = functions(binary, parts)
    starts = [a for a, _, _ in funcs]
    by_name = {n: (a, s) for a, s, n in funcs}
    import bisect

    def owner(addr):
        i = bisect.bisect_right(starts, addr) - 1
        if i >= 0 and addr < funcs[i][0] + funcs[i][1]:
            return funcs[i]
        return None

    order, executed, startup = [], set(), set()
    stop_addr = by_name[stop][0] if stop else None
    saw_entry = False
    for n, log in enumerate(logs):
        seen = set()
        in_startup = True
        for addr, size in lackey(log, bias):
            if addr == entry:
                saw_entry = True
            f = owner(addr)
            if not f:
                continue
            if addr == stop_addr:
                in_startup = False
            if n == 0 and f[2] not in seen:
                seen.add(f[2])
                order.append(f[2])
            for b in range(addr, addr + size):
                executed.add((f[2], b - f[0]))
                if in_startup:
                    startup.add((f[2], b - f[0]))
    if not saw_entry and bias_arg is None:
        sys.exit(f"{logs[0]}: the entry point never ran at bias {bias:#x}")

    with open(profile) as f:
        p = yaml.safe_load(f)
    got_order = p["traces"][0] if p.get("traces") else [
        fn["name"] for fn in p.get("functions", [])]
    got, got_startup = set(), set()
    for fn in p.get("functions", []):
        for key in ("startup_ranges", "first_frame_ranges", "steady_ranges"):
            for b, e in fn.get(key, []):
                for x in range(b, e):
                    got.add((fn["name"], x))
                    if key == "startup_ranges":
                        got_startup.add((fn["name"], x))
    ok = True

    def report(what, want, have):
        nonlocal ok
        if want == have:
            print(f"{what}: same")
            return
        ok = False
        print(f"{what}: DIFFERENT")
        if isinstance(want, list):
            print(f"  lackey: {want}\n  trace:  {have}")
        else:
            for label, s in (("only lackey", want - have),
                             ("only trace", have - want)):
                names = sorted({n for n, _ in s})
                print(f"  {label}: {len(s)} bytes in {names[:8]}")

    if only is not None:
        executed = {b for b in executed if b[0] in only}
        got = {b for b in got if b[0] in only}
    else:
        report("order", order, got_order)
    report("bytes", executed, got)
    if stop:
        report("startup bytes", startup, got_startup)
    print(f"functions: {len(order)} bytes: {len(executed)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
