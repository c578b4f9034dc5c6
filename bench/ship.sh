#!/usr/bin/env bash
# Shipping throughput: a synthetic audit log of N rows (default 1,000,000; `audit selftest-write
# --vary`, realistic action mix) shipped once to a local OTLP/HTTP receiver
# (tests/integration/otlp_receiver.mjs, parsing every request) and to a TCP syslog sink
# (`nc -lk` writing to /dev/null when available). Prints rows/s from wall time.
# Usage: bench/ship.sh [build/blastwall] [rows]
set -euo pipefail
BW=${1:-build/blastwall}
N=${2:-1000000}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/bw-shipbench-XXXXXX)
trap 'kill $rx 2>/dev/null || true; rm -rf "$work"' EXIT
export BLASTWALL_DAEMON=0
db=$work/audit.db
t0=$(date +%s.%N)
"$BW" --audit-db "$db" audit selftest-write --n "$N" --batch 10000 --vary >/dev/null
t1=$(date +%s.%N)
echo "wrote $N rows in $(echo "$t1 - $t0" | bc) s"
node "$here/tests/integration/otlp_receiver.mjs" - >"$work/port" 2>"$work/rx.err" &
rx=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
for batch in 1000 2000; do
  rm -f "$db.ship"
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$work/cpu" \
    "$BW" --audit-db "$db" audit ship --otlp "http://127.0.0.1:$(cat "$work/port")" --batch "$batch" --quiet
  t1=$(date +%s.%N)
  el=$(echo "$t1 - $t0" | bc)
  cpu=$(awk '{print $1 + $2}' "$work/cpu")
  echo "otlp batch $batch: $N rows in $el s wall = $(echo "$N / $el" | bc) rows/s; shipper CPU $cpu s = $(echo "$N / $cpu" | bc) rows per CPU-second"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)  machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
