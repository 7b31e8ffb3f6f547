#!/usr/bin/env python3
"""Turns judge-layouts.sh's measurements into the markdown tables of
docs/bench/judge-layouts.md and the SVG chart beside it (standard library
only), and checks issue #12's goal for each workload: pagelayout's best
layout touches at most 1.05 x its span bound and strictly fewer pages than
every other tool's layout, runs no slower than the default beyond noise
(NOISE below), and its file is no larger.

Usage: judge-report.py JUDGE_DIR OUT.md OUT.svg PROGRAM..."""
import datetime
import json
import os
import sys
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timestats import judge, median_ratio, noise  # noqa: E402

LAYOUTS = [
    ("lld", "ld.lld, default order"),
    ("lld-order", "ld.lld --symbol-ordering-file (first-execution order)"),
    ("lld-bp", "ld.lld --bp-startup-sort=function (temporal IR PGO)"),
    ("lld-cdsort", "ld.lld --call-graph-profile-sort=cdsort"),
    ("bolt", "BOLT (perf, cdsort, split)"),
    ("ldpl-trace", "ld.pagelayout, trace profile"),
    ("ldpl-inst", "ld.pagelayout, instrumented profile"),
    ("re-trace", "pagelayout reorder, trace profile"),
    ("re-inst", "pagelayout reorder, instrumented profile"),
    ("ldpl-split", "ld.pagelayout + block clusters, trace profile"),
    ("ldpl-split-lto", "ld.pagelayout, ThinLTO split in the link, trace profile"),
]
PAGELAYOUT = {"ldpl-trace", "ldpl-inst", "re-trace", "re-inst", "ldpl-split",
              "ldpl-split-lto"}
# Noise: the default binary timed a second time (a copy, "lld-again") in
# the same session; a ratio within timestats.noise() of 1 is noise, at
# least NOISE.
NOISE = 0.02
COLOURS = {"lld": "#b0b0b0", "lld-order": "#8c8c8c", "lld-bp": "#6f6f6f",
           "lld-cdsort": "#555555", "bolt": "#d9822b",
           "ldpl-trace": "#2a7ab9", "ldpl-inst": "#6aa6d6",
           "re-trace": "#2e8b57", "re-inst": "#7cc49a",
           "ldpl-split": "#7b3fa0", "ldpl-split-lto": "#b07cc6"}


def read_kv(path):
    d = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                d[k] = v
    return d


def load(judge, programs):
    rows = []  # (program, workload, {layout: result})
    for p in programs:
        pdir = os.path.join(judge, p)
        if not os.path.isdir(pdir):
            continue
        for w in sorted(os.listdir(pdir), key=lambda w: (w != "startup", w)):
            wdir = os.path.join(pdir, w)
            if not os.path.isfile(os.path.join(wdir, "lld", "result")):
                continue
            res = {}
            for l, _ in LAYOUTS:
                res[l] = read_kv(os.path.join(wdir, l, "result"))
            tpath = os.path.join(wdir, "time.txt")
            if os.path.exists(tpath):
                for line in open(tpath):
                    # NAME SECONDS RATIO [LOW HIGH SAMPLES]
                    f = line.split()
                    res.setdefault(f[0], {})
                    res[f[0]]["time"] = float(f[1])
                    res[f[0]]["ratio"] = float(f[2])
                    if len(f) >= 5:
                        res[f[0]]["ratio_ci"] = (float(f[3]), float(f[4]))
            spath = os.path.join(wdir, "time.json")
            if os.path.exists(spath):
                with open(spath) as f:
                    for name, samples in json.load(f).items():
                        res.setdefault(name, {})["samples"] = samples
            cmd = ""
            for line in open(os.path.join(judge, p, "workloads.txt")) \
                    if os.path.exists(os.path.join(judge, p, "workloads.txt")) else []:
                name, run, timed = (line.rstrip("\n").split("|") + [""])[:3]
                if name == w:
                    cmd = f"`{run}`" + (f"; timed: `{timed}`" if timed else "")
            rows.append((p, w, cmd, res))
    return rows


def num(r, k):
    return int(r[k]) if k in r and r[k].lstrip("-").isdigit() else None


def time_cell(r):
    if "ratio" not in r:
        return "—"
    if "ratio_ci" not in r:
        return f"{r['ratio']:.3f}"
    return f"{r['ratio']:.3f} [{r['ratio_ci'][0]:.3f}, {r['ratio_ci'][1]:.3f}]"


def noise_of(res):
    """How far from 1 a ratio may lie and still be noise (timestats.noise):
    from the samples of the default timed again where they were kept, else
    from its ratio and interval as printed."""
    again, ref = res.get("lld-again", {}), res.get("lld", {})
    if "samples" in again and "samples" in ref:
        return noise(again["samples"], ref["samples"], NOISE)
    n = max(NOISE, abs(again.get("ratio", 1) - 1))
    if "ratio_ci" in again:
        n = max(n, 1 - again["ratio_ci"][0], again["ratio_ci"][1] - 1)
    return n


def split_time(res):
    """Issue #13's steady-time goal: each split layout against the unsplit
    one (ld.pagelayout, trace profile), from the same samples."""
    base = res.get("ldpl-trace", {}).get("samples")
    if not base:
        return None
    level = noise_of(res)
    parts = []
    for l in ("ldpl-split", "ldpl-split-lto"):
        samples = res.get(l, {}).get("samples")
        if not samples:
            continue
        ratio, low, high = median_ratio(samples, base)
        word, side = judge(ratio, low, high, level)
        sig = f" ({side}: interval {'below' if side == 'faster' else 'above'} 1)" if side else ""
        parts.append(f"{l} {ratio:.3f} [{low:.3f}, {high:.3f}] x unsplit, "
                     f"{word}{sig}")
    return ("steady time against the unsplit ld.pagelayout layout "
            f"(noise {level:.3f}): " + "; ".join(parts)) if parts else None


def verdict(res):
    """Issue #12's goal for one workload, for pagelayout's best layout."""
    ok = {l: r for l, r in res.items() if r.get("status") == "same"
          and num(r, "pages") is not None}
    ours = [l for l in ok if l in PAGELAYOUT]
    others = [l for l in ok if l not in PAGELAYOUT]
    if not ours:
        return "no pagelayout layout built and behaved as the default"
    best = min(ours, key=lambda l: (num(ok[l], "pages"), l))
    r = ok[best]
    pages, span = num(r, "pages"), num(r, "span")
    rival = min(others, key=lambda l: num(ok[l], "pages")) if others else None
    parts = [f"best pagelayout layout {best}: {pages} pages"]
    limit = 1.05 * span
    parts.append(f"{'meets' if pages <= limit else 'misses'} <= 1.05 x span "
                 f"bound ({span} -> {limit:.1f})")
    if rival:
        rp = num(ok[rival], "pages")
        parts.append(f"{'fewer than' if pages < rp else 'not fewer than'} "
                     f"every other tool (best other: {rival}, {rp})")
    level = noise_of(res)
    if "ratio" in r:
        parts.append(f"time {r['ratio']:.3f} x default, noise {level:.3f} "
                     f"({'ok' if r['ratio'] <= 1 + level else 'slower'})")
    # Sizes stripped: reorder's input and output keep --emit-relocs
    # relocations, which nothing loads.
    size, dsize = num(r, "stripped"), num(res["lld"], "stripped")
    if size is not None and dsize is not None:
        parts.append(f"file {'no larger' if size <= dsize else 'larger'} "
                     f"({size - dsize:+d} bytes stripped vs ld.lld)")
    met = (pages <= limit and (not rival or pages < num(ok[rival], "pages"))
           and r.get("ratio", 1) <= 1 + level and size <= dsize)
    return ("MET: " if met else "missed: ") + "; ".join(parts)


def table(rows, judge):
    out = []
    for p in dict.fromkeys(r[0] for r in rows):
        out.append(f"### {p}\n")
        out.append("| workload | layout | text pages touched | instruction bound | "
                   "span bound | touched / span | cold-start major faults | "
                   "pages read cold | "
                   "steady time vs ld.lld | file bytes | stripped bytes | "
                   "behaves as default |")
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for prog, w, cmd, res in rows:
            if prog != p:
                continue
            for l, label in LAYOUTS:
                r = res[l]
                pages, span = num(r, "pages"), num(r, "span")
                cells = [f"{w}" + (f" ({cmd})" if cmd and l == "lld" else ""),
                         label,
                         str(pages) if pages is not None else "—",
                         r.get("instr", "—"), r.get("span", "—"),
                         f"{pages / span:.2f}" if pages and span else "—",
                         r.get("majflt", "—"), r.get("readin", "—"),
                         time_cell(r),
                         r.get("size", "—"), r.get("stripped", "—"),
                         r.get("status", "not run")]
                out.append("| " + " | ".join(cells) + " |")
        out.append("")
        for prog, w, cmd, res in rows:
            if prog == p:
                again = res.get("lld-again", {}).get("ratio")
                again_note = (f" (the default timed again: {again:.3f})"
                              if again else "")
                out.append(f"- **{w}**{again_note}: {verdict(res)}")
                st = split_time(res)
                if st:
                    out.append(f"- **{w}**, split: {st}")
        out.append("")
    return "\n".join(out)


def summary(rows):
    """Pages touched, one row per workload, one column per layout."""
    short = {"lld": "lld", "lld-order": "lld order file",
             "lld-bp": "lld bp-startup", "lld-cdsort": "lld cdsort",
             "bolt": "BOLT", "ldpl-trace": "ld.pagelayout trace",
             "ldpl-inst": "ld.pagelayout instr.",
             "re-trace": "reorder trace", "re-inst": "reorder instr.",
             "ldpl-split": "ld.pagelayout split",
             "ldpl-split-lto": "ld.pagelayout split LTO"}
    out = ["| workload | span bound | instr. bound | " +
           " | ".join(short[l] for l, _ in LAYOUTS) + " |",
           "|---|---:|---:|" + "---:|" * len(LAYOUTS)]
    for p, w, _, res in rows:
        cells = [f"{p} {w}", res["lld"].get("span", "—"),
                 res["lld"].get("instr", "—")]
        for l, _ in LAYOUTS:
            r = res[l]
            if r.get("status") == "same" and "pages" in r:
                cells.append(r["pages"])
            elif r.get("status", "").startswith("build failed"):
                cells.append("build failed")
            else:
                cells.append("differs" if "status" in r else "—")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def svg(rows, width=760, bar=11, left=300):
    groups = [(f"{p} {w}", res) for p, w, _, res in rows]
    height = 60 + sum(22 + len(LAYOUTS) * bar + 10 for _ in groups) + 30
    span = width - left - 60
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
         f'height="{height}" font-family="sans-serif" font-size="10">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">'
         "Text pages touched per layout (valgrind lackey; shorter is better; "
         "each workload on its own scale)"
         "</text>",
         f'<text x="{width / 2}" y="36" text-anchor="middle">black tick: '
         "that binary's span bound; grey tick: its instruction bound</text>"]
    y = 52
    for name, res in groups:
        # Each workload on its own scale: its longest bar spans the width.
        vmax = max([num(r, "pages") or 0 for r in res.values()] + [1])
        o.append(f'<text x="8" y="{y + 12}" font-weight="bold" '
                 f'font-size="12">{escape(name)}</text>')
        y += 18
        for l, label in LAYOUTS:
            r = res[l]
            pages = num(r, "pages")
            o.append(f'<text x="{left - 6}" y="{y + bar - 2}" '
                     f'text-anchor="end">{escape(label)}</text>')
            if pages is None or r.get("status") != "same":
                o.append(f'<text x="{left + 4}" y="{y + bar - 2}" fill="#b00">'
                         f'{escape(r.get("status", "not run")[:60])}</text>')
            else:
                length = max(1.0, span * pages / vmax)
                o.append(f'<rect x="{left}" y="{y + 1}" width="{length:.1f}" '
                         f'height="{bar - 2}" fill="{COLOURS[l]}"/>')
                o.append(f'<text x="{left + length + 4:.1f}" y="{y + bar - 2}">'
                         f"{pages}</text>")
                for key, colour in (("span", "black"), ("instr", "#999")):
                    v = num(r, key)
                    if v:
                        x = left + span * v / vmax
                        o.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" '
                                 f'y2="{y + bar}" stroke="{colour}" '
                                 'stroke-width="2"/>')
            y += bar
        y += 14
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    judge, md, svg_path = sys.argv[1:4]
    rows = load(judge, sys.argv[4:])
    text = [
        "<!-- written by utils/bench/judge-layouts.sh; do not edit -->",
        "Layouts of the same release objects (clang-22 -O2 -ffunction-sections "
        "-fdata-sections, non-PIE), each profiled on the workload it is "
        "judged on. Pages: distinct 4 KiB pages of the executable segments "
        "holding an executed byte (valgrind lackey --vex-guest-chase=no); "
        "bounds from the same trace and that binary's symbols "
        "(utils/bench/judge-oracle.py). Major faults: median of runs with the "
        "binary evicted from the page cache. Steady time: script workloads, "
        "CPU time, median over 3 copies of each binary (files of their own) "
        "and rounds in a shuffled order, one session (utils/bench/"
        "judge-time.py); ratio to ld.lld's default order with its 95% "
        f"bootstrap interval. {os.cpu_count()} cores shared, "
        f"{datetime.date.today().isoformat()}.",
        "",
        "## Text pages touched (summary)",
        "",
        summary(rows),
        "Bounds are the ld.lld binary's; each binary's own are in the tables "
        "below (BOLT's split functions lower its span bound).",
        "",
        "## Per program",
        "",
        table(rows, judge),
    ]
    with open(md, "w") as f:
        f.write("\n".join(text))
    with open(svg_path, "w") as f:
        f.write(svg(rows))


if __name__ == "__main__":
    main()
