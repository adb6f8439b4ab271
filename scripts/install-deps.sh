#!/usr/bin/env bash
# Installs the Debian packages temporal-libs needs, from the lists in
# scripts/deps/: build.txt always, plus any other list named on the command line
# (test, bench, ...). Packages already installed are not asked for again, so a
# warm machine pays nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lists=("build" "$@")
wanted=()
for list in "${lists[@]}"; do
  file="$here/deps/$list.txt"
  [ -f "$file" ] || { echo "install-deps: no package list '$file'" >&2; exit 2; }
  while read -r pkg; do
    pkg="${pkg%%#*}"; pkg="$(echo "$pkg" | xargs)"
    [ -n "$pkg" ] && wanted+=("$pkg")
  done < "$file"
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
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
