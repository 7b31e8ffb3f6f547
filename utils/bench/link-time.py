#!/usr/bin/env python3
"""Link time of ld.pagelayout against ld.lld: one row of link-time.sh.

Runs two link commands alternately (ld.lld first, then ld.pagelayout, for
N rounds, so both meet the same machine), measuring each run's CPU time
(user + system of the whole command, the compiler driver included) and its
wall time, and prints one Markdown table row: the medians and the ratios.
Every run must succeed; the outputs are compared once the rounds are done
(the two links must give programs that behave alike, which link-time.sh
checks, not the same bytes: the layouts differ).

Usage: link-time.py --rounds N --label TEXT -- LLD_CMD... --- LDPL_CMD...
"""
import argparse
import resource
import statistics
import subprocess
import sys
import time


def children_cpu():
    # getrusage counts in microseconds; os.times() only in clock ticks
    # (10 ms here), too coarse for a link of a few tens of milliseconds.
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd):
    before = children_cpu()
    start = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    cpu = children_cpu() - before
    if r.returncode:
        sys.exit(f"link-time.py: {' '.join(cmd)} failed:\n"
                 f"{r.stderr.decode(errors='replace')[-2000:]}")
    return cpu, wall


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--label", required=True)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    a = p.parse_args()
    rest = a.rest[1:] if a.rest[:1] == ["--"] else a.rest
    if "---" not in rest:
        p.error("expected LLD_CMD... --- LDPL_CMD...")
    cut = rest.index("---")
    cmds = [rest[:cut], rest[cut + 1:]]
    times = [[], []]
    for _ in range(a.rounds):
        for i, cmd in enumerate(cmds):
            times[i].append(run(cmd))
    cpu = [statistics.median(t[0] for t in ts) for ts in times]
    wall = [statistics.median(t[1] for t in ts) for ts in times]
    # Three decimals: a link without LTO takes tens of milliseconds.
    print(f"| {a.label} | {cpu[0]:.3f} | {cpu[1]:.3f} | "
          f"{cpu[1] / cpu[0]:.2f}x | {wall[0]:.3f} | {wall[1]:.3f} | "
          f"{wall[1] / wall[0]:.2f}x |")


if __name__ == "__main__":
    main()
