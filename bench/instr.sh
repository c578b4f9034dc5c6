#!/usr/bin/env bash
# Instructions per warm Engine::evaluate, counted by callgrind (load-independent; docs/PERFORMANCE.md).
#   bash bench/instr.sh ENGINE_INSTR [N]                 the fixed cases, N calls each (default 200)
#   bash bench/instr.sh ENGINE_INSTR corpus FILE...      every corpus action once (after a warm-up)
# ENGINE_INSTR is a build's bench/blastwall_engine_instr (bench/engine_instr.cpp).
set -euo pipefail
bin=${1:?usage: instr.sh ENGINE_INSTR [N | corpus FILE...]}
shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ "${1:-}" = corpus ]; then
  shift
  valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$tmp/cg.%p" \
    "$bin" corpus 1 "$@" > "$tmp/out" 2>/dev/null
  n=$(grep -o '^[0-9]* actions' "$tmp/out" | cut -d' ' -f1)
else
  n=${1:-200}
  valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$tmp/cg.%p" \
    "$bin" cases "$n" > /dev/null 2>&1
fi
for f in $(cd "$tmp" && ls cg.* | sort -t. -k3 -n | sed "s|^|$tmp/|"); do
  name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
  total=$(sed -n 's/^summary: //p;s/^totals: //p' "$f" | head -1 | cut -d' ' -f1)
  [ -n "$name" ] || continue
  awk -v n="$n" -v name="$name" -v t="$total" 'BEGIN { printf "%-20s %10.1f k instructions per evaluation\n", name, t / n / 1000 }'
done
