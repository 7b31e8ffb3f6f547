#!/usr/bin/env python3
"""Turns Google Benchmark JSON of pagelayout-plan-bench into a Markdown
table and an SVG line plot (standard library only, no matplotlib)."""
import json
import sys


def load(path):
    with open(path) as f:
        data = json.load(f)
    rows = []
    for b in data["benchmarks"]:
        atoms, edges = (int(x) for x in b["name"].split("/")[1:3])
        rows.append({
            "atoms": atoms, "edges": edges,
            "ms": b["real_time"], "unit": b["time_unit"],
            "pages": int(b.get("startup_pages", 0)),
            "bound": int(b.get("startup_bound", 0)),
            "input_pages": int(b.get("input_startup_pages", 0)),
        })
    return data["context"], rows


def table(context, rows):
    lines = [
        "| atoms | edges | plan time (ms) | startup pages | function bound | input order |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['atoms']:,} | {r['edges']:,} | {r['ms']:.0f} | "
                     f"{r['pages']:,} | {r['bound']:,} | {r['input_pages']:,} |")
    lines.append("")
    lines.append(f"Machine: {context.get('num_cpus')} CPUs at "
                 f"{context.get('mhz_per_cpu')} MHz; run {context.get('date')}.")
    return "\n".join(lines) + "\n"


def svg(rows, width=560, height=320, pad=56):
    xmax = max(r["atoms"] for r in rows)
    ymax = max(max(r["ms"] for r in rows), 2000) * 1.1
    def x(v): return pad + (width - 2 * pad) * v / xmax
    def y(v): return height - pad - (height - 2 * pad) * v / ymax
    pts = " ".join(f"{x(r['atoms']):.1f},{y(r['ms']):.1f}" for r in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width/2}" y="20" text-anchor="middle" font-size="14">pagelayout plan time vs program size (5 edges per atom)</text>',
        f'<line x1="{pad}" y1="{height-pad}" x2="{width-pad}" y2="{height-pad}" stroke="black"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height-pad}" stroke="black"/>',
        f'<line x1="{pad}" y1="{y(2000):.1f}" x2="{width-pad}" y2="{y(2000):.1f}" stroke="red" stroke-dasharray="4,3"/>',
        f'<text x="{width-pad}" y="{y(2000)-4:.1f}" text-anchor="end" fill="red">2 s target</text>',
        f'<polyline points="{pts}" fill="none" stroke="steelblue" stroke-width="2"/>',
    ]
    for r in rows:
        parts.append(f'<circle cx="{x(r["atoms"]):.1f}" cy="{y(r["ms"]):.1f}" r="3" fill="steelblue"/>')
        parts.append(f'<text x="{x(r["atoms"]):.1f}" y="{y(r["ms"])-8:.1f}" text-anchor="middle">{r["ms"]:.0f} ms</text>')
        parts.append(f'<text x="{x(r["atoms"]):.1f}" y="{height-pad+16}" text-anchor="middle">{r["atoms"]//1000}k</text>')
    parts.append(f'<text x="{width/2}" y="{height-12}" text-anchor="middle">atoms (functions)</text>')
    parts.append(f'<text x="16" y="{height/2}" transform="rotate(-90 16 {height/2})" text-anchor="middle">milliseconds</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    context, rows = load(sys.argv[1])
    rows.sort(key=lambda r: r["atoms"])
    out = sys.argv[2]
    with open(f"{out}/plan-time.md", "w") as f:
        f.write(table(context, rows))
    with open(f"{out}/plan-time.svg", "w") as f:
        f.write(svg(rows))


if __name__ == "__main__":
    main()
