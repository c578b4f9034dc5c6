#!/usr/bin/env bash
# Hook latency as a whole process (exec, engine start, parse, evaluate, audit write, answer), the way
# an agent runs it: one fresh process per call. hyperfine subtracts its shell's spawn time.
#
# usage: bench/hooks.sh [path/to/blastwall] [runs]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
bw="${1:-$root/build/blastwall}"
runs="${2:-500}"
[ -x "$bw" ] || { echo "blastwall binary not found: $bw" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
home=/home/dev   # the corpus context; nothing is written there
export HOME="$home" XDG_CONFIG_HOME="$work/config" XDG_STATE_HOME="$work/state"

envelope() {  # tool_name, tool_input JSON
  printf '{"session_id":"bench","transcript_path":"/dev/null","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"%s","tool_input":%s,"tool_use_id":"toolu_bench"}' \
    "$home/project" "$1" "$2"
}
envelope Bash '{"command":"git status"}' > "$work/allow.json"
envelope Bash '{"command":"rm -rf ~"}' > "$work/deny.json"
envelope Bash '{"command":"FOO=1 sudo env -i bash -c \"cd /srv && git reset --hard HEAD~3 && rm -rf ./build\" | tee log.txt"}' > "$work/compound.json"
envelope Write "{\"file_path\":\"$home/project/src/main.c\",\"content\":\"int main(void){return 0;}\"}" > "$work/write.json"
envelope mcp__pg__query '{"sql":"DELETE FROM sessions"}' > "$work/mcp.json"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary:  $bw"
cmds=()
for c in allow deny compound write mcp; do
  cmds+=(-n "$c" "$bw --audit-db $work/audit.db hook claude < $work/$c.json")
done
hyperfine --warmup 20 --runs "$runs" --export-json "$work/hyperfine.json" --style basic "${cmds[@]}" >/dev/null
python3 - "$work/hyperfine.json" <<'PY'
import json, sys, statistics
data = json.load(open(sys.argv[1]))
print("%-10s %9s %9s %9s %9s" % ("case", "median", "p95", "p99", "max"))
allt = []
for r in data["results"]:
    t = sorted(x * 1000 for x in r["times"])
    allt += t
    q = lambda p: t[min(len(t) - 1, int(round(p / 100 * (len(t) - 1))))]
    print("%-10s %7.2fms %7.2fms %7.2fms %7.2fms" % (r["command"], statistics.median(t), q(95), q(99), t[-1]))
allt.sort()
q = lambda p: allt[min(len(allt) - 1, int(round(p / 100 * (len(allt) - 1))))]
print("%-10s %7.2fms %7.2fms %7.2fms %7.2fms" % ("all", statistics.median(allt), q(95), q(99), allt[-1]))
PY
rows=$(sqlite3 "$work/audit.db" "select count(*) from events where type='action'" 2>/dev/null || echo "?")
echo "audit rows written: $rows"
