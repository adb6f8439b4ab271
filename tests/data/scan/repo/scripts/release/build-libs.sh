#!/bin/sh
# temporal-libs: allow-rust-file this script runs inside the release workflow only
set -eu
for target in x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu; do
  cargo rustc -p temporal-sdk-core-c-bridge --crate-type staticlib --release --target "$target"
done
