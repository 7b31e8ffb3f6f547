#!/usr/bin/env python3
"""Steady-state time of several builds of one program on one workload, as
ratios to the first, from the same session: ROUNDS rounds, each running
every build once in a rotated order (so drift and a busy neighbour hit
all builds alike); per build the best wall time of its runs. A run
shorter than 0.1 s is mostly exec and dynamic loading: each sample then
runs the command K times in a row (K from a first run of the reference,
the same K for all builds) and the time is per run.

Usage: judge-time.py --rounds N --cwd DIR -- ARGS... ::: NAME=BINARY ...
ARGS follow the binary (the first NAME is the reference).
Prints one line per build: "NAME best_seconds ratio"."""
import subprocess
import sys
import time


def main():
    a = sys.argv[1:]
    rounds, cwd = 5, "."
    while a and a[0] != "--":
        if a[0] == "--rounds":
            rounds, a = int(a[1]), a[2:]
        elif a[0] == "--cwd":
            cwd, a = a[1], a[2:]
        else:
            sys.exit(f"judge-time.py: unknown option {a[0]}")
    a = a[1:]
    sep = a.index(":::")
    args, builds = a[:sep], [b.split("=", 1) for b in a[sep + 1:]]
    best = {name: None for name, _ in builds}

    def sample(binary, k):
        t0 = time.perf_counter()
        for _ in range(k):
            subprocess.run([binary] + args, cwd=cwd, check=True, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return (time.perf_counter() - t0) / k

    k = max(1, min(100, round(0.1 / sample(builds[0][1], 1))))
    for r in range(rounds):
        for i in range(len(builds)):
            name, binary = builds[(i + r) % len(builds)]
            t = sample(binary, k)
            best[name] = t if best[name] is None else min(best[name], t)
    ref = best[builds[0][0]]
    for name, _ in builds:
        print(f"{name} {best[name]:.6f} {best[name] / ref:.3f}")


if __name__ == "__main__":
    main()
