#!/usr/bin/env python3
"""Cold-start major page faults of one command: before each run the binary
is written back and dropped from the page cache (fsync, then
posix_fadvise(POSIX_FADV_DONTNEED) over the whole file), so every page of
it the run needs is read from disk again; the run's ru_majflt (wait4) is
its count. Shared libraries stay cached: the number is the binary's own
cost. A fault reads ahead (128 KiB here), so a small binary costs one or
two faults however it is laid out; the pages of the binary in the page
cache after the run (fincore) say how much of it was read. Prints the
median fault count of RUNS runs, every run's count, and "readin=" the
median of the pages read.

Usage: judge-faults.py [--runs N] BINARY ARGS...  (stdout/stderr dropped)"""
import os
import statistics
import subprocess
import sys


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def main():
    args = sys.argv[1:]
    runs = 5
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    counts, resident = [], []
    for _ in range(runs):
        evict(args[0])
        p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(p.pid, 0)
        counts.append(usage.ru_majflt)
        resident.append(int(subprocess.run(
            ["fincore", "--noheadings", "--raw", "--output", "PAGES", args[0]],
            capture_output=True, text=True, check=True).stdout.split()[0]))
    print(int(statistics.median(counts)), " ".join(map(str, counts)),
          f"readin={int(statistics.median(resident))}")


if __name__ == "__main__":
    main()
