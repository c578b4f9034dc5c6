#!/usr/bin/env bash
# `cmake --install` into a DESTDIR: the tree a user gets (binaries, man pages, completions, docs,
# examples, nothing in /etc), and the installed binaries working from there.
# usage: install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
SRC=$2
work=$(mktemp -d /tmp/bw-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
fails=0
n=0
check() {
  n=$((n + 1))
  if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi
}
DESTDIR=$work/root cmake --install "$BUILD" --prefix /opt/bw >"$work/install.log"
root=$work/root/opt/bw
check "prefix respected: nothing outside it" "[ \"\$(ls $work/root)\" = opt ] && [ \"\$(ls $work/root/opt)\" = bw ]"
check "blastwall and blastwall-core in bin" "[ -x $root/bin/blastwall ] && [ -x $root/bin/blastwall-core ]"
check "no build helpers installed" "[ \$(ls $root/bin | wc -l) = 2 ]"
check "nothing in etc" "[ ! -e $root/etc ]"
check "man pages gzipped in share/man/man1" "[ -f $root/share/man/man1/blastwall.1.gz ] && [ -f $root/share/man/man1/blastwall-check.1.gz ] && [ -f $root/share/man/man1/blastwall-audit-ship.1.gz ] && [ -f $root/share/man/man1/blastwall-packs-add.1.gz ]"
check "one page per generated page" "[ \$(ls $root/share/man/man1 | wc -l) = \$(ls $BUILD/man/man1/*.1 | wc -l) ]"
check "man finds an installed page" "MANPATH=$root/share/man man -w blastwall-check | grep -q '$root/share/man/man1/blastwall-check.1.gz'"
check "man renders the blastwall-core alias" "MANPATH=$root/share/man MANPAGER=cat man blastwall-core 2>/dev/null | grep -q 'GLOBAL OPTIONS'"
check "bash completion" "[ -f $root/share/bash-completion/completions/blastwall ] && [ -f $root/share/bash-completion/completions/blastwall-core ]"
check "zsh completion" "[ -f $root/share/zsh/vendor-completions/_blastwall ]"
check "fish completion" "[ -f $root/share/fish/vendor_completions.d/blastwall.fish ]"
check "docs" "[ -f $root/share/doc/blastwall/README.md ] && [ -f $root/share/doc/blastwall/docs/TEAMS.md ] && [ -f $root/share/doc/blastwall/docs/RULES.md ]"
check "examples" "[ -f $root/share/doc/blastwall/examples/policy.yaml ] && [ -f $root/share/doc/blastwall/examples/ship.yaml ] && [ -f $root/share/doc/blastwall/examples/team-pack/com.acme.platform.yaml ]"

# The installed binaries work from there: the front finds the installed core next to itself.
export HOME=$work/home XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config BLASTWALL_DAEMON=0
mkdir -p "$HOME"
check "installed blastwall --version" "$root/bin/blastwall --version | grep -q '^blastwall [0-9]'"
set +e
"$root/bin/blastwall" check --no-audit 'rm -rf ~' >/dev/null
rc=$?
set -e
check "installed blastwall denies rm -rf ~ (exit 2)" "[ $rc = 2 ]"
check "example policy loads" "$root/bin/blastwall --policy $root/share/doc/blastwall/examples/policy.yaml check --no-audit 'git status' >/dev/null"
check "example ship.yaml parses" "BLASTWALL_OTLP_TOKEN=x $root/bin/blastwall --audit-db $work/a.db audit ship --config $root/share/doc/blastwall/examples/ship.yaml --status >/dev/null"

# Default prefix from the Makefile's variables: PREFIX and DESTDIR.
rm -rf "$work/root2"
make -s -C "$SRC" install-only BUILD_DIR="$BUILD" PREFIX=/usr DESTDIR="$work/root2" >/dev/null
check "make install PREFIX=/usr DESTDIR=..." "[ -x $work/root2/usr/bin/blastwall ] && [ -f $work/root2/usr/share/man/man1/blastwall.1.gz ]"

echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
