#!/usr/bin/env python3
"""Prints the best wall time in seconds of several runs of a command.

Usage: best-time.py [--runs N] [--digits D] COMMAND ARGS...
The command's output is discarded; a failing run fails the measurement.
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
command = args.command[1:] if args.command[:1] == ["--"] else args.command
if not command:
    parser.error("no command to time")
best = None
for _ in range(args.runs):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.{args.digits}f}")
