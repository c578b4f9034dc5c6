#!/usr/bin/env python3
"""Generated shell completions against the real binary's --help tree.

bash: the script is sourced and _blastwall driven with COMP_WORDS/COMP_CWORD for every command
(subcommands, then every long option; hidden ones must not appear), plus option values (IsMember
choices, files, directories), `--opt=value` splitting and the server command after `--`.
fish: `complete -C` on the sourced script. zsh: `zsh -n`, and one function per command.

usage: completions.py BLASTWALL COMPLETION_DIR"""
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import cli_tree  # noqa: E402

bw, cdir = sys.argv[1], sys.argv[2]
bash_file = os.path.join(cdir, "blastwall.bash")
fish_file = os.path.join(cdir, "blastwall.fish")
zsh_file = os.path.join(cdir, "_blastwall")
tree = cli_tree.walk(bw)
fails = cli_tree.check_tree(tree)
work = tempfile.mkdtemp(prefix="bw-compl-")
open(os.path.join(work, "alpha.yaml"), "w").close()
os.mkdir(os.path.join(work, "beta"))

# ---- bash: one shell runs every case; each prints its COMPREPLY between markers.
cases = []  # (label, words, expected set or callable)
for path, node in tree.items():
    words = ["blastwall", *path]
    if node["subs"]:
        cases.append((f"subcommands of '{' '.join(path)}'", words + [""], set(node["subs"])))
    longs = {o for o in node["options"] if o.startswith("--")}
    cases.append((f"options of '{' '.join(path)}'", words + ["--"], longs))
cases += [
    ("prefix of a command", ["blastwall", "au"], {"audit"}),
    ("global option value skipped", ["blastwall", "--audit-db", "x.db", "au"], {"audit"}),
    ("IsMember values", ["blastwall", "log", "--decision", ""], {"allow", "ask", "deny"}),
    ("--opt=value split by COMP_WORDBREAKS", ["blastwall", "log", "--decision", "=", "a"],
     {"allow", "ask"}),
    ("FILE option completes files", ["blastwall", "check", "--action", "al"], {"alpha.yaml"}),
    ("DIR option completes directories only", ["blastwall", "check", "--cwd", ""], {"beta"}),
    ("file positional", ["blastwall", "rules", "test", "al"], {"alpha.yaml"}),
    ("nested option value", ["blastwall", "audit", "ship", "--config", "al"], {"alpha.yaml"}),
    ("export --format values", ["blastwall", "audit", "export", "--format", ""], {"jsonl", "csv"}),
    ("hidden subcommand not offered", ["blastwall", "audit", "sel"], set()),
    ("hidden option not offered", ["blastwall", "audit", "ship", "--par"], set()),
    ("server command after --", ["blastwall", "mcp", "--", "bas"], lambda r: "bash" in r),
    ("blastwall-core completes too", ["blastwall-core", "pa"], {"packs"}),
]
script = [f"source {shlex.quote(bash_file)}", f"cd {shlex.quote(work)}"]
for i, (_, words, _) in enumerate(cases):
    script.append("COMP_WORDS=(" + " ".join(shlex.quote(w) for w in words) + ")")
    script.append(f"COMP_CWORD={len(words) - 1}; COMPREPLY=()")
    script.append(f"{'_blastwall'} {shlex.quote(words[0])} {shlex.quote(words[-1])} "
                  f"{shlex.quote(words[-2])}")
    script.append(f"echo '@@{i}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
script.append("echo '@@end'")
r = subprocess.run(["bash", "--norc", "--noprofile", "-c", "\n".join(script)], capture_output=True,
                   text=True, timeout=120)
if r.returncode != 0 or r.stderr.strip():
    fails.append(f"bash: rc {r.returncode}: {r.stderr.strip()[:500]}")
chunks = {}
cur = None
for line in r.stdout.splitlines():
    if line.startswith("@@"):
        cur = line[2:]
        chunks[cur] = set()
    elif cur is not None and line:
        chunks[cur].add(line)
for i, (label, words, want) in enumerate(cases):
    got = chunks.get(str(i))
    if got is None:
        fails.append(f"bash {label}: no answer")
    elif callable(want):
        if not want(got):
            fails.append(f"bash {label}: got {sorted(got)[:10]}")
    elif got != want:
        fails.append(f"bash {label} ({' '.join(words)}): missing {sorted(want - got)}, "
                     f"extra {sorted(got - want)}")

# ---- fish
r = subprocess.run(["fish", "-n", fish_file], capture_output=True, text=True)
if r.returncode != 0:
    fails.append(f"fish -n: {r.stderr.strip()}")


def fish_complete(line):
    r = subprocess.run(["fish", "--no-config", "-c",
                        f"source {shlex.quote(fish_file)}; cd {shlex.quote(work)}; "
                        f"complete -C {shlex.quote(line)}"],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0 or r.stderr.strip():
        fails.append(f"fish complete -C '{line}': {r.stderr.strip()}")
    return {ln.split("\t")[0] for ln in r.stdout.splitlines() if ln}


for line, want in [
    ("blastwall ", set(tree[()]["subs"])),
    ("blastwall audit ", set(tree[("audit",)]["subs"])),
    ("blastwall packs ", set(tree[("packs",)]["subs"])),
    ("blastwall --audit-db x.db log ", set(tree[("log",)]["subs"])),
    ("blastwall audit ship --", {o for o in tree[("audit", "ship")]["options"]
                                 if o.startswith("--")}),
    ("blastwall log --decision ", {"allow", "ask", "deny"}),
    ("blastwall check --action al", {"alpha.yaml"}),
    ("blastwall-core audit ", set(tree[("audit",)]["subs"])),
]:
    got = fish_complete(line)
    if got != want:
        fails.append(f"fish '{line}': missing {sorted(want - got)}, extra {sorted(got - want)}")

# ---- zsh
r = subprocess.run(["zsh", "-n", zsh_file], capture_output=True, text=True)
if r.returncode != 0:
    fails.append(f"zsh -n: {r.stderr.strip()}")
first = open(zsh_file).readline().strip()
if first != "#compdef blastwall blastwall-core":
    fails.append(f"_blastwall starts with {first!r}")
r = subprocess.run(["zsh", "-f", "-c",
                    f"source {shlex.quote(zsh_file)} >/dev/null 2>&1; "
                    "print -l ${(k)functions[(I)_blastwall_cmd*]}"],
                   capture_output=True, text=True)
funcs = set(r.stdout.split())
if len(funcs) != len(tree):
    fails.append(f"zsh: {len(funcs)} command functions for {len(tree)} commands")
zsh_text = open(zsh_file).read()
for path, node in tree.items():
    for o in node["options"]:
        if o not in zsh_text:
            fails.append(f"zsh: option {o} of '{' '.join(path)}' missing")
if "--parent-pid" in zsh_text or "selftest" in zsh_text:
    fails.append("zsh: a hidden option or command leaked")

for f in fails:
    print("FAIL -", f)
print(f"{len(tree)} commands, {len(cases)} bash cases, {len(fails)} problems")
sys.exit(1 if fails else 0)
