#!/usr/bin/env bash
# Signed, distributed rule packs end to end: keygen/sign/verify (and the stock minisign both
# ways), packs add from a file, a directory and a real HTTPS server on 127.0.0.1 with a throwaway
# CA, update/sync/remove, the lockfile, the offline cache, tampering, wrong signer, wrong
# namespace, expired key, unreachable URL, a managed policy that requires and locks a pack,
# doctor, rules list origins and rules test --replay.
# Usage: packs_cli.sh BLASTWALL SOURCE_DIR
set -u
bin=$1
src=$2
tmp=$(mktemp -d "$PWD/packs_cli.XXXXXX")
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state XDG_CONFIG_HOME=$tmp/config
export BLASTWALL_MANAGED_DIR=$tmp/etc
unset BLASTWALL_CA_FILE BLASTWALL_KEY_PASSWORD
mkdir -p "$HOME/project/.git" "$XDG_CONFIG_HOME/blastwall" "$tmp/etc" "$tmp/keys" "$tmp/src" "$tmp/www"
echo 'ref: refs/heads/feature' > "$HOME/project/.git/HEAD"
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
lacks() {
  if grep -q -- "$1" "$tmp/out" "$tmp/err"; then
    fail=$((fail+1)); echo "FAIL $2: output has '$1'"; cat "$tmp/out" "$tmp/err"; else pass=$((pass+1)); fi
}
pack=com.acme.platform.yaml
cp "$src/examples/team-pack/$pack" "$tmp/src/$pack"

# ---- the worked example in examples/team-pack stays consistent
ex=$src/examples/team-pack
expect 0 "the example's signature verifies with its key" -- "$bin" packs verify "$ex/$pack" --pub "$ex/acme-security.pub"
expect 0 "... and against the example managed policy's trusted keys" -- "$bin" --policy "$ex/managed-policy.yaml" packs verify "$ex/$pack"
contains "signed by acme-security" "the example policy names the signer"
expect 0 "the example pack's cases pass" -- "$bin" rules test "$ex/$pack"

# ---- keys and signatures, both ways with the stock minisign
expect 0 "keygen" -- "$bin" packs keygen --out "$tmp/keys/acme"
contains "key id" "keygen prints the key id"
expect 1 "keygen refuses to overwrite" -- "$bin" packs keygen --out "$tmp/keys/acme"
[ "$(stat -c %a "$tmp/keys/acme.key")" = 600 ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL secret key is not 0600"; }
expect 0 "sign" -- "$bin" packs sign "$tmp/src/$pack" --key "$tmp/keys/acme.key"
expect 0 "stock minisign verifies blastwall's signature" -- minisign -V -q -p "$tmp/keys/acme.pub" -m "$tmp/src/$pack"
expect 0 "blastwall verifies it with --pub" -- "$bin" packs verify "$tmp/src/$pack" --pub "$tmp/keys/acme.pub"
contains "ok com.acme.platform@1.2.0" "verify names the pack"
minisign -G -W -p "$tmp/keys/ms.pub" -s "$tmp/keys/ms.key" >/dev/null 2>&1
cp "$tmp/src/$pack" "$tmp/ms-$pack"
minisign -S -s "$tmp/keys/ms.key" -m "$tmp/ms-$pack" >/dev/null 2>&1
expect 0 "blastwall verifies a stock minisign (prehashed) signature" -- "$bin" packs verify "$tmp/ms-$pack" --pub "$tmp/keys/ms.pub"
minisign -S -l -s "$tmp/keys/ms.key" -m "$tmp/ms-$pack" -x "$tmp/ms-legacy.minisig" >/dev/null 2>&1
expect 0 "blastwall verifies a stock minisign legacy signature" -- "$bin" packs verify "$tmp/ms-$pack" --pub "$tmp/keys/ms.pub" --sig "$tmp/ms-legacy.minisig"
expect 0 "blastwall signs with a minisign secret key" -- "$bin" packs sign "$tmp/ms-$pack" --key "$tmp/keys/ms.key"
expect 0 "... and minisign verifies that" -- minisign -V -q -p "$tmp/keys/ms.pub" -m "$tmp/ms-$pack"
expect 1 "the wrong key does not verify" -- "$bin" packs verify "$tmp/src/$pack" --pub "$tmp/keys/ms.pub"
contains "no policy trusts" "wrong key is named"
printf 'format: 1\npack: {id: x.y, version: 1.0.0}\nrules: [\n' > "$tmp/broken.yaml"
expect 3 "a pack that does not load is never signed" -- "$bin" packs sign "$tmp/broken.yaml" --key "$tmp/keys/acme.key"

# ---- the managed policy: trust acme's key for com.acme, require signed packs, require and lock the pack
acme_key=$(sed -n 2p "$tmp/keys/acme.pub")
cat > "$tmp/etc/policy.yaml" <<EOF
format: 1
packs:
  require_signed: true
  trusted_keys:
    - {name: acme-security, namespace: com.acme, key: $acme_key}
  required:
    - {id: com.acme.platform, min_version: 1.2.0}
EOF
expect 3 "a required pack that is not installed fails closed" -- "$bin" check --no-audit 'ls'
contains "requires pack com.acme.platform" "the error names the missing pack"
echo '{"hook_event_name":"PreToolUse","cwd":"'"$HOME/project"'","tool_name":"Bash","tool_input":{"command":"ls"}}' > "$tmp/env.json"
expect 0 "a hook answers fail-closed, never allow" -- bash -c "'$bin' hook claude --no-audit < '$tmp/env.json'"
contains '"permissionDecision":"ask"' "hook asks while the required pack is missing"
expect 1 "doctor reports the pack problem" -- "$bin" doctor
contains "requires pack com.acme.platform" "doctor says why"

# ---- install from a file; it is enforced
expect 0 "packs add FILE" -- "$bin" packs add "$tmp/src/$pack"
contains "installed com.acme.platform@1.2.0 signed by acme-security" "add reports the signer"
expect 1 "the installed pack asks" -- "$bin" check --no-audit 'shipit deploy api'
contains "com.acme.platform.shipit-prod" "the rule is named"
expect 2 "the installed pack denies" -- "$bin" check --no-audit "psql -h pg-main.acme.internal -c 'DELETE FROM t WHERE id=1'"
expect 0 "packs list" -- "$bin" packs list
contains "signed by acme-security" "list shows the signer"
contains "required" "list shows the requirement"
contains "verified" "list shows the verification status"
grep -q '"sha256": "'"$(sha256sum "$tmp/src/$pack" | cut -d' ' -f1)"'"' "$XDG_CONFIG_HOME/blastwall/packs.lock" && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL lockfile pins the sha256"; cat "$XDG_CONFIG_HOME/blastwall/packs.lock"; }
expect 0 "rules list shows where rules came from" -- "$bin" rules list
contains "installed" "rules list names the installed origin"
contains "acme-security" "rules list names the signer"
contains "locked" "rules list marks the locked pack"
# A first call reuses the verification record and the compiled copy; an altered compiled copy is
# not trusted: the pack is verified from its YAML again.
rec=$(ls "$XDG_STATE_HOME"/blastwall/packs/*.yaml.verified 2>/dev/null | head -1)
[ -n "$rec" ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL no verification record in the cache"; }
printf 'x' >> "${rec%.verified}.cbor"
expect 2 "an altered compiled copy falls back to full verification" -- env BLASTWALL_DAEMON=0 "$bin" check --no-audit "psql -h pg-main.acme.internal -c 'DELETE FROM t WHERE id=1'"
expect 1 "... and the rules are the signed ones" -- env BLASTWALL_DAEMON=0 "$bin" check --no-audit 'shipit deploy api'
expect 0 "doctor is happy" -- "$bin" doctor
contains "com.acme.platform@1.2.0 signed by acme-security" "doctor lists the verified pack"

# ---- bad input: nothing installed, the previous pack stays in force
cp "$tmp/src/$pack" "$tmp/t.yaml"; cp "$tmp/src/$pack.minisig" "$tmp/t.yaml.minisig"
sed -i 's/decision: deny/decision: allow/' "$tmp/t.yaml"
expect 1 "a tampered pack is refused" -- "$bin" packs add "$tmp/t.yaml"
contains "does not match the content" "tampering is named"
contains "previous packs stay in force\|not installed" "and nothing changes"
expect 2 "the verified pack still denies" -- "$bin" check --no-audit "psql -h pg-main.acme.internal -c 'DELETE FROM t WHERE id=1'"
head -c 400 "$tmp/src/$pack" > "$tmp/trunc.yaml"; cp "$tmp/src/$pack.minisig" "$tmp/trunc.yaml.minisig"
expect 1 "a truncated pack is refused" -- "$bin" packs add "$tmp/trunc.yaml"
cp "$tmp/src/$pack" "$tmp/other.yaml"
"$bin" packs sign "$tmp/other.yaml" --key "$tmp/keys/ms.key" >/dev/null
expect 1 "a pack signed by an untrusted key is refused" -- "$bin" packs add "$tmp/other.yaml"
contains "no policy trusts" "wrong signer is named"
sed 's/com\.acme\.platform/org.evil.platform/g' "$tmp/src/$pack" > "$tmp/evil.yaml"
"$bin" packs sign "$tmp/evil.yaml" --key "$tmp/keys/acme.key" >/dev/null
expect 1 "acme's key may not sign another namespace" -- "$bin" packs add "$tmp/evil.yaml"
contains "trusted only for com.acme" "wrong namespace is named"
sed 's/^  version: 1.2.0/  version: 1.3.0/' "$tmp/src/$pack" > "$tmp/unsigned.yaml"
expect 1 "an unsigned pack is refused when signatures are required" -- "$bin" packs add "$tmp/unsigned.yaml"
contains "requires signed packs" "the requirement is named"
sed 's/^  version: 1.2.0/  version: 1.1.0/' "$tmp/src/$pack" > "$tmp/old.yaml"
"$bin" packs sign "$tmp/old.yaml" --key "$tmp/keys/acme.key" >/dev/null
expect 1 "a downgrade is refused" -- "$bin" packs add "$tmp/old.yaml"
contains "older than the installed" "downgrade is named"

# ---- expired key (the user tier trusts a key for its own namespace until 2020)
"$bin" packs keygen --out "$tmp/keys/me" >/dev/null
sed 's/com\.acme\.platform/dev.me.tools/g' "$tmp/src/$pack" > "$tmp/mine.yaml"
"$bin" packs sign "$tmp/mine.yaml" --key "$tmp/keys/me.key" >/dev/null
cat > "$XDG_CONFIG_HOME/blastwall/policy.yaml" <<EOF
packs:
  trusted_keys:
    - {name: me, namespace: dev.me, key: $(sed -n 2p "$tmp/keys/me.pub"), not_after: 2020-01-31}
EOF
expect 1 "a pack signed by an expired key is refused" -- "$bin" packs add "$tmp/mine.yaml"
contains "expired on 2020-01-31" "expiry is named"
sed -i 's/2020-01-31/2999-12-31/' "$XDG_CONFIG_HOME/blastwall/policy.yaml"
expect 0 "the same key before its expiry installs" -- "$bin" packs add "$tmp/mine.yaml"
# The user tier may not sign into the managed namespace with its own key.
sed -i 's/namespace: dev.me/namespace: "*"/' "$XDG_CONFIG_HOME/blastwall/policy.yaml"
sed 's/^  version: 1.2.0/  version: 9.0.0/' "$tmp/src/$pack" > "$tmp/usurp.yaml"
"$bin" packs sign "$tmp/usurp.yaml" --key "$tmp/keys/me.key" >/dev/null
expect 1 "a user key cannot replace the organisation's pack" -- "$bin" packs add "$tmp/usurp.yaml"
contains "reserves the namespace" "the reserved namespace is named"
expect 0 "removing the user's pack" -- "$bin" packs remove dev.me.tools
rm "$XDG_CONFIG_HOME/blastwall/policy.yaml"

# ---- managed locks: user and project layers may only tighten the required pack
printf 'rules:\n  com.acme.platform.shared-db-write: {enabled: false}\n' > "$XDG_CONFIG_HOME/blastwall/policy.yaml"
expect 3 "a user layer may not disable a locked rule" -- "$bin" check --no-audit ls
contains "locks this pack" "the lock is named"
printf 'rules:\n  com.acme.platform.shipit-prod: {decision: deny}\n' > "$XDG_CONFIG_HOME/blastwall/policy.yaml"
expect 2 "a user layer may tighten a locked rule" -- "$bin" check --no-audit 'shipit deploy api'
rm "$XDG_CONFIG_HOME/blastwall/policy.yaml"
mkdir -p .blastwall
printf 'disable: {packs: [com.acme.platform]}\n' > .blastwall/policy.yaml
expect 3 "a project layer may not disable it either" -- "$bin" check --no-audit ls
mkdir -p .blastwall/packs
printf 'format: 1\npack: {id: core.filesystem, version: 9.0.0}\nrules: []\n' > .blastwall/packs/fs.yaml
printf 'extra_packs: [packs/fs.yaml]\n' > .blastwall/policy.yaml
expect 3 "a project pack may not replace a shipped pack" -- "$bin" check --no-audit 'rm -rf ~'
contains "may only tighten" "replacement is refused"
rm -rf .blastwall
expect 3 "a required pack cannot be removed" -- "$bin" packs remove com.acme.platform
contains "required by" "removal refusal names the policy"

# ---- HTTPS on 127.0.0.1 with a throwaway CA
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/ca.key" \
  -out "$tmp/ca.pem" -days 2 -subj /CN=blastwall-test-ca >/dev/null 2>&1
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/srv.key" \
  -out "$tmp/srv.csr" -subj /CN=127.0.0.1 >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$tmp/ext.cnf"
openssl x509 -req -in "$tmp/srv.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
  -out "$tmp/srv.pem" -days 2 -extfile "$tmp/ext.cnf" >/dev/null 2>&1
start_server() {
  rm -f "$tmp/port"
  python3 "$src/tests/integration/https_server.py" "$tmp/www" "$tmp/srv.pem" "$tmp/srv.key" "$tmp/port" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
  port=$(cat "$tmp/port")
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null; server_pid=; }
sed 's/^  version: 1.2.0/  version: 1.3.0/' "$tmp/src/$pack" > "$tmp/www/$pack"
"$bin" packs sign "$tmp/www/$pack" --key "$tmp/keys/acme.key" >/dev/null
start_server
url=https://127.0.0.1:$port/$pack
expect 1 "a server certificate from an unknown CA is refused" -- "$bin" packs add "$url"
contains "TLS" "the TLS failure is named"
expect 1 "plain http:// is refused" -- "$bin" packs add "http://127.0.0.1:$port/$pack"
contains "only https://" "http refusal is named"
expect 0 "packs add https:// with --ca-file" -- "$bin" packs add "$url" --ca-file "$tmp/ca.pem"
contains "installed com.acme.platform@1.3.0" "the HTTPS pack is installed"
expect 0 "a bounded redirect is followed (CA from the environment)" -- env BLASTWALL_CA_FILE="$tmp/ca.pem" "$bin" packs add "https://127.0.0.1:$port/redirect/$pack"
expect 1 "a missing URL is an HTTP error" -- "$bin" packs add "https://127.0.0.1:$port/nope.yaml" --ca-file "$tmp/ca.pem"
contains "HTTP 404" "404 is named"
expect 1 "a slow server times out" -- "$bin" packs add "https://127.0.0.1:$port/slow/$pack" --ca-file "$tmp/ca.pem" --timeout-ms 500
contains "timed out" "the timeout is named"
expect 0 "packs update with nothing new" -- "$bin" packs update --ca-file "$tmp/ca.pem"
contains "up to date com.acme.platform@1.3.0" "update reports up to date"
sed -i 's/^  version: 1.3.0/  version: 1.4.0/' "$tmp/www/$pack"
"$bin" packs sign "$tmp/www/$pack" --key "$tmp/keys/acme.key" >/dev/null
expect 0 "packs update fetches and verifies a new version" -- "$bin" packs update --ca-file "$tmp/ca.pem"
contains "updated com.acme.platform 1.3.0 -> 1.4.0" "update reports the new version"
sed -i 's/^  version: 1.4.0/  version: 1.5.0/; s/decision: deny/decision: allow/' "$tmp/www/$pack"
expect 1 "an update that fails verification keeps the installed pack" -- "$bin" packs update --ca-file "$tmp/ca.pem"
contains "kept com.acme.platform@1.4.0" "the installed version is kept"
expect 2 "and the installed pack still denies" -- "$bin" check --no-audit "psql -h pg-main.acme.internal -c 'DELETE FROM t WHERE id=1'"
stop_server
expect 1 "an unreachable URL keeps the installed pack" -- "$bin" packs update --ca-file "$tmp/ca.pem"
contains "cannot fetch" "unreachable is named"
expect 1 "offline: checks run from the cache" -- "$bin" check --no-audit 'shipit deploy api'

# ---- lockfile and cache integrity
sha=$(grep -o '"sha256": "[0-9a-f]*"' "$XDG_CONFIG_HOME/blastwall/packs.lock" | cut -d'"' -f4)
cached=$XDG_STATE_HOME/blastwall/packs/$sha.yaml
cp "$cached" "$tmp/cached.bak"
chmod u+w "$cached"
# The resident engine re-stats nothing while the cache is unchanged (an inotify watch) and still
# sees an in-place rewrite of the same size with the old mtime restored on its next call.
export BLASTWALL_FRONT_TRACE=$tmp/trace
for _ in $(seq 50); do
  "$bin" check --no-audit ls >/dev/null 2>&1
  [ "$(tail -n 1 "$tmp/trace" 2>/dev/null)" = served ] && break; sleep 0.1
done
python3 - "$cached" <<'PY'
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read())
i = b.index(b'acme'); b[i] = ord('A')  # same size, different bytes
open(p, 'r+b').write(bytes(b))
PY
touch -r "$tmp/cached.bak" "$cached"
expect 3 "resident: a same-size rewrite of a cache file fails closed" -- "$bin" check --no-audit ls
served=$(tail -n 1 "$tmp/trace")
if [ "$served" = served ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL the resident engine did not answer ($served)"; fi
cp "$tmp/cached.bak" "$cached"
expect 1 "resident: the restored cache file is in force again" -- "$bin" check --no-audit 'shipit deploy api'
# The lockfile is remembered under the same watch (cli/path_watch.hpp): an edit in place with its
# mtime restored, and a replacement by rename, are seen by the very next resident call.
lockf=$XDG_CONFIG_HOME/blastwall/packs.lock
cp -p "$lockf" "$tmp/lock.bak"
other=$(printf '%s' "$sha" | tr '0-9a-f' '1-9a-f0')
python3 - "$lockf" "$sha" "$other" <<'PY'
import sys
p, old, new = sys.argv[1:]
b = open(p, 'rb').read()
assert old.encode() in b
open(p, 'r+b').write(b.replace(old.encode(), new.encode()))
PY
touch -r "$tmp/lock.bak" "$lockf"
expect 3 "resident: a lockfile edited in place (mtime restored) is seen on the next call" -- "$bin" check --no-audit ls
contains "missing from the cache" "the edited lockfile's pack is looked up"
[ "$(tail -n 1 "$tmp/trace")" = served ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL the resident engine did not answer"; }
cp -p "$tmp/lock.bak" "$lockf.new" && mv "$lockf.new" "$lockf"
expect 1 "resident: a lockfile replaced by rename is seen on the next call" -- "$bin" check --no-audit 'shipit deploy api'
[ "$(tail -n 1 "$tmp/trace")" = served ] && pass=$((pass+1)) || { fail=$((fail+1)); echo "FAIL the resident engine did not answer"; }
mv "$XDG_CONFIG_HOME/blastwall" "$XDG_CONFIG_HOME/blastwall.away"
expect 3 "resident: a config directory moved away takes its packs with it" -- "$bin" check --no-audit 'shipit deploy api'
contains "requires pack com.acme.platform" "the required pack is missing again"
mv "$XDG_CONFIG_HOME/blastwall.away" "$XDG_CONFIG_HOME/blastwall"
expect 1 "resident: ... and moved back brings them back" -- "$bin" check --no-audit 'shipit deploy api'
unset BLASTWALL_FRONT_TRACE
echo '# edited' >> "$cached"
expect 3 "an altered cache file fails closed" -- "$bin" check --no-audit ls
contains "does not match the sha256 in packs.lock" "the mismatch is named"
expect 1 "doctor reports it" -- "$bin" doctor
contains "PROBLEM  com.acme.platform" "doctor names the pack"
expect 1 "sync with the source down cannot repair" -- "$bin" packs sync --ca-file "$tmp/ca.pem"
sed -i 's/^  version: 1.5.0/  version: 1.4.0/; s/decision: allow/decision: deny/' "$tmp/www/$pack"
start_server
sed -i "s#127.0.0.1:[0-9]*#127.0.0.1:$port#" "$XDG_CONFIG_HOME/blastwall/packs.lock"
expect 0 "sync restores the pinned bytes" -- "$bin" packs sync --ca-file "$tmp/ca.pem"
contains "restored com.acme.platform@1.4.0" "sync restored it"
expect 1 "checks work again" -- "$bin" check --no-audit 'shipit deploy api'
sed -i 's/^  version: 1.4.0/  version: 1.6.0/' "$tmp/www/$pack"
"$bin" packs sign "$tmp/www/$pack" --key "$tmp/keys/acme.key" >/dev/null
rm "$cached"
expect 1 "sync refuses content the lockfile does not pin" -- "$bin" packs sync --ca-file "$tmp/ca.pem"
contains "lockfile mismatch" "the mismatch is named"
stop_server
cp "$tmp/cached.bak" "$cached"
expect 1 "the restored cache works offline" -- "$bin" check --no-audit 'shipit deploy api'

# ---- directory source and rules test --replay for authors
mkdir -p "$tmp/dir"
sed 's/com\.acme\.platform/com.acme.extra/g' "$tmp/src/$pack" > "$tmp/dir/extra.yaml"
"$bin" packs sign "$tmp/dir/extra.yaml" --key "$tmp/keys/acme.key" >/dev/null
expect 0 "packs add DIR" -- "$bin" packs add "$tmp/dir"
contains "installed com.acme.extra@1.2.0" "the directory's pack is installed"
expect 0 "packs add file://" -- "$bin" packs add "file://$tmp/dir/extra.yaml"
"$bin" check 'shipit deploy web' >/dev/null 2>&1
"$bin" check 'git status' >/dev/null 2>&1
sed 's/shipit-prod/shipit-any/; s/com\.acme\.platform/com.acme.next/g' "$tmp/src/$pack" > "$tmp/next.yaml"
expect 0 "rules test --replay runs the cases and the audit log" -- "$bin" rules test "$tmp/next.yaml" --replay
contains "passed, 0 failed" "embedded cases pass"
contains "com.acme.next.shipit-any" "the replay reports per rule"
expect 0 "packs list --json" -- "$bin" packs list --json
contains '"verified":true' "json verification status"

echo "packs_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
