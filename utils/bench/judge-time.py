#!/usr/bin/env python3
"""Steady-state time of several builds of one program on one workload, as
ratios to the first, from the same session, with a confidence interval.

Why it is built this way: on the VM this project measures on, two files
holding the same bytes run up to 30% apart, and a busy neighbour slows
whatever runs at the time. So:
  - every build is copied COPIES times into a scratch directory (each copy
    is a new file, with page-cache pages of its own), and every copy is
    timed: a build's time is the median over its copies and rounds, not
    the luck of one file;
  - each round runs every copy of every build once, in an order shuffled
    per round (a fixed seed: the schedule is the same in every session),
    so drift and neighbours hit all builds alike;
  - a sample is the CPU time (user + system) the run's processes used,
    which waiting for the CPU does not inflate. A run shorter than 0.1 s is
    mostly exec and dynamic loading: a sample then runs the command K
    times in a row (K from a first run of the reference, the same K for
    all builds) and the time is per run.
The ratio's 95% interval is a two-level bootstrap, over copies and then
runs (timestats.py). Include the reference a second time under another name (a
copy of it) and its ratio shows the session's noise.

Usage: judge-time.py [--rounds N] [--copies C] [--samples FILE] --cwd DIR
       -- ARGS... ::: NAME=BINARY ...
ARGS follow the binary (the first NAME is the reference).
Prints one line per build: "NAME median_seconds ratio low high samples";
--samples writes every sample (JSON: per build, per copy, seconds) for
other comparisons."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timestats import flat, median_of, median_ratio  # noqa: E402


def cpu_run(argv, cwd):
    """CPU seconds (user + system) of one run of argv and its children."""
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            null = os.open(os.devnull, os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        how = (f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status)
               else f"signal {os.WTERMSIG(status)}")
        sys.exit(f"judge-time.py: {' '.join(argv)} failed ({how})")
    return usage.ru_utime + usage.ru_stime


def main():
    a = sys.argv[1:]
    rounds, copies, cwd, samples_path = 5, 3, ".", None
    while a and a[0] != "--":
        if a[0] == "--rounds":
            rounds, a = int(a[1]), a[2:]
        elif a[0] == "--copies":
            copies, a = int(a[1]), a[2:]
        elif a[0] == "--samples":
            samples_path, a = a[1], a[2:]
        elif a[0] == "--cwd":
            cwd, a = a[1], a[2:]
        else:
            sys.exit(f"judge-time.py: unknown option {a[0]}")
    a = a[1:]
    sep = a.index(":::")
    args, builds = a[:sep], [b.split("=", 1) for b in a[sep + 1:]]
    # Next to the work (a noexec /tmp would refuse to run the copies).
    scratch = tempfile.mkdtemp(prefix=".judge-time.", dir=os.path.abspath(cwd))
    try:
        files = {}  # name -> its copies
        # Every copy runs as DIR/bin with DIRs of one length: the program
        # name and the path's length (which moves the initial stack) are
        # the same for all, and a program that reads its name (vim: "r..."
        # is restricted mode) behaves alike.
        for b, (name, binary) in enumerate(builds):
            files[name] = []
            for c in range(copies):
                d = os.path.join(scratch, f"c{c:02d}b{b:03d}")
                os.mkdir(d)
                path = os.path.join(d, "bin")
                shutil.copy2(binary, path)
                files[name].append(path)

        def sample(path, k):
            return sum(cpu_run([path] + args, cwd) for _ in range(k)) / k

        ref = builds[0][0]
        t0 = time.perf_counter()
        sample(files[ref][0], 1)
        first = time.perf_counter() - t0
        k = max(1, min(100, round(0.1 / max(first, 1e-4))))
        # Per build, per copy: the copy is the unit (timestats.py).
        samples = {name: [[] for _ in range(copies)] for name, _ in builds}
        schedule = [(name, c) for name, _ in builds for c in range(copies)]
        rng = random.Random(1)
        for _ in range(rounds):
            order = schedule[:]
            rng.shuffle(order)
            for name, c in order:
                samples[name][c].append(sample(files[name][c], k))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    if samples_path:
        with open(samples_path, "w") as f:
            json.dump(samples, f, indent=0)
    for name, _ in builds:
        ratio, low, high = median_ratio(samples[name], samples[ref])
        print(f"{name} {median_of(samples[name]):.6f} {ratio:.3f} {low:.3f} "
              f"{high:.3f} {len(flat(samples[name]))}")

if __name__ == "__main__":
    main()
