#!/usr/bin/env bash
# Dashboard first paint with a large audit log (issue #10: <= 200 ms with 100,000 rows).
# Writes ROWS synthetic actions (audit selftest-write --vary: a realistic mix of agents, sessions,
# decisions and facts), starts `blastwall ui` on a free loopback port and measures cold page loads
# in Debian's headless Chromium (bench/ui_paint.mjs).
# usage: bench/ui.sh [BLASTWALL] [ROWS] [RUNS]     e.g. bench/ui.sh build/blastwall 100000 15
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "${1:-$root/build/blastwall}")
rows=${2:-100000}
runs=${3:-15}
[ -d "$root/tests/e2e/node_modules/puppeteer-core" ] || (cd "$root/tests/e2e" && npm ci --no-audit --no-fund)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_STATE_HOME="$work/state"
mkdir -p "$HOME"
db="$work/audit.db"
start=$(date +%s.%N)
"$bin" --audit-db "$db" audit selftest-write --n "$rows" --batch 1000 --vary >/dev/null
printf 'wrote %s rows in %.1f s (%s)\n' "$rows" "$(echo "$(date +%s.%N) - $start" | bc)" \
  "$(du -h "$db" | cut -f1)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
node "$root/bench/ui_paint.mjs" "$bin" "$db" "$runs"
