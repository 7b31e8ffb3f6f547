#!/usr/bin/env python3
"""split-time.sh's report: from the samples judge-time.py kept, each
program's steady time per layout (median CPU seconds, ratio to ld.lld's
default with a 95% interval) and issue 13's question, the split layouts
against the unsplit ld.pagelayout one from the same samples.

A ratio is called noise when it lies within the session's noise of 1: the
default binary timed again (lld-again, copies of its own) shows how far
identical code strays, by its ratio and its interval's reach, and never
less than 2%.

Usage: split-time-report.py ROUNDS COPIES < LINES ("PROGRAM WORKLOAD JSON")"""
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timestats import flat, judge, median_of, median_ratio, noise  # noqa: E402

FLOOR = 0.02
LABELS = {"lld": "ld.lld, default order", "lld-again": "the same, again",
          "ldpl-trace": "ld.pagelayout, whole functions",
          "ldpl-split": "ld.pagelayout + block clusters",
          "ldpl-split-lto": "ld.pagelayout, ThinLTO split in the link"}


def main():
    rounds, copies = sys.argv[1:3]
    rows, verdicts = [], []
    for line in sys.stdin:
        prog, work, path = line.split()
        with open(path) as f:
            s = json.load(f)
        level = noise(s["lld-again"], s["lld"], FLOOR)
        for name in ("lld", "lld-again", "ldpl-trace", "ldpl-split",
                     "ldpl-split-lto"):
            r, lo, hi = median_ratio(s[name], s["lld"])
            vs = "—"
            if name.startswith("ldpl-split"):
                u, ulo, uhi = median_ratio(s[name], s["ldpl-trace"])
                vs = f"{u:.3f} [{ulo:.3f}, {uhi:.3f}]"
                word, side = judge(u, ulo, uhi, level)
                sig = (f", {side} (interval {'below' if side == 'faster' else 'above'} 1)"
                       if side else "")
                verdicts.append(f"- {prog} {work}, {name}: {u:.3f} x unsplit "
                                f"(noise {level:.3f}): {word}{sig}")
            rows.append(f"| {prog} {work} | {LABELS[name]} | "
                        f"{median_of(s[name]):.4f} | "
                        f"{r:.3f} [{lo:.3f}, {hi:.3f}] | {vs} | {len(flat(s[name]))} |")
    print("<!-- written by utils/bench/split-time.sh; do not edit -->")
    print("Steady time of the judge's timed script workloads "
          "(utils/bench/judge-layouts.sh builds and checks the binaries): "
          f"CPU seconds, median over {copies} copies of each binary x "
          f"{rounds} rounds in a shuffled order, one session; intervals are "
          "95% intervals of the ratio of medians, bootstrapped over copies "
          f"and then runs (utils/bench/timestats.py). {os.cpu_count()} cores, "
          f"{datetime.date.today().isoformat()}.")
    print()
    print("| workload | layout | median (s) | vs ld.lld | vs whole functions | samples |")
    print("|---|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    print()
    print("Split against whole functions (issue 13: no worse beyond noise):")
    print()
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
