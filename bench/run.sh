#!/usr/bin/env bash
# Runs every benchmark of the project: Google Benchmark for the engine (and the audit log, when
# built), whole-process timing of `blastwall check` with hyperfine, and the room-specific scripts.
# Usage: bash bench/run.sh [BUILD_DIR]   (use a Release build for figures you record)
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
echo "== machine"; lscpu | grep -E 'Model name|^CPU\(s\)' || true
echo "== engine (Google Benchmark)"
"$build/blastwall_bench" --benchmark_min_time=0.2 --benchmark_filter='BM_(evaluate|parse|engine|fail)'
echo "== blastwall check as a whole process"
bash "$here/check.sh" "$build/blastwall"
echo "== resident engine: check and hooks, served vs in-process"
bash "$here/resident.sh" "$build" || echo "(resident.sh failed)"
for extra in audit.sh hooks.sh mcp.sh ui.sh; do  # these take the binary
  echo "== $extra"; bash "$here/$extra" "$build/blastwall" || echo "($extra failed)"
done
