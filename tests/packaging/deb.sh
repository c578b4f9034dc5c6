#!/usr/bin/env bash
# The Debian package: built by CPack from this build tree, inspected with dpkg-deb (fields,
# computed Depends, contents, stripped binaries), then — only when running as root, as CI does on
# a fresh Debian 12 — installed with apt-get, used (`blastwall doctor`, `man -w`, bash completion)
# and purged. Not root: everything up to the install runs, then the test exits 77 (SKIPPED).
# usage: deb.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1
work=$(mktemp -d /tmp/bw-deb-XXXXXX)
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=300 blastwall \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fails=0
n=0
check() {
  n=$((n + 1))
  if eval "$2"; then echo "ok - $1"; else echo "FAIL - $1"; fails=$((fails + 1)); fi
}

if ! (cd "$BUILD" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1); then
  cat "$work/cpack.log"
  echo "FAIL - cpack -G DEB"
  exit 1
fi
deb=$(ls "$work"/out/blastwall_*.deb)
version=$("$BUILD/blastwall" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
field() { dpkg-deb --field "$deb" "$1"; }
check "file name blastwall_<version>_<arch>.deb" "[ \"\$(basename $deb)\" = blastwall_${version}_${arch}.deb ]"
check "Package" "[ \"\$(field Package)\" = blastwall ]"
check "Version" "[ \"\$(field Version)\" = $version ]"
check "Architecture" "[ \"\$(field Architecture)\" = $arch ]"
check "Maintainer" "field Maintainer | grep -q '<.*@.*>'"
check "Section and Priority" "[ \"\$(field Section)\" = devel ] && [ \"\$(field Priority)\" = optional ]"
check "Description has a summary and a long text" "[ \$(field Description | wc -l) -ge 3 ]"
depends=$(field Depends)
echo "# Depends: $depends"
for lib in libc6 libstdc++6 libsqlite3-0 libsodium23 libre2-9 libyaml-cpp0.7 libssl3; do
  check "Depends (dpkg-shlibdeps) names $lib" "grep -q '$lib (>=' <<<\"\$depends\""
done
dpkg-deb --contents "$deb" | awk '{print $6}' >"$work/contents"
check "contents under /usr only" "! grep -v '^\./usr/' $work/contents | grep -qv '^\./\$'"
for f in bin/blastwall bin/blastwall-core share/man/man1/blastwall.1.gz \
  share/man/man1/blastwall-check.1.gz share/man/man1/blastwall-audit-ship.1.gz \
  share/bash-completion/completions/blastwall share/zsh/vendor-completions/_blastwall \
  share/fish/vendor_completions.d/blastwall.fish share/doc/blastwall/README.md \
  share/doc/blastwall/docs/TEAMS.md share/doc/blastwall/examples/policy.yaml; do
  check "contains /usr/$f" "grep -qx './usr/$f' $work/contents"
done
dpkg-deb -x "$deb" "$work/x"
check "blastwall-core is stripped" "file $work/x/usr/bin/blastwall-core | grep -q ', stripped'"
size=$(stat -c %s "$deb")
echo "# package size: $size bytes"
check "package under 40 MB" "[ $size -lt 40000000 ]"

if [ "$(id -u)" != 0 ]; then
  echo "$((n - fails)) passed, $fails failed; install step SKIPPED: not root"
  [ "$fails" = 0 ] || exit 1
  exit 77
fi
if dpkg -s blastwall >/dev/null 2>&1; then
  echo "$((n - fails)) passed, $fails failed; install step SKIPPED: a blastwall package is already installed here"
  [ "$fails" = 0 ] || exit 1
  exit 77
fi
installed=1
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 "$deb" \
  >"$work/apt.log" 2>&1; then
  cat "$work/apt.log"
  echo "FAIL - apt-get install ./blastwall_*.deb"
  exit 1
fi
export HOME=$work/home XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config BLASTWALL_DAEMON=0
mkdir -p "$HOME"
check "dpkg says installed" "dpkg -s blastwall | grep -q '^Status: install ok installed'"
check "/usr/bin/blastwall --version" "[ \"\$(/usr/bin/blastwall --version)\" = 'blastwall $version' ]"
set +e
/usr/bin/blastwall doctor >"$work/doctor.out" 2>&1
rc=$?
set -e
cat "$work/doctor.out" | sed 's/^/# doctor: /'
check "installed blastwall doctor passes" "[ $rc = 0 ] && grep -q '^0 problem(s)' $work/doctor.out"
set +e
/usr/bin/blastwall check --no-audit 'rm -rf ~' >/dev/null
rc=$?
set -e
check "installed blastwall check denies rm -rf ~" "[ $rc = 2 ]"
check "man -w blastwall-check" "[ \"\$(man -w blastwall-check)\" = /usr/share/man/man1/blastwall-check.1.gz ]"
check "man blastwall-audit-ship renders" "MANPAGER=cat man blastwall-audit-ship 2>/dev/null | grep -q 'EXIT STATUS'"
if [ -f /usr/share/bash-completion/bash_completion ]; then
  check "bash-completion loads the installed completion" "bash --norc -c 'source /usr/share/bash-completion/bash_completion; __load_completion blastwall; complete -p blastwall' | grep -q _blastwall"
fi
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=300 blastwall >/dev/null 2>&1
installed=0
check "purged: /usr/bin/blastwall gone" "[ ! -e /usr/bin/blastwall ] && ! dpkg -s blastwall >/dev/null 2>&1"

echo "$((n - fails)) passed, $fails failed"
[ "$fails" = 0 ]
