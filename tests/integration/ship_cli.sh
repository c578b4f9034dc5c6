#!/usr/bin/env bash
# `blastwall audit ship` end to end with the real binary: an OTLP/HTTP receiver written against the
# spec (node, tests/integration/otlp_receiver.mjs) that is down at first and then answers 503,
# and a real rsyslogd (Debian's rsyslog, installed by `make deps`) receiving RFC 5424 over TCP.
set -euo pipefail
BW=$1
SRC=$2
work=$(mktemp -d /tmp/bw-ship-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
export HOME=$work/home XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config BLASTWALL_DAEMON=0
mkdir -p "$HOME"
db=$work/audit.db
fails=0
check() { if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi; }

"$BW" --audit-db "$db" audit selftest-write --n 3000 --batch 500 --vary >/dev/null

# Collector not there yet: exit 1, nothing lost, status says why.
set +e
"$BW" --audit-db "$db" audit ship --otlp http://127.0.0.1:9 --max-attempts 2 --quiet
rc=$?
set -e
check "collector down exits 1" "[ $rc = 1 ]"
"$BW" --audit-db "$db" audit ship --otlp http://127.0.0.1:9 --status --json >"$work/status.json"
check "status shows the whole backlog" "grep -q '\"backlog\":3000' $work/status.json"
check "status names the failure" "grep -q 'cannot reach collector http://127.0.0.1:9: Connection refused' $work/status.json"

# The collector comes up and answers 503 twice first.
FAIL_FIRST=2 node "$SRC/tests/integration/otlp_receiver.mjs" "$work/ids.txt" >"$work/port" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
"$BW" --audit-db "$db" audit ship --otlp "http://127.0.0.1:$port" --quiet
check "every row arrived exactly once" "[ \$(sort -n $work/ids.txt | uniq | wc -l) = 3000 ] && [ \$(wc -l < $work/ids.txt) = 3000 ]"
"$BW" --audit-db "$db" audit selftest-write --n 5 >/dev/null
"$BW" --audit-db "$db" audit ship --otlp "http://127.0.0.1:$port" --quiet
check "a later run ships only the new rows" "[ \$(wc -l < $work/ids.txt) = 3005 ]"

# rsyslog over TCP (RFC 6587 octet counting) into a file.
if ! command -v rsyslogd >/dev/null; then
  echo "FAIL - rsyslogd is not installed (make deps installs rsyslog)"
  exit 1
fi
sport=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
mkdir -p "$work/rsyslog"
cat >"$work/rsyslog.conf" <<CONF
global(workDirectory="$work/rsyslog")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="$sport")
template(name="proto" type="string" string="%APP-NAME% %MSGID% %STRUCTURED-DATA% %msg%\n")
if \$app-name == "blastwall" then { action(type="omfile" file="$work/syslog.out" template="proto") stop }
CONF
rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rsyslog.pid" 2>"$work/rsyslog.err" &
pids+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$sport") 2>/dev/null && break; sleep 0.1; done
"$BW" --audit-db "$db" audit ship --syslog "tcp://127.0.0.1:$sport" --quiet
for _ in $(seq 100); do [ -f "$work/syslog.out" ] && [ "$(wc -l <"$work/syslog.out")" -ge 3005 ] && break; sleep 0.1; done
check "rsyslog received every row" "[ \$(wc -l < $work/syslog.out) = 3005 ]"
check "rsyslog parsed the structured data" "grep -q 'blastwall@32473 id=\"1\"' $work/syslog.out"
check "deny rows carry their decision as MSGID" "grep -q '^blastwall deny ' $work/syslog.out"

# Continuous shipping (ship.yaml `continuous: true`): `blastwall mcp` and the resident engine each
# start a detached follower for the log they write; doctor shows it; it exits after its owner.
cat >"$work/ship.yaml" <<YAML
format: 1
continuous: true
poll_ms: 100
targets:
  - {name: central, type: otlp, endpoint: 'http://127.0.0.1:$port'}
YAML
export BLASTWALL_SHIP_CONFIG=$work/ship.yaml
received() { wc -l <"$work/ids.txt"; }
wait_received() { for _ in $(seq 100); do [ "$(received)" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }
gone() { for _ in $(seq 150); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
mdb=$work/mcp.db
"$BW" --audit-db "$mdb" audit selftest-write --n 40 >/dev/null
"$BW" --audit-db "$mdb" doctor >"$work/doctor0.txt" || true
check "doctor: configured, nothing shipped, no follower" "grep -q 'central: shipped through id 0 of 40 (lag 40 rows), never shipped yet' $work/doctor0.txt && grep -q 'no follower running' $work/doctor0.txt"
before=$(received)
mkfifo "$work/mcp.in"
"$BW" --audit-db "$mdb" mcp --state-dir "$work/mcpstate" -- cat <"$work/mcp.in" >/dev/null 2>"$work/mcp.err" &
mcp_pid=$!
pids+=($mcp_pid)
exec 3>"$work/mcp.in"
check "blastwall mcp started a follower that shipped its log" "wait_received $((before + 40))"
"$BW" --audit-db "$mdb" audit selftest-write --n 5 >/dev/null
check "the follower ships new rows while the proxy runs" "wait_received $((before + 45))"
"$BW" --audit-db "$mdb" doctor >"$work/doctor1.txt" || true
fpid=$(sed -n 's/.*a shipper is running (pid \([0-9]*\)).*/\1/p' "$work/doctor1.txt")
check "doctor: the follower, its pid and no lag" "[ -n '$fpid' ] && grep -q 'central: shipped through id 45 of 45 (lag 0 rows), last ok' $work/doctor1.txt && grep -q '0 problem(s)' $work/doctor1.txt"
check "the follower belongs to the proxy" "tr '\\0' ' ' </proc/$fpid/cmdline | grep -q -- '--follow .*--parent-pid $mcp_pid'"
exec 3>&-
wait "$mcp_pid" || true
check "the follower exits once the proxy is gone" "gone $fpid"

# The resident engine: starts its follower for the default log and still serves (the spawn
# returns at once), and both exit when it idles out.
mkdir -m 700 "$work/rt"
"$BW" audit selftest-write --n 7 >/dev/null
before=$(received)
BLASTWALL_RUNTIME_DIR=$work/rt "$(dirname "$BW")/blastwall-core" serve --idle-timeout 1 &
serve_pid=$!
pids+=($serve_pid)
check "the resident engine started a follower that shipped the default log" "wait_received $((before + 7))"
spid=$(ship_pid=$("$BW" doctor | sed -n 's/.*a shipper is running (pid \([0-9]*\)).*/\1/p'); echo "$ship_pid")
check "the resident engine idles out instead of waiting on its follower" "gone $serve_pid"
check "its follower exits after it" "[ -n '$spid' ] && gone $spid"

# A collector that refuses is a doctor problem with the answer and a fix.
cat >"$work/ship-down.yaml" <<YAML
format: 1
targets:
  - {name: down, type: otlp, endpoint: 'http://127.0.0.1:9'}
YAML
"$BW" --audit-db "$db" audit ship --config "$work/ship-down.yaml" --max-attempts 1 --quiet || true
set +e
BLASTWALL_SHIP_CONFIG=$work/ship-down.yaml "$BW" --audit-db "$db" doctor >"$work/doctor2.txt"
rc=$?
set -e
check "doctor: a failing target is a problem (exit 1) with the last error" "[ $rc = 1 ] && grep -q 'PROBLEM  down: retrying after 1 failed attempts: cannot reach collector http://127.0.0.1:9: Connection refused; shipped through id 0 of 3005 (lag 3005 rows)' $work/doctor2.txt && grep -q 'fix:' $work/doctor2.txt"
echo 'format: 1
targets: 3' >"$work/ship-bad.yaml"
set +e
BLASTWALL_SHIP_CONFIG=$work/ship-bad.yaml "$BW" --audit-db "$db" doctor >"$work/doctor3.txt"
rc=$?
set -e
check "doctor: an unreadable ship.yaml is a problem" "[ $rc = 1 ] && grep -q 'PROBLEM' $work/doctor3.txt"
unset BLASTWALL_SHIP_CONFIG

total=20
echo "$((total - fails)) passed, $fails failed"
[ "$fails" = 0 ]
