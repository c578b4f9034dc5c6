#!/usr/bin/env bash
# The real binary on every golden envelope (tests/fixtures/agents/<agent>/<case>.<decision>.*):
# the answer must be the agent's own format and carry the labelled decision from the real engine;
# plus the fail-closed paths a host can trigger (bad JSON, unknown agent, a stalled stdin, oversize).
# usage: hooks_fixtures.sh <blastwall> <source dir>
set -uo pipefail
bw="$1"; src="$2"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
# HOME must match the fixtures' /home/user, and must not be under /tmp.
export HOME=/home/user XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"
db="$work/audit.db"
fail=0; n=0

decision() {  # agent, stdout, exit code -> what the agent reads
  local agent="$1" out="$2" rc="$3"
  [ "$rc" = 2 ] && { echo deny; return; }
  [ "$rc" != 0 ] && { echo "exit-$rc"; return; }
  [ -z "$out" ] && { echo allow; return; }
  echo "$out" | jq -e . >/dev/null 2>&1 || { echo invalid-json; return; }
  case "$agent" in
    cursor) echo "$out" | jq -r '.permission // "missing"' ;;
    gemini) echo "$out" | jq -r '(.decision // "allow") | if . == "block" then "deny" else . end' ;;
    copilot) echo "$out" | jq -r '.permissionDecision // "allow"' ;;
    *) echo "$out" | jq -r '.hookSpecificOutput // {} | (.permissionDecision // .decision.behavior // "allow")' ;;
  esac
}

for f in "$src"/tests/fixtures/agents/*/*.envelope.json; do
  agent="$(basename "$(dirname "$f")")"
  name="$(basename "$f" .envelope.json)"
  want="${name##*.}"
  event="$(jq -r '.hook_event_name // .hookEventName // ""' "$f")"
  if [ "$agent" = codex ] && [ "$want" = ask ]; then
    [ "$event" = PermissionRequest ] && want=allow || want=deny   # Codex cannot ask in PreToolUse
  fi
  out="$("$bw" --audit-db "$db" hook "$agent" < "$f" 2>"$work/err")"; rc=$?
  got="$(decision "$agent" "$out" "$rc")"
  n=$((n + 1))
  if [ "$got" != "$want" ]; then
    echo "FAIL $agent/$name: expected $want, got $got: $out $(cat "$work/err")"; fail=$((fail + 1))
  fi
done

check() {  # description, expected decision, actual decision
  n=$((n + 1))
  if [ "$2" != "$3" ]; then echo "FAIL $1: expected $2, got $3"; fail=$((fail + 1)); fi
}
out="$(echo '{not json' | "$bw" --audit-db "$db" hook claude 2>/dev/null)"; rc=$?
check "claude bad JSON fails closed" ask "$(decision claude "$out" $rc)"
out="$(echo '{not json' | "$bw" --audit-db "$db" hook codex 2>/dev/null)"; rc=$?
check "codex bad JSON fails closed" deny "$(decision codex "$out" $rc)"
out="$(: | "$bw" --audit-db "$db" hook gemini 2>/dev/null)"; rc=$?
check "gemini empty stdin fails closed" ask "$(decision gemini "$out" $rc)"
out="$(echo '{}' | "$bw" --audit-db "$db" hook nosuchagent 2>/dev/null)"; rc=$?
check "unknown agent blocks with exit 2" 2 "$rc"
echo '{}' | "$bw" --audit-db "$db" hook claude --budget-ms abc >/dev/null 2>&1; rc=$?
check "a malformed hook option value blocks with exit 2" 2 "$rc"
start=$(date +%s%N)
out="$("$bw" --audit-db "$db" hook claude --budget-ms 300 2>/dev/null < <(printf '{"hook_event_name":"PreToolUse"'; sleep 3))"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "stalled stdin answers fail-closed within the budget" ask "$(decision claude "$out" $rc)"
# The budget fires at ~300 ms; the writer keeps stdin open 3 s, the hook must not wait for it.
[ "$ms" -lt 2900 ] || { echo "FAIL budget: took ${ms} ms"; fail=$((fail + 1)); }
head -c 5000000 /dev/zero | tr '\0' ' ' > "$work/big.json"
out="$("$bw" --audit-db "$db" hook claude < "$work/big.json" 2>/dev/null)"; rc=$?
check "oversize envelope fails closed" ask "$(decision claude "$out" $rc)"
out="$(echo '{"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"ls"}}' | "$bw" --audit-db "$db" hook claude --some-future-flag 2>/dev/null)"; rc=$?
check "unknown flags never become a parse error" 0 "$rc"

echo "$((n - fail))/$n hook checks passed"
[ "$fail" = 0 ]
