#!/usr/bin/env bash
# What 20 installed, signed packs cost (docs/PERFORMANCE.md "Signed packs"): `blastwall check`
# with no installed packs against the same call with 20 signed packs installed (packs.lock +
# cache, each verified: sha256 against the lockfile, Ed25519 signature, YAML parse), interleaved.
#   - in-process (BLASTWALL_DAEMON=0): every call builds its engine, i.e. the cost of a first call;
#   - resident engine (the default): later calls, answered from the cached engine.
#
# usage: bash bench/packs.sh BUILD_DIR [ROUNDS] [PACKS] [MODE]   (Release build for recorded figures)
# MODE: time (default; the above), or what one later call of the resident engine does, with and
# without the packs (docs/PERFORMANCE.md "Later calls, session 5"):
#   syscalls      strace -c of the running server over ROUNDS calls per case, per call;
#   instructions  callgrind of the request path (bench/resident_instr.cpp: the server's poll and
#                 run_cli in-process, as `serve` does), batches of 20 calls, per call.
set -euo pipefail
usage="usage: packs.sh BUILD_DIR [ROUNDS] [PACKS] [time|syscalls|instructions]"
build=$(cd "${1:?$usage}" && pwd)
rounds=${2:-200}
npacks=${3:-20}
mode=${4:-time}
bw=$build/blastwall
src=$(cd "$(dirname "$0")/.." && pwd)
timer=$build/bench/blastwall_proc_timer
[ -x "$timer" ] || cmake --build "$build" --target blastwall_proc_timer >/dev/null
tmp=$(mktemp -d "$PWD/.bench-packs.XXXXXX")
export BLASTWALL_RUNTIME_DIR=$tmp/run BLASTWALL_FRONT_TRACE=$tmp/trace
export HOME=$tmp/home XDG_STATE_HOME=$tmp/state BLASTWALL_MANAGED_DIR=$tmp/etc
# The resident engine started here exits by itself 10 s after the last call.
export BLASTWALL_DAEMON_IDLE=10
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$HOME/project/.git" "$tmp/packs" "$tmp/etc" "$tmp/none/blastwall" "$tmp/with/blastwall"
echo 'ref: refs/heads/feature/x' > "$HOME/project/.git/HEAD"
cd "$HOME/project"

"$bw" packs keygen --out "$tmp/bench" >/dev/null
for i in $(seq -w 1 "$npacks"); do
  sed "s/com\.acme\.platform/com.bench.p$i/g" "$src/examples/team-pack/com.acme.platform.yaml" \
    > "$tmp/packs/p$i.yaml"
  "$bw" packs sign "$tmp/packs/p$i.yaml" --key "$tmp/bench.key" >/dev/null
done
# The same managed policy for both cases (trust + require signatures), so only the packs differ.
printf 'packs:\n  require_signed: true\n  trusted_keys:\n    - {name: bench, namespace: com.bench, key: %s}\n' \
  "$(sed -n 2p "$tmp/bench.pub")" > "$tmp/etc/policy.yaml"
XDG_CONFIG_HOME=$tmp/with "$bw" packs add "$tmp/packs" >/dev/null
XDG_CONFIG_HOME=$tmp/with "$bw" packs list | grep -c verified | sed 's/^/verified packs installed: /'
XDG_CONFIG_HOME=$tmp/with "$bw" check --no-audit 'shipit deploy api' >/dev/null && exit 1 || true

for cfg in none with; do  # start the resident engine and warm both engines
  for _ in $(seq 100); do
    XDG_CONFIG_HOME=$tmp/$cfg "$bw" check --no-audit true >/dev/null 2>&1 || true
    [ "$(tail -n1 "$tmp/trace")" = served ] && break
    sleep 0.1
  done
done
[ "$(tail -n1 "$tmp/trace")" = served ] || { echo "the resident engine did not start" >&2; exit 1; }
unset BLASTWALL_FRONT_TRACE
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$mode" = syscalls ]; then
  # The server the calls above started: the process whose socket is in our runtime directory.
  server=$(pgrep -f -- "serve --socket $BLASTWALL_RUNTIME_DIR/" | head -1)
  [ -n "$server" ] || { echo "no resident engine found" >&2; exit 1; }
  mkdir -p "$tmp/strace"
  for round in 1 2; do
    for cfg in none with; do
      XDG_CONFIG_HOME=$tmp/$cfg "$bw" check --no-audit 'git status' >/dev/null 2>&1 || true
      strace -c -o "$tmp/strace/$cfg" -p "$server" 2>/dev/null & tracer=$!
      sleep 0.5
      for _ in $(seq "$rounds"); do
        XDG_CONFIG_HOME=$tmp/$cfg "$bw" check --no-audit 'git status' >/dev/null 2>&1 || true
      done
      kill -INT "$tracer"; wait "$tracer" || true
      label=$([ "$cfg" = none ] && echo "0 packs" || echo "$npacks signed packs")
      awk -v n="$rounds" -v label="$label" -v round="$round" '
        $1 ~ /^[0-9.]+$/ && NF >= 5 { name = $NF; calls = $4
          if (name != "total" && name != "restart_syscall") { total += calls; per[name] = calls } }
        END { printf "round %d, %-18s %6.2f system calls per later call:", round, label, total / n
              for (k in per) printf " %s %.2f", k, per[k] / n; printf "\n" }' "$tmp/strace/$cfg"
    done
  done
  exit 0
fi
if [ "$mode" = instructions ]; then
  instr=$build/bench/blastwall_resident_instr
  [ -x "$instr" ] || cmake --build "$build" --target blastwall_resident_instr >/dev/null
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.%p" "$instr" 20 3 'git status' \
    "0 packs=$tmp/none" "$npacks signed packs=$tmp/with" >/dev/null 2>"$tmp/vg.err"
  for f in $(ls "$tmp"/cg.*.* | sort -t. -k3 -n); do
    name=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
    [ -n "$name" ] || continue
    total=$(sed -n 's/^totals: //p' "$f" | head -1)
    awk -v name="$name" -v t="$total" 'BEGIN { printf "%-20s %10.1f k instructions per later call\n", name, t / 20 / 1000 }'
  done
  exit 0
fi

T=$'\t'
{
  echo "first call (in-process), 0 packs${T}-${T}/usr/bin/env${T}BLASTWALL_DAEMON=0${T}XDG_CONFIG_HOME=$tmp/none${T}$bw${T}check${T}--no-audit${T}git status"
  echo "first call (in-process), $npacks signed packs${T}-${T}/usr/bin/env${T}BLASTWALL_DAEMON=0${T}XDG_CONFIG_HOME=$tmp/with${T}$bw${T}check${T}--no-audit${T}git status"
} > "$tmp/spec-first"
{
  echo "resident, 0 packs${T}-${T}/usr/bin/env${T}XDG_CONFIG_HOME=$tmp/none${T}$bw${T}check${T}--no-audit${T}git status"
  echo "resident, $npacks signed packs${T}-${T}/usr/bin/env${T}XDG_CONFIG_HOME=$tmp/with${T}$bw${T}check${T}--no-audit${T}git status"
} > "$tmp/spec-resident"

echo "== first call: engine built per process, $rounds interleaved rounds"
"$timer" "$tmp/spec-first" "$rounds" 10
echo "== later calls: resident engine, $((rounds * 2)) interleaved rounds"
"$timer" "$tmp/spec-resident" "$((rounds * 2))" 20
