#!/usr/bin/env python3
"""Print a corpus's per-category figures as the two-column Markdown table README.md uses.

Usage: tools/corpus_table.py build/blastwall rules/corpus/independent
"""
import json
import subprocess
import sys


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out = subprocess.run([sys.argv[1], "corpus", sys.argv[2], "--json"],
                         capture_output=True, text=True, check=False).stdout
    rates = json.loads(out.strip().splitlines()[-2])  # last line is "N passed, M failed"
    cats = sorted(rates["categories"].items())
    half = (len(cats) + 1) // 2
    cell = lambda c: (f"{c[0]} | {c[1]['detected']}/{c[1]['risky']} | "
                      f"{c[1]['false_positives']}/{c[1]['benign']}")
    print("| category | risky caught | benign asked | category | risky caught | benign asked |")
    print("|---|---|---|---|---|---|")
    for i in range(half):
        right = cell(cats[half + i]) if half + i < len(cats) else " | | "
        print(f"| {cell(cats[i])} | {right} |")
    print(f"\ndetection {rates['detection'] * 100:.2f} % "
          f"({sum(c['detected'] for _, c in cats)}/{rates['risky']}), false positives "
          f"{rates['false_positive_rate'] * 100:.2f} % "
          f"({sum(c['false_positives'] for _, c in cats)}/{rates['benign']}), "
          f"expect mismatches {rates['expect_mismatches']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
