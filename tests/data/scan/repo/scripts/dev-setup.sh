#!/bin/sh
# Developer setup: everything comes prebuilt now.
set -eu
temporal-libs download
echo "You do not need cargo, rustc or rustup anymore."
printf '%s\n' "If you see 'cargo build' in old docs, ignore it."
