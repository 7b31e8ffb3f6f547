#!/usr/bin/env python3
"""Prints the best wall time in seconds of several runs of a command, or of
several commands (separated by ':::') run in turn, one round at a time, so
that a machine that slows down or speeds up during the measurement moves
all of them alike (one line per command, in order).

Usage: best-time.py [--runs N] [--digits D] COMMAND ARGS... [::: COMMAND ARGS...]
The commands' output is discarded; a failing run fails the measurement.
Shared by the benchmark scripts so each measures time the same way.
"""
import argparse
import subprocess
import time

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--digits", type=int, default=4)
parser.add_argument("command", nargs=argparse.REMAINDER)
args = parser.parse_args()
words = args.command[1:] if args.command[:1] == ["--"] else args.command
commands = [[]]
for w in words:
    if w == ":::":
        commands.append([])
    else:
        commands[-1].append(w)
if not all(commands):
    parser.error("no command to time")
best = [None] * len(commands)
for _ in range(args.runs):
    for i, command in enumerate(commands):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        best[i] = elapsed if best[i] is None else min(best[i], elapsed)
for b in best:
    print(f"{b:.{args.digits}f}")
