#!/usr/bin/env bash
# Whole-process timing of `blastwall check` with hyperfine (audit off). With a resident engine
# running this times the front; bench/resident.sh compares served, in-process and the floors.
# Usage: bash bench/check.sh PATH/TO/blastwall
set -euo pipefail
bin=${1:?usage: check.sh BLASTWALL}
command -v hyperfine >/dev/null || { echo "hyperfine missing (apt-get install hyperfine)"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
# check exits 1/2 for ask/deny by design, hence --ignore-failure. /bin/true is the floor: what a
# fork+exec costs on this machine at all.
hyperfine -N --warmup 20 --runs 300 --ignore-failure --export-json "$tmp/check.json" \
  "/bin/true" \
  "$bin --version" \
  "$bin check --no-audit 'git status'" \
  "$bin check --no-audit 'rm -rf ~'" \
  "$bin check --no-audit 'kubectl --context prod delete deploy api'"
python3 - "$tmp/check.json" <<'PY'
import json, sys, statistics
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(x * 1000 for x in r["times"])
    p = lambda q: t[min(len(t) - 1, int(q * len(t)))]
    print(f'{r["command"]}: median {statistics.median(t):.2f} ms, p95 {p(0.95):.2f} ms, p99 {p(0.99):.2f} ms')
PY
