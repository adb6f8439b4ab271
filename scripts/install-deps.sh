#!/usr/bin/env bash
# Installs the Debian packages temporal-libs needs, from the lists in
# scripts/deps/: build.txt always, plus for each name given on the command line
# every list called NAME.txt or NAME-*.txt (so "test" takes test.txt and
# test-objfile.txt). Packages already installed are not asked for again, so a
# warm machine pays nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lists=("build" "$@")
wanted=()
for list in "${lists[@]}"; do
  files=()
  for f in "$here/deps/$list.txt" "$here/deps/$list"-*.txt; do
    [ -f "$f" ] && files+=("$f")
  done
  [ "${#files[@]}" -gt 0 ] || { echo "install-deps: no package list '$list' in $here/deps" >&2; exit 2; }
  for file in "${files[@]}"; do
    while read -r pkg; do
      pkg="${pkg%%#*}"; pkg="$(echo "$pkg" | xargs)"
      [ -n "$pkg" ] && wanted+=("$pkg")
    done < "$file"
  done
done
# A package of another architecture (name:arm64) needs that architecture
# added to dpkg first (multiarch); apt-get update below then fetches its index.
add_archs=()
for pkg in "${wanted[@]}"; do
  case "$pkg" in
    *:*)
      a="${pkg##*:}"
      if [ "$a" != "$(dpkg --print-architecture)" ] \
         && ! dpkg --print-foreign-architectures | grep -qx "$a" \
         && [[ " ${add_archs[*]} " != *" $a "* ]]; then
        add_archs+=("$a")
      fi ;;
  esac
done
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
for a in "${add_archs[@]}"; do
  echo "install-deps: adding the $a architecture (dpkg --add-architecture)"
  $SUDO dpkg --add-architecture "$a"
done
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
