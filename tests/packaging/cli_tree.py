"""The command tree as the real binary shows it in --help, walked recursively.

The man page and completion tests compare the generated files against this, not against the
generator's own model, so a command or option the generator drops (or a hidden one it leaks) fails
them."""
import os
import re
import subprocess

ENV = dict(os.environ, BLASTWALL_DAEMON="0", NO_COLOR="1")


def _help(bw, path):
    r = subprocess.run([bw, *path, "--help"], capture_output=True, text=True, env=ENV, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(path)} --help exited {r.returncode}: {r.stderr}")
    return r.stdout


def parse_help(text):
    """{'options': ['-h', '--help', ...], 'positionals': [...], 'subs': {name: description}}"""
    node = {"options": [], "positionals": [], "subs": {}}
    section = None
    for line in text.splitlines():
        if re.match(r"^(Options|Positionals|Subcommands):$", line):
            section = line[:-1]
            continue
        if not line.strip():
            continue
        if not line.startswith("  "):
            section = None if not line.startswith(" ") else section
            continue
        m = re.match(r"^  (\S+)(.*)$", line)
        if not m or line.startswith("   "):
            continue  # a wrapped description
        first, rest = m.group(1), m.group(2)
        if section == "Options":
            node["options"] += [n for n in first.split(",") if n.startswith("-")]
        elif section == "Positionals":
            node["positionals"].append(first)
        elif section == "Subcommands":
            node["subs"][first] = rest.strip()
    return node


def walk(bw, path=()):
    """{('audit', 'ship'): node, ...} with () for blastwall itself."""
    node = parse_help(_help(bw, list(path)))
    tree = {tuple(path): node}
    for s in node["subs"]:
        tree.update(walk(bw, (*path, s)))
    return tree


def check_tree(tree):
    """The walk itself must have worked, or every later check passes vacuously."""
    problems = []
    if len(tree) < 40:
        problems.append(f"only {len(tree)} commands found in --help")
    for must in [("check",), ("audit", "ship"), ("packs", "add"), ("log", "show"), ("mcp",)]:
        if must not in tree:
            problems.append(f"--help walk did not find {' '.join(must)}")
    if "--ca-file" not in tree.get(("packs", "add"), {}).get("options", []):
        problems.append("--help walk did not find packs add --ca-file")
    return problems
