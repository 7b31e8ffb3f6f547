#!/usr/bin/env python3
"""An lld --symbol-ordering-file in exact first-execution order, from a
`pagelayout record --mode=trace` profile: its first trace lists every
function that ran in the order each first ran (functions of a profile
without traces: by first_call_ns). The names are the binary's symbols.

Usage: judge-order.py PROFILE.yaml > order.txt"""
import sys

import yaml

profile = yaml.safe_load(open(sys.argv[1]))
traces = profile.get("traces") or []
if traces:
    t = traces[0]
    names = t["functions"] if isinstance(t, dict) else t
else:
    fs = [f for f in profile.get("functions", []) if "first_call_ns" in f]
    names = [f["name"] for f in sorted(fs, key=lambda f: f["first_call_ns"])]
seen = set()
for n in names:
    if n not in seen:
        seen.add(n)
        print(n)
