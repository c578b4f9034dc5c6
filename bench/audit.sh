#!/usr/bin/env bash
# Whole-process audit timings (docs/PERFORMANCE.md "Audit log"). Run from a Release build:
#   cmake -S . -B build-audit-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-audit-rel --target blastwall blastwall_bench
#   bash bench/audit.sh build-audit-rel/blastwall [ROWS]
# 1. hyperfine: a short process that records one action vs the same binary doing no audit I/O.
# 2. 8 concurrent writer processes: rows lost (must be 0) and wall time.
# 3. Sustained batched throughput from one process.
# 4. `blastwall replay` of ROWS (default 1,000,000) logged actions with the shipped packs.
set -euo pipefail
BIN=${1:-build-audit-rel/blastwall}
ROWS=${2:-1000000}
T=$(mktemp -d /tmp/bw-audit-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
export XDG_STATE_HOME="$T/state" NO_COLOR=1
echo "machine: $(lscpu | sed -n 's/^Model name: *//p') ($(nproc) cores)"
echo "binary:  $BIN"

DB="$T/one.db"
"$BIN" --audit-db "$DB" audit selftest-write --n 1 >/dev/null
echo
echo "== 1. short-lived process: record one action vs no audit I/O"
hyperfine -N --warmup 20 --runs 300 \
  -n "no audit (blastwall audit path)" "$BIN --audit-db $DB audit path" \
  -n "record one action" "$BIN --audit-db $DB audit selftest-write --n 1" \
  --export-json "$T/hf.json" | sed -n '1,40p'
python3 - "$T/hf.json" <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[1]))["results"]
base = statistics.median(r[0]["times"]); rec = statistics.median(r[1]["times"])
print(f"median added by recording one action: {(rec - base) * 1000:.3f} ms")
PY

echo
echo "== 2. 8 concurrent writer processes x 2000 rows"
DB="$T/conc.db"
start=$(date +%s.%N)
for i in 1 2 3 4 5 6 7 8; do
  "$BIN" --audit-db "$DB" audit selftest-write --n 2000 --agent "w$i" --busy-timeout-ms 30000 >/dev/null &
done
wait
end=$(date +%s.%N)
n=$("$BIN" --audit-db "$DB" log --json | wc -l)
echo "rows: $n of 16000 (lost: $((16000 - n))), wall $(echo "$end - $start" | bc) s"
"$BIN" --audit-db "$DB" audit verify

echo
echo "== 3. sustained batched throughput, one process, 200,000 actions in batches of 1000"
DB="$T/batch.db"
start=$(date +%s.%N)
"$BIN" --audit-db "$DB" audit selftest-write --n 200000 --batch 1000 --vary >/dev/null
end=$(date +%s.%N)
echo "200000 actions in $(echo "$end - $start" | bc) s = $(echo "200000 / ($end - $start)" | bc) actions/s"

echo
echo "== 4. replay of $ROWS logged actions with the shipped packs (2 worker threads)"
DB="$T/replay.db"
"$BIN" --audit-db "$DB" audit selftest-write --n "$ROWS" --batch 5000 --vary >/dev/null
ls -la "$DB" | awk '{print "db size:", $5, "bytes"}'
/usr/bin/time -f "replay: %e s wall, %U s user, %M KiB max RSS" \
  "$BIN" --audit-db "$DB" replay --no-user-policy --no-progress --json >"$T/replay.json"
python3 -c "import json,sys; j=json.load(open('$T/replay.json')); print({k: j[k] for k in ('total','changed','loosened','tightened','errors')})"
