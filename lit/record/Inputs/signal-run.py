#!/usr/bin/env python3
"""Runs a command (pagelayout record ... -- ./service PIDFILE ...) in a
session of its own, waits for the recorded program to write its pid file,
sends it a signal the way the test asks, and reports how it ended:

  record: exit N | record: killed by SIGX | record: still running
  program: gone | program: still running

--to=record    the signal goes to the record process alone
--to=group     to record's process group (kill -SIG -PGID)
--to=terminal  the command runs on a pseudo-terminal and the test types
               Ctrl-C there (the terminal signals its foreground group)
--signal=none  sends nothing (the program stops itself)

Every process is killed at the end, so a failing test leaves none behind.
"""
import argparse
import os
import pty
import signal
import subprocess
import sys
import threading
import time

p = argparse.ArgumentParser()
p.add_argument("--pidfile", required=True)
p.add_argument("--signal", default="INT")
p.add_argument("--to", default="record",
               choices=["record", "group", "terminal"])
p.add_argument("--timeout", type=float, default=20.0)
p.add_argument("command", nargs=argparse.REMAINDER)
a = p.parse_args()
cmd = a.command[1:] if a.command[:1] == ["--"] else a.command


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.02)
    return pred()


master = None
if a.to == "terminal":
    master, slave = pty.openpty()

    def on_terminal():
        os.setsid()
        import fcntl
        import termios
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                            preexec_fn=on_terminal, close_fds=True)
    os.close(slave)
    out = []

    def pump():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                return
            if not data:
                return
            out.append(data)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
else:
    proc = subprocess.Popen(cmd, start_new_session=True)

program = None
if wait_for(lambda: os.path.exists(a.pidfile) or proc.poll() is not None,
            a.timeout) and os.path.exists(a.pidfile):
    with open(a.pidfile) as f:
        program = int(f.read())
    if a.signal != "none":
        sig = getattr(signal, "SIG" + a.signal)
        if a.to == "record":
            os.kill(proc.pid, sig)
        elif a.to == "group":
            os.killpg(proc.pid, sig)
        else:
            os.write(master, b"\x03")
else:
    print("signal-run: the program wrote no pid file", flush=True)

try:
    proc.wait(timeout=a.timeout)
except subprocess.TimeoutExpired:
    pass
if master is not None:
    if proc.poll() is not None:
        reader.join(timeout=2)
    sys.stdout.write(b"".join(out).decode(errors="replace").replace("\r\n", "\n"))
if proc.returncode is None:
    print("record: still running", flush=True)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
elif proc.returncode < 0:
    print("record: killed by " + signal.Signals(-proc.returncode).name)
else:
    print("record: exit %d" % proc.returncode)

if program is not None:
    def alive():
        try:
            os.kill(program, 0)
        except ProcessLookupError:
            return False
        # A zombie nobody reaped yet is not running.
        try:
            with open("/proc/%d/stat" % program) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    # A program that got the signal may take a moment to die; one nobody
    # signalled runs on (for 30 s).
    gone = wait_for(lambda: not alive(), 1.0)
    print("program: " + ("gone" if gone else "still running"), flush=True)
    if not gone:
        os.kill(program, signal.SIGKILL)
