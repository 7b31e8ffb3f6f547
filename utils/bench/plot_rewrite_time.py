#!/usr/bin/env python3
"""Bar chart of rewrite times: pagelayout reorder against llvm-bolt.

Usage: plot_rewrite_time.py OUT.svg LABEL:OURS:BOLT [LABEL:OURS:BOLT ...]
(times in seconds). Each binary gets two bars scaled to BOLT's time, so
binaries of very different sizes share one chart; the labels carry the
seconds and the ratio.
"""
import sys
from xml.sax.saxutils import escape


def svg(rows, width=640, bar=22, gap=14, left=130, right=150):
    height = 44 + len(rows) * (2 * bar + gap + 20)
    span = width - left - right
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="14">'
        "Post-link rewrite time, same binary and order (shorter is faster)</text>",
    ]
    y = 44
    for label, ours, bolt in rows:
        out.append(f'<text x="8" y="{y + 12}" font-weight="bold">'
                   f"{escape(label)}</text>")
        y += 20
        for name, value, colour in (("pagelayout reorder", ours, "#2a7ab9"),
                                    ("llvm-bolt", bolt, "#b0b0b0")):
            length = max(1.0, span * value / bolt)
            out.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" '
                       f'height="{bar}" fill="{colour}"/>')
            out.append(f'<text x="{left - 6}" y="{y + bar - 7}" '
                       f'text-anchor="end">{name}</text>')
            out.append(f'<text x="{left + length + 6:.1f}" y="{y + bar - 7}">'
                       f"{value:.3f} s</text>")
            y += bar
        out.append(f'<text x="{width - 8}" y="{y - bar / 2 + 4}" '
                   f'text-anchor="end" font-weight="bold">'
                   f"{bolt / ours:.1f}x faster</text>")
        y += gap
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    rows = []
    for arg in sys.argv[2:]:
        label, ours, bolt = arg.rsplit(":", 2)
        rows.append((label, float(ours), float(bolt)))
    with open(sys.argv[1], "w") as f:
        f.write(svg(rows))


if __name__ == "__main__":
    main()
