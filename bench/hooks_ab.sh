#!/usr/bin/env bash
# A/B of `blastwall check` and `blastwall hook claude` as whole processes between two builds (e.g.
# a baseline commit's tree and main), the way agents run them: a fresh front process per call,
# envelope on stdin, answered by that build's resident engine. Both engines run side by side, each
# with its own runtime directory and audit database (set per case by bench/proc_timer, so no
# `/usr/bin/env` exec sits in front of any call); home, project and config are shared. Every case
# of both builds runs interleaved in one spec, every other round in reverse order, so load on a
# shared machine slows both alike and the ratios stay comparable.
#
# usage: bash bench/hooks_ab.sh BASE_BUILD NEW_BUILD [ROUNDS]    (build dirs; ROUNDS default 300)
#   Prints per case: median and p95 of each build and the ratio of the medians. Uses NEW_BUILD's
#   bench/blastwall_proc_timer (built if missing).
set -euo pipefail
base=$(cd "${1:?usage: hooks_ab.sh BASE_BUILD NEW_BUILD [ROUNDS]}" && pwd)
new=$(cd "${2:?usage: hooks_ab.sh BASE_BUILD NEW_BUILD [ROUNDS]}" && pwd)
rounds=${3:-300}
timer=$new/bench/blastwall_proc_timer
[ -x "$timer" ] || cmake --build "$new" --target blastwall_proc_timer >/dev/null
for b in "$base" "$new"; do
  [ -x "$b/blastwall" ] && [ -x "$b/blastwall-core" ] || { echo "no blastwall in $b" >&2; exit 2; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-hooks-ab.XXXXXX")
# The servers leave on their next idle tick (5 s) once their socket is gone; nothing to kill.
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config
unset BLASTWALL_RUNTIME_DIR XDG_STATE_HOME BLASTWALL_FRONT_TRACE BLASTWALL_DAEMON BLASTWALL_CORE
mkdir -p "$XDG_CONFIG_HOME"
# shellcheck source=bench/lib/hook_cases.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/hook_cases.sh"
hook_cases "$tmp"
cd "$HOME/project"

# Per build (a = base, b = new): runtime dir and state dir of the same length.
T=$'\t'
envs() { echo "BLASTWALL_RUNTIME_DIR=$tmp/run-$1${T}XDG_STATE_HOME=$tmp/state-$1"; }
for x in a b; do
  bw=$base/blastwall
  [ $x = b ] && bw=$new/blastwall
  mkdir -p "$tmp/run-$x" "$tmp/state-$x" && chmod 700 "$tmp/run-$x"
  for _ in $(seq 100); do
    BLASTWALL_RUNTIME_DIR=$tmp/run-$x XDG_STATE_HOME=$tmp/state-$x BLASTWALL_FRONT_TRACE=$tmp/trace-$x \
      "$bw" check --no-audit true >/dev/null 2>&1 || true
    [ "$(tail -n1 "$tmp/trace-$x")" = served ] && break
    sleep 0.1
  done
  [ "$(tail -n1 "$tmp/trace-$x")" = served ] || { echo "the resident engine of $bw did not start" >&2; exit 1; }
done

{
  echo "floor: static no-op${T}-${T}$tmp/noop"
  for c in "check --no-audit 'git status'|-|check${T}--no-audit${T}git status" \
           "hook allow --no-audit|$tmp/allow.json|hook${T}claude${T}--no-audit" \
           "hook allow (audit)|$tmp/allow.json|hook${T}claude" \
           "hook deny (audit)|$tmp/deny.json|hook${T}claude" \
           "hook write (audit)|$tmp/write.json|hook${T}claude" \
           "hook mcp (audit)|$tmp/mcp.json|hook${T}claude"; do
    IFS='|' read -r name input args <<<"$c"
    echo "A $name${T}$input${T}$(envs a)${T}$base/blastwall${T}$args"
    echo "B $name${T}$input${T}$(envs b)${T}$new/blastwall${T}$args"
  done
} > "$tmp/spec"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "A: $base ($(git -C "$base/.." rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "B: $new ($(git -C "$new/.." rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $rounds interleaved rounds, $(date -u +%H:%M) UTC"
"$timer" "$tmp/spec" "$rounds" 20 alternate > "$tmp/out"
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%H:%M) UTC"
cat "$tmp/out"
echo
awk '
  function name() { n = substr($0, 3); sub(/ +[0-9.]+ms +[0-9.]+ms +[0-9.]+ms +[0-9.]+ms$/, "", n); return n }
  /^A / { n = name(); a[n] = $(NF-3); ap[n] = $(NF-2); order[++k] = n }
  /^B / { n = name(); b[n] = $(NF-3); bp[n] = $(NF-2) }
  END {
    printf "%-32s %10s %10s %8s   %10s %10s\n", "case", "A median", "B median", "B/A", "A p95", "B p95"
    for (i = 1; i <= k; ++i) {
      n = order[i]; x = a[n] + 0; y = b[n] + 0
      printf "%-32s %10s %10s %+7.1f%%   %10s %10s\n", n, a[n], b[n], (y / x - 1) * 100, ap[n], bp[n]
    }
  }' "$tmp/out"
for x in a b; do
  echo "audit rows $x: $(sqlite3 "$tmp/state-$x/blastwall/audit.db" "select count(*) from events where type='action'" 2>/dev/null || echo '?')"
done
rm -f "$tmp"/run-*/*.sock
