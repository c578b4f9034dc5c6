#!/usr/bin/env bash
# Whole-process latency of `blastwall check` and `blastwall hook claude` as agents run them (a fresh
# process per call, envelope on stdin), answered by the resident engine (the default) and
# in-process (BLASTWALL_DAEMON=0), with and without the audit write, next to the floors: a static
# no-op binary and /bin/true. Cases run interleaved (bench/proc_timer.cpp).
#
# usage: bash bench/resident.sh BUILD_DIR [ROUNDS]     (use a Release build for recorded figures)
set -euo pipefail
build=$(cd "${1:?usage: resident.sh BUILD_DIR [ROUNDS]}" && pwd)
rounds=${2:-300}
bw=$build/blastwall
timer=$build/bench/blastwall_proc_timer
[ -x "$timer" ] || cmake --build "$build" --target blastwall_proc_timer >/dev/null
tmp=$(mktemp -d "$PWD/.bench-resident.XXXXXX")
export BLASTWALL_RUNTIME_DIR=$tmp/run BLASTWALL_FRONT_TRACE=$tmp/trace
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
trap 'pkill -f -- "--socket $BLASTWALL_RUNTIME_DIR/" || true; rm -rf "$tmp"' EXIT
# shellcheck source=bench/lib/hook_cases.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/hook_cases.sh"
hook_cases "$tmp"
cd "$HOME/project"

# Start the resident engine and wait until it answers.
for _ in $(seq 100); do
  "$bw" check --no-audit true >/dev/null 2>&1 || true
  [ "$(tail -n1 "$tmp/trace")" = served ] && break
  sleep 0.1
done
[ "$(tail -n1 "$tmp/trace")" = served ] || { echo "the resident engine did not start" >&2; exit 1; }
unset BLASTWALL_FRONT_TRACE

T=$'\t'
{
  echo "floor: static no-op${T}-${T}$tmp/noop"
  echo "floor: /bin/true${T}-${T}/bin/true"
  echo "check --no-audit 'git status'${T}-${T}$bw${T}check${T}--no-audit${T}git status"
  echo "check 'git status' (audit)${T}-${T}$bw${T}check${T}git status"
  echo "check --no-audit 'rm -rf ~'${T}-${T}$bw${T}check${T}--no-audit${T}rm -rf ~"
  for c in allow deny write mcp; do
    echo "hook claude $c --no-audit${T}$tmp/$c.json${T}$bw${T}hook${T}claude${T}--no-audit"
    echo "hook claude $c (audit)${T}$tmp/$c.json${T}$bw${T}hook${T}claude"
  done
} > "$tmp/spec"
{
  echo "in-process: check --no-audit${T}-${T}/usr/bin/env${T}BLASTWALL_DAEMON=0${T}$bw${T}check${T}--no-audit${T}git status"
  echo "in-process: check (audit)${T}-${T}/usr/bin/env${T}BLASTWALL_DAEMON=0${T}$bw${T}check${T}git status"
  echo "in-process: hook allow (audit)${T}$tmp/allow.json${T}/usr/bin/env${T}BLASTWALL_DAEMON=0${T}$bw${T}hook${T}claude"
  echo "env: /bin/true (env's own cost)${T}-${T}/usr/bin/env${T}BLASTWALL_DAEMON=0${T}/bin/true"
} > "$tmp/spec-inproc"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $bw ($(stat -c %s "$bw") bytes front, $(stat -c %s "$build/blastwall-core") bytes core)"
echo "== resident engine (default), $rounds interleaved rounds"
"$timer" "$tmp/spec" "$rounds" 20
# The audit write's own cost: the same two calls with and without it, side by side.
{
  echo "A/B check --no-audit${T}-${T}$bw${T}check${T}--no-audit${T}git status"
  echo "A/B check (audit)${T}-${T}$bw${T}check${T}git status"
  echo "A/B hook allow --no-audit${T}$tmp/allow.json${T}$bw${T}hook${T}claude${T}--no-audit"
  echo "A/B hook allow (audit)${T}$tmp/allow.json${T}$bw${T}hook${T}claude"
} > "$tmp/spec-ab"
echo "== audit write A/B, $((rounds * 3 / 2)) interleaved rounds"
"$timer" "$tmp/spec-ab" "$((rounds * 3 / 2))" 20
echo "== in-process (BLASTWALL_DAEMON=0), $((rounds / 3)) rounds"
"$timer" "$tmp/spec-inproc" "$((rounds / 3))" 5
echo "audit rows written: $(sqlite3 "$XDG_STATE_HOME/blastwall/audit.db" "select count(*) from events where type='action'" 2>/dev/null || echo '?')"
