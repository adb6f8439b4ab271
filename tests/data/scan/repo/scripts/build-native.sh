#!/usr/bin/env bash
# Builds the native bridge. Usage: scripts/build-native.sh [target]
# Historically this ran `cargo build` directly; see docs/migration.md.
set -euo pipefail

TARGET="${1:-$(rustc -vV | sed -n 's/^host: //p')}"
SDK_CORE_DIR="${SDK_CORE_DIR:-vendor/sdk-core}"

log() { echo "[build-native] $*" >&2; }

ensure_toolchain() {
  if ! command -v cargo >/dev/null 2>&1; then
    log "cargo not found; installing rustc and cargo with apt"
    sudo apt-get install -y rustc cargo
  fi
}

fetch_sources() {
  if [ ! -d "$SDK_CORE_DIR" ]; then
    git clone --depth 1 \
      https://github.com/temporalio/sdk-core.git "$SDK_CORE_DIR"
  fi
}

write_dockerfile() {
  cat > build/Dockerfile.generated <<EOF
FROM debian:bookworm-slim
RUN cargo build --release
EOF
}

case "$TARGET" in
  cargo|rustc) log "odd target name: $TARGET" ;;
  *-linux-*) ;;
esac

ensure_toolchain
fetch_sources
write_dockerfile
log "building for $TARGET (cargo build --release)"
(cd "$SDK_CORE_DIR" && env CARGO_TARGET_DIR=target cargo build --release --target "$TARGET")
bash -c "cd $SDK_CORE_DIR && cargo test -p temporal-sdk-core-c-bridge"
echo 'done: cargo build finished' | tee -a build.log
