#!/usr/bin/env bash
# MCP proxy benchmark (docs/PERFORMANCE.md "## MCP proxy"): builds a Release blastwall in
# build-mcp-rel unless a binary is given, installs the e2e node packages if missing, runs
# bench/mcp_latency.mjs.   bash bench/mcp.sh [BLASTWALL_BINARY]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-}"
if [[ -z "$bin" ]]; then
  cmake -S "$root" -B "$root/build-mcp-rel" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$root/build-mcp-rel" --target blastwall -j2
  bin="$root/build-mcp-rel/blastwall"
fi
if [[ ! -d "$root/tests/e2e/node_modules" ]]; then (cd "$root/tests/e2e" && npm ci --no-audit --no-fund); fi
node "$root/bench/mcp_latency.mjs" "$bin" "${@:2}"
