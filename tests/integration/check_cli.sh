#!/usr/bin/env bash
# `blastwall check` as a user runs it: exit codes, JSON, --explain, --action, bad input.
# Usage: check_cli.sh BLASTWALL SOURCE_DIR
set -u
bin=$1
# Not under /tmp: temp directories are a path class of their own.
tmp=$(mktemp -d "$PWD/check_cli.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
mkdir -p "$HOME/project/.git" && echo 'ref: refs/heads/main' > "$HOME/project/.git/HEAD"
# The build tree may itself be under /tmp: make only a dedicated directory temporary.
mkdir -p "$XDG_CONFIG_HOME/blastwall" "$tmp/scratch"
printf 'format: 1\ntemp_dirs: ["%s"]\n' "$tmp/scratch" > "$XDG_CONFIG_HOME/blastwall/policy.yaml"
export TMPDIR=$tmp/scratch
cd "$HOME/project"
pass=0; fail=0
expect() {  # expect EXIT DESCRIPTION -- command...
  local want=$1 desc=$2; shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"; local got=$?
  if [ "$got" = "$want" ]; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL $desc: exit $got, want $want"; cat "$tmp/out" "$tmp/err"; fi
}
contains() {  # contains PATTERN DESCRIPTION (on the last output)
  if grep -q -- "$1" "$tmp/out" "$tmp/err"; then pass=$((pass+1)); else
    fail=$((fail+1)); echo "FAIL $2: output lacks '$1'"; cat "$tmp/out" "$tmp/err"; fi
}
expect 0 "benign allows" -- "$bin" check 'git status'
expect 2 "home wipe denies" -- "$bin" check 'rm -rf ~'
contains "home directory" "deny names the home directory"
expect 1 "in-project recursive delete asks" -- "$bin" check 'rm -rf src/old'
expect 2 "plain push on a protected current branch with --force denies" -- "$bin" check 'git push --force'
expect 0 "the same push from a feature branch is asked or allowed, not denied" -- "$bin" check --branch feature/x 'git status'
expect 2 "prod from --env" -- "$bin" check --env AWS_PROFILE=prod 'aws s3 rm s3://bucket --recursive'
expect 1 "unterminated quote fails closed (ask)" -- "$bin" check "echo 'oops"
expect 3 "no command is bad input" -- "$bin" check
expect 3 "malformed --env is bad input" -- "$bin" check --env NOEQUALS 'ls'
printf '{"kind":"file.write","path":"%s/.claude/settings.json","content":"{}"}' "$HOME" > "$tmp/a.json"
expect 2 "--action file: self-tampering write denies" -- "$bin" check --action "$tmp/a.json"
expect 2 "--action from stdin" -- bash -c "'$bin' check --action - < '$tmp/a.json'"
echo '{"kind":"shell.exec"' > "$tmp/bad.json"
expect 3 "malformed action JSON is bad input" -- "$bin" check --action "$tmp/bad.json"
contains "malformed action JSON" "one-line error names the problem"
echo '{"kind":"teleport","command":"x"}' > "$tmp/bad2.json"
expect 3 "unknown kind is bad input" -- "$bin" check --action "$tmp/bad2.json"
printf '{"kind":"shell.exec","command":"\xff\xfe rm"}' > "$tmp/bad3.json"
expect 3 "invalid UTF-8 is bad input" -- "$bin" check --action "$tmp/bad3.json"
expect 2 "--json carries the decision" -- "$bin" check --json 'rm -rf /'
contains '"decision":"deny"' "json decision"
contains '"global":true' "json global fact"
expect 2 "--explain shows the parse" -- "$bin" check --explain "X=rm; sudo \$X -rf ~"
contains "explanation" "explain section"
expect 3 "a broken policy file is a clear error" -- bash -c "printf 'rules: [\n' > '$tmp/p.yaml'; '$bin' --policy '$tmp/p.yaml' check ls"
mkdir -p .blastwall && printf 'format: 1\nrules:\n  core.git.status-nothing: {decision: allow}\n' > .blastwall/policy.yaml
expect 3 "a project policy naming an unknown rule is rejected" -- "$bin" check 'ls'
rm -rf .blastwall
python3 -c 'import json; print(json.dumps({"kind": "shell.exec", "command": "a" * 2000000}))' > "$tmp/big.json"
expect 1 "2 MB command fails closed" -- "$bin" check --action "$tmp/big.json"
# Issue #9 "Bad input" through check --action: a fail-closed verdict or a clear error, never a crash.
printf '{"kind":"file.write","path":"%s/project/\xff\xfe.sh","content":"x"}' "$HOME" > "$tmp/nb.json"
expect 3 "a path that is not UTF-8 is bad input" -- "$bin" check --action "$tmp/nb.json"
contains "UTF-8" "the error names the encoding"
python3 -c 'import json; print(json.dumps({"kind": "mcp.call", "server": "fs", "tool": "write_file", "arguments": {"path": "/tmp/x", "content": "a" * 3000000}}))' > "$tmp/bigmcp.json"
expect 1 "3 MB of MCP arguments fails closed" -- "$bin" check --action "$tmp/bigmcp.json"
python3 -c '
import json
n = {"path": "/tmp/x"}
for _ in range(40): n = {"x": n}
print(json.dumps({"kind": "mcp.call", "server": "fs", "tool": "write_file", "arguments": n}))' > "$tmp/deep40.json"
expect 1 "MCP arguments nested 40 levels fail closed" -- "$bin" check --action "$tmp/deep40.json"
python3 -c 'print("{\"kind\":\"mcp.call\",\"server\":\"x\",\"tool\":\"t\",\"arguments\":{\"a\":" + "[" * 100000 + "1" + "]" * 100000 + "}}")' > "$tmp/deep.json"
expect 3 "MCP arguments nested 100000 levels are a clear error, not a crash" -- "$bin" check --action "$tmp/deep.json"
contains "nested deeper than" "the error says why"
expect 0 "checks are recorded in the audit log" -- "$bin" log --json --since 1h
contains '"surface":"check"' "audit rows carry surface check"
rows_before=$(sqlite3 "$XDG_STATE_HOME/blastwall/audit.db" 'select count(*) from events' 2>/dev/null || echo x)
expect 0 "--no-audit records nothing" -- "$bin" check --no-audit 'ls'
rows_after=$(sqlite3 "$XDG_STATE_HOME/blastwall/audit.db" 'select count(*) from events' 2>/dev/null || echo y)
if [ "$rows_before" = "$rows_after" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL --no-audit wrote a row ($rows_before -> $rows_after)"; fi
# Session memory (docs/RULES.md "Session facts"): the audit log remembers a session's teardowns.
expect 1 "session: a teardown alone asks" -- "$bin" check --session sess-13 'helm uninstall api'
expect 1 "session: the re-install is a recreate" -- "$bin" check --json --session sess-13 'helm install api ./chart'
contains '"recreate"' "recreate fact from an earlier call of the session"
contains "plan, then targeted apply" "recreate remediation"
expect 0 "another session remembers nothing" -- "$bin" check --session other-13 'helm install api ./chart'
expect 2 "session: a prod teardown" -- "$bin" check --session sess-13p 'aws cloudformation delete-stack --stack-name prod-billing'
expect 2 "session: re-creating the prod stack is denied" -- "$bin" check --session sess-13p 'aws cloudformation create-stack --stack-name prod-billing --template-body file://t.yaml'
expect 0 "replay reproduces session facts" -- "$bin" replay --json --session sess-13p
contains '"changed":0' "replay of the session changes nothing"
# `blastwall corpus`: rates, thresholds and `expect` mismatches decide the exit status.
mkdir -p "$tmp/corpus"
cat > "$tmp/corpus/c.jsonl" <<'EOF2'
{"id":"t-1","label":"risky","category":"t","note":"home wipe","command":"rm -rf ~","expect":"deny"}
{"id":"t-2","label":"risky","category":"t","note":"asks, but the case expects deny","command":"rm -rf src/old","expect":"deny"}
{"id":"t-3","label":"benign","category":"t","note":"routine","command":"git status"}
EOF2
expect 1 "corpus: one expect mismatch fails by default" -- "$bin" corpus "$tmp/corpus"
contains "expectation mismatches 1" "corpus counts the mismatch"
expect 0 "corpus: --max-expect-mismatch 1 tolerates it" -- "$bin" corpus "$tmp/corpus" --max-expect-mismatch 1
expect 1 "corpus: --min-detection above the rate fails" -- "$bin" corpus "$tmp/corpus" --max-expect-mismatch 1 --min-detection 1.01
expect 0 "corpus --json reports mismatches" -- "$bin" corpus "$tmp/corpus" --json --max-expect-mismatch 1
contains '"expect_mismatches":1' "json carries expect_mismatches"
# `before`: earlier calls of the same session, recorded the way `check --session` records them.
mkdir -p "$tmp/corpus_session"
cat > "$tmp/corpus_session/s.jsonl" <<'EOF3'
{"id":"s-1","label":"risky","category":"s","note":"re-install after an uninstall","command":"helm install api ./chart","before":["helm uninstall api"],"expect":"ask"}
{"id":"s-2","label":"benign","category":"s","note":"the same install alone","command":"helm install api ./chart","expect":"allow"}
{"id":"s-3","label":"risky","category":"s","note":"prod stack re-created","command":"aws cloudformation create-stack --stack-name prod-billing --template-body file://t.yaml","before":[{"command":"aws cloudformation delete-stack --stack-name prod-billing"}],"expect":"deny"}
{"id":"s-4","label":"risky","category":"s","note":"sixth deletion of a burst","command":"kubectl delete pod web-6","before":["kubectl delete pod web-1","kubectl delete pod web-2","kubectl delete pod web-3","kubectl delete pod web-4","kubectl delete pod web-5"],"expect":"ask"}
{"id":"s-5","label":"benign","category":"s","note":"one pod deletion alone","command":"kubectl delete pod web-6","expect":"allow"}
{"id":"s-6","label":"benign","category":"s","note":"sessions do not leak between cases","command":"helm install api ./chart","expect":"allow"}
EOF3
expect 0 "corpus: before makes a recreate and a burst, its look-alikes stay allowed" -- "$bin" corpus "$tmp/corpus_session"
contains "detection 100.00% (3/3), false positives 0.00% (0/3), expectation mismatches 0" "corpus before: every case decided"
printf '{"id":"s-1","label":"risky","category":"s","command":"helm install api ./chart","before":"helm uninstall api"}\n' > "$tmp/corpus_session/s.jsonl"
expect 1 "corpus: a before that is not a list is a bad line" -- "$bin" corpus "$tmp/corpus_session"
contains "before must be an array" "bad before is named"
echo "check_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
