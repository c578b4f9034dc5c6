#!/usr/bin/env python3
"""Generated man pages: one per command the binary has, each renders without a groff warning and
names every option, argument and subcommand of its command; no page for hidden commands.

usage: man_pages.py BLASTWALL MAN_DIR"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_tree  # noqa: E402

bw, man_dir = sys.argv[1], sys.argv[2]
tree = cli_tree.walk(bw)
fails = cli_tree.check_tree(tree)


def page(path):
    return "blastwall" + "".join("-" + w for w in path)


expected = {page(p) + ".1" for p in tree} | {"blastwall-core.1"}
present = {f for f in os.listdir(man_dir) if f.endswith(".1")}
for f in sorted(expected - present):
    fails.append(f"no man page {f}")
for f in sorted(present - expected):
    fails.append(f"man page {f} for a command --help does not show")

for path, node in sorted(tree.items()):
    f = os.path.join(man_dir, page(path) + ".1")
    if not os.path.exists(f):
        continue
    warn = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", f], capture_output=True,
                          text=True)
    if warn.returncode != 0 or warn.stderr.strip():
        fails.append(f"{page(path)}.1: groff: {warn.stderr.strip() or warn.returncode}")
    # ASCII rendering without overstriking, so `\-\-name` reads as --name.
    text = subprocess.run(["groff", "-man", "-Tascii", "-P-cbou", f], capture_output=True,
                          text=True).stdout
    # groff breaks lines after a hyphen (blastwall-audit-\n ship(1)): join those back.
    joined = re.sub(r"-\n\s+", "-", text).replace("\n", " ")
    words = set(text.replace(",", " ").replace("[", " ").replace("]", " ").split())
    for o in node["options"]:
        if o not in words:
            fails.append(f"{page(path)}.1 does not name option {o}")
    for p in node["positionals"]:
        if p not in words:
            fails.append(f"{page(path)}.1 does not name argument {p}")
    for s in node["subs"]:
        if s not in words or page((*path, s)) + "(1)." not in joined:
            fails.append(f"{page(path)}.1 does not list subcommand {s} with its page")
    for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"]:
        if f"\n{section}\n" not in text:
            fails.append(f"{page(path)}.1 has no {section} section")

# Footers that state exit codes become EXIT STATUS.
check_text = subprocess.run(["groff", "-man", "-Tascii", "-P-cbou",
                             os.path.join(man_dir, "blastwall-check.1")],
                            capture_output=True, text=True).stdout
if "EXIT STATUS" not in check_text or "2 deny" not in check_text:
    fails.append("blastwall-check.1 has no EXIT STATUS with the deny code")
# man itself finds and renders a page (what a user runs).
r = subprocess.run(["man", "--warnings", "-l", os.path.join(man_dir, "blastwall-audit-ship.1")],
                   capture_output=True, text=True, env=dict(os.environ, MANPAGER="cat",
                                                           MANWIDTH="80"))
if r.returncode != 0 or r.stderr.strip() or "--follow" not in r.stdout.replace("\u2010", "-"):
    fails.append(f"man --warnings -l blastwall-audit-ship.1: rc {r.returncode} {r.stderr.strip()}")

for f in fails:
    print("FAIL -", f)
print(f"{len(tree)} commands, {len(fails)} problems")
sys.exit(1 if fails else 0)
