#!/usr/bin/env python3
"""Builds the bridge for the Python wheel.

The docstring mentions cargo build, which runs nothing.
"""
import os
import subprocess

# subprocess.run(["cargo", "clean"]) was dropped
print("cargo build is next")
os.system("rustup target add x86_64-unknown-linux-musl")
subprocess.run(["cargo", "build", "--release", "-p", "temporal-sdk-core-c-bridge"], check=True)
subprocess.check_call('cargo test --workspace && cargo doc', shell=True)
out = subprocess.check_output(["git", "rev-parse", "HEAD"])
