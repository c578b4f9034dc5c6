#!/usr/bin/env bash
# The resident engine (`blastwall-core serve`) behind the `blastwall` front: it answers exactly as
# the in-process command does, notices policy and pack changes, records to the audit log, falls back
# when it is stale, killed or unreachable, and never weakens a fail-closed answer.
# Usage: resident.sh BLASTWALL SOURCE_DIR
set -u
bin=$1
core="$(dirname "$bin")/blastwall-core"
tmp=$(mktemp -d "$PWD/resident.XXXXXX")
export BLASTWALL_RUNTIME_DIR=$tmp/run BLASTWALL_FRONT_TRACE=$tmp/trace
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
stop_server() { pkill -f -- "--socket $BLASTWALL_RUNTIME_DIR/" 2>/dev/null; sleep 0.2; }
trap 'stop_server; rm -rf "$tmp"' EXIT
mkdir -p "$HOME/project/.git" "$XDG_CONFIG_HOME/blastwall" "$tmp/scratch"
echo 'ref: refs/heads/main' > "$HOME/project/.git/HEAD"
policy=$XDG_CONFIG_HOME/blastwall/policy.yaml
printf 'format: 1\ntemp_dirs: ["%s"]\n' "$tmp/scratch" > "$policy"
export TMPDIR=$tmp/scratch
cd "$HOME/project"
pass=0; fail=0
ok() { pass=$((pass+1)); }
bad() { fail=$((fail+1)); echo "FAIL $*"; }
last_trace() { tail -n 1 "$tmp/trace" 2>/dev/null; }
# Waits until the server answers (it is spawned by the first call and builds its engine).
warm() {
  for _ in $(seq 100); do
    "$bin" check --no-audit 'true' >/dev/null 2>&1
    [ "$(last_trace)" = served ] && return 0
    sleep 0.1
  done
  return 1
}

# 1. The first call runs in-process and starts the server; later calls are served.
"$bin" check --no-audit 'git status' >/dev/null
[ "$(last_trace)" = "exec no-server" ] && ok || bad "first call: trace '$(last_trace)', want 'exec no-server'"
warm && ok || bad "the server never answered (trace: $(last_trace))"
[ "$(stat -c %a "$BLASTWALL_RUNTIME_DIR")" = 700 ] && ok || bad "runtime dir is not 0700"
sock=$(ls "$BLASTWALL_RUNTIME_DIR"/*.sock 2>/dev/null | head -1)
[ -S "$sock" ] && [ "$(stat -c %a "$sock")" = 600 ] && ok || bad "socket missing or not 0600: $sock"

# 2. Same stdout, stderr and exit code as the in-process command, for check and for hooks.
same() {  # same DESCRIPTION STDIN_FILE -- args...
  local desc=$1 input=$2; shift 3
  "$bin" "$@" <"$input" >"$tmp/s.out" 2>"$tmp/s.err"; local s=$?
  local how; how=$(last_trace)
  BLASTWALL_DAEMON=0 "$bin" "$@" <"$input" >"$tmp/d.out" 2>"$tmp/d.err"; local d=$?
  if [ "$how" != served ]; then bad "$desc: not served ($how)"; return; fi
  # eval_us is the one field that legitimately differs (a warm engine is faster).
  sed -i 's/"eval_us":[0-9]*/"eval_us":N/g' "$tmp/s.out" "$tmp/d.out"
  if [ $s = $d ] && cmp -s "$tmp/s.out" "$tmp/d.out" && cmp -s "$tmp/s.err" "$tmp/d.err"; then ok; else
    bad "$desc: served exit $s vs in-process $d"; diff "$tmp/s.out" "$tmp/d.out" | head -5
    diff "$tmp/s.err" "$tmp/d.err" | head -5
  fi
}
: > "$tmp/empty"
for c in 'git status' 'rm -rf ~' 'rm -rf src/old' 'kubectl --context prod delete deploy api' \
         'X=rm; $X -rf /' "echo 'unterminated"; do
  same "check '$c'" "$tmp/empty" -- check --no-audit "$c"
  same "check --json '$c'" "$tmp/empty" -- check --no-audit --json "$c"
done
same "check --explain" "$tmp/empty" -- check --no-audit --explain 'git push --force origin main'
same "check without a command (bad input)" "$tmp/empty" -- check --no-audit
same "check --env" "$tmp/empty" -- check --no-audit --env AWS_PROFILE=prod 'aws s3 rm s3://b --recursive'
printf '{"kind":"file.write","path":"%s/.claude/settings.json","content":"{}"}' "$HOME" > "$tmp/a.json"
same "check --action - (stdin)" "$tmp/a.json" -- check --no-audit --action -
env_line() { printf '{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"%s"},"cwd":"%s"}' "$1" "$HOME/project"; }
for c in 'git status' 'rm -rf ~' 'rm -rf build'; do
  env_line "$c" > "$tmp/env.json"
  for agent in claude cursor gemini codex copilot vscode; do
    same "hook $agent '$c'" "$tmp/env.json" -- hook "$agent" --no-audit
  done
done
echo 'not json' > "$tmp/garbage"
same "hook claude on garbage (fail closed)" "$tmp/garbage" -- hook claude --no-audit
same "unknown agent" "$tmp/empty" -- hook nosuchagent --no-audit
# The server builds only the command a request names: the other one's name later on the line, and
# global options in front, must parse as they do in-process.
same "hook with 'check' after it" "$tmp/env.json" -- hook claude --no-audit check
same "hook with 'check' as the agent" "$tmp/env.json" -- hook check --no-audit
same "check of the command 'hook'" "$tmp/empty" -- check --no-audit hook
same "check with 'hook' after the command" "$tmp/empty" -- check --no-audit 'git status' hook
same "globals before hook" "$tmp/env.json" -- --no-color --policy "$policy" hook claude --no-audit
same "globals before check" "$tmp/empty" -- --policy="$policy" check --no-audit 'rm -rf ~'
same "hook --help" "$tmp/empty" -- hook --help
same "check --help" "$tmp/empty" -- check --help

# 3. Policy changes take effect on the next call (the engine cache is keyed by content).
"$bin" check --no-audit 'rm -rf src/old' >/dev/null; [ $? = 1 ] && ok || bad "in-project delete should ask"
printf 'format: 1\ntemp_dirs: ["%s"]\ndecisions: {destructive: deny}\n' "$tmp/scratch" > "$policy"
"$bin" check --no-audit 'rm -rf src/old' >/dev/null; rc=$?
[ $rc = 2 ] && [ "$(last_trace)" = served ] && ok || bad "policy edit not seen: exit $rc ($(last_trace))"
printf 'format: 1\ntemp_dirs: ["%s"]\nextra_packs: ["%s/acme.yaml"]\n' "$tmp/scratch" "$tmp" > "$policy"
cat > "$tmp/acme.yaml" <<'EOF'
format: 1
pack: {id: com.acme.test, version: 1.0.0, title: Test pack}
rules:
  - id: com.acme.test.frob
    title: frobnicate is forbidden
    applies_to: [shell.exec]
    when: {cmd: [frobnicate]}
    decision: deny
    severity: high
    message: 'no frobnicating'
EOF
"$bin" check --no-audit 'frobnicate now' >/dev/null; rc=$?
[ $rc = 2 ] && ok || bad "extra pack rule not applied: exit $rc"
sed -i 's/decision: deny/decision: ask/' "$tmp/acme.yaml"
touch -d '+2 seconds' "$tmp/acme.yaml"
"$bin" check --no-audit 'frobnicate now' >/dev/null; rc=$?
[ $rc = 1 ] && [ "$(last_trace)" = served ] && ok || bad "edited extra pack not seen: exit $rc"
printf 'format: 1\ntemp_dirs: ["%s"]\n' "$tmp/scratch" > "$policy"
printf 'format: 1\nrules: [\n' > "$HOME/project/.blastwall-broken.yaml"
mkdir -p "$HOME/project/.blastwall" && printf 'format: [\n' > "$HOME/project/.blastwall/policy.yaml"
"$bin" check --no-audit 'git status' >"$tmp/out" 2>&1; rc=$?
BLASTWALL_DAEMON=0 "$bin" check --no-audit 'git status' >"$tmp/out2" 2>&1; rc2=$?
[ $rc = $rc2 ] && [ $rc != 0 ] && ok || bad "broken project policy: served $rc, in-process $rc2 (must fail, alike)"
rm -rf "$HOME/project/.blastwall" "$HOME/project/.blastwall-broken.yaml"

# 4. The audit log: one row per recorded call, chain intact, file replacement noticed.
rows() { BLASTWALL_DAEMON=0 "$bin" log --json 2>/dev/null | wc -l; }
before=$(rows)
for c in 'git status' 'rm -rf ~' 'ls -la'; do "$bin" check "$c" >/dev/null; done
env_line 'rm -rf /' | "$bin" hook claude >/dev/null
[ "$(last_trace)" = served ] && ok || bad "recording calls were not served"
after=$(rows)
[ $((after - before)) = 4 ] && ok || bad "audit rows: $before -> $after, want +4"
"$bin" audit verify >/dev/null && ok || bad "audit verify fails after served writes"
rm -f "$XDG_STATE_HOME/blastwall/audit.db"*
"$bin" check 'git status' >/dev/null
[ "$(rows)" = 1 ] && ok || bad "after the database was removed the next row went elsewhere (rows: $(rows))"

# 5. Concurrent callers: every one answered, every one recorded.
before=$(rows)
env_line 'git status' > "$tmp/env.json"
for i in $(seq 8); do ("$bin" hook claude <"$tmp/env.json" >"$tmp/c$i.out"; echo $? >"$tmp/c$i.rc") & done
wait
good=0; for i in $(seq 8); do [ "$(cat "$tmp/c$i.rc")" = 0 ] && good=$((good+1)); done
[ $good = 8 ] && ok || bad "concurrent hooks: $good/8 exited 0"
[ $(($(rows) - before)) = 8 ] && ok || bad "concurrent hooks recorded $(($(rows) - before)) rows, want 8"

# 6. A host that never closes the hook's stdin gets the fail-closed answer within the budget.
start=$(date +%s%N)
"$bin" hook claude --no-audit --budget-ms 600 < <(env_line 'git status'; sleep 3) >"$tmp/out" 2>"$tmp/err"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ $ms -lt 2500 ] && ok || bad "stdin held open: answered after $ms ms (budget 600 ms)"
grep -q '"permissionDecision":"ask"' "$tmp/out" && ok || bad "stdin held open: no ask answer ($(cat "$tmp/out" "$tmp/err"))"
[ $rc = 0 ] && ok || bad "stdin held open: exit $rc"

# 7. A server killed with SIGKILL: the next call still answers (in-process) and a new one starts.
pkill -9 -f -- "--socket $BLASTWALL_RUNTIME_DIR/"; sleep 0.2
"$bin" check --no-audit 'rm -rf ~' >/dev/null; rc=$?
[ $rc = 2 ] && ok || bad "after SIGKILL: exit $rc, want 2"
warm && ok || bad "no new server after SIGKILL"

# 8. A rebuilt blastwall-core: the stale server hands the call back and exits.
touch "$core"
"$bin" check --no-audit 'rm -rf ~' >/dev/null; rc=$?
[ $rc = 2 ] && [ "$(last_trace)" = "exec fallback" ] && ok || bad "stale server: exit $rc ($(last_trace))"
warm && ok || bad "no fresh server after the rebuild"

# 9. A runtime directory others can enter is never used.
stop_server
chmod 755 "$BLASTWALL_RUNTIME_DIR"
"$bin" check --no-audit 'git status' >/dev/null; rc=$?
[ $rc = 0 ] && [ "$(last_trace)" = "exec no-runtime-dir" ] && ok || bad "open runtime dir: exit $rc ($(last_trace))"
chmod 700 "$BLASTWALL_RUNTIME_DIR"

# 10. Commands other than check and hook always run in-process.
"$bin" rules list >/dev/null; [ "$(last_trace)" = "exec not-served" ] && ok || bad "rules list was not exec'd"

echo "resident: $pass passed, $fail failed"
[ $fail = 0 ]
