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


total=8
echo "$((total - fails)) passed, $fails failed"
[ "$fails" = 0 ]
