# Cross-compiling for linux-arm64 on a Debian amd64 machine with Debian's
# aarch64 cross toolchain (g++-aarch64-linux-gnu) and the arm64 multiarch -dev
# packages in /usr/lib/aarch64-linux-gnu (dpkg --add-architecture arm64).
# Used by the portable-linux-arm64 preset (scripts/release-binaries.sh).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# Run target programs (there are none in the portable build) under qemu.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
