FROM ubuntu:24.04

ENV RUSTUP_HOME=/usr/local/rustup \
    CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:$PATH

RUN apt-get update && apt-get install -y curl build-essential git

# Install the Rust toolchain (this comment mentions rustup and cargo build).
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
    && rustup target add aarch64-unknown-linux-gnu

RUN git clone --depth 1 https://github.com/temporalio/sdk-core.git /opt/sdk-core

WORKDIR /opt/sdk-core
RUN RUSTFLAGS="-C target-cpu=native" \
    cargo rustc -p temporal-sdk-core-c-bridge --crate-type staticlib --release

CMD ["cargo", "run", "--bin", "worker"]
