# syntax=docker/dockerfile:1.6
# A consumer image for projects linking Temporal's core: a C/C++ toolchain,
# CMake and the temporal-libs tool, with the prebuilt static libraries for the
# image's platform in /opt/temporal-core/lib. No Rust toolchain is installed
# and nothing is compiled with cargo; if the libraries cannot be downloaded the
# build stops at that step with the client's message.
#
#   DOCKER_BUILDKIT=1 docker build --build-arg TEMPORAL_LIBS_VERSION=v1.0.2 \
#       --secret id=github_token,env=GITHUB_TOKEN -t temporal-consumer .
#
# The download cache lives in a BuildKit cache mount (/cache), so rebuilding
# the image, or another image of the same version, makes no network request.

FROM debian:12

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# Build dependencies from the same lists CI uses (scripts/deps/build.txt).
WORKDIR /src/temporal-libs
COPY scripts/install-deps.sh scripts/
COPY scripts/deps/ scripts/deps/
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*

# The tool and its CMake package, installed into /usr/local.
COPY CMakeLists.txt CMakePresets.json ./
COPY cmake/ cmake/
COPY src/ src/
RUN cmake --preset default -DTL_BUILD_TESTS=OFF -DTL_BUILD_BENCH=OFF \
 && cmake --build build -j "$(nproc)" \
 && cmake --install build --prefix /usr/local \
 && rm -rf build

# The image must stay free of Rust: refuse to continue if a toolchain crept in.
RUN if command -v cargo || command -v rustc; then \
      echo "error: a Rust toolchain is installed in the consumer image; remove it" >&2; exit 1; \
    fi

ARG TEMPORAL_LIBS_VERSION=latest
ARG TEMPORAL_LIBS_REPO=proompteng/lab
ENV TEMPORAL_LIBS_CACHE_DIR=/cache \
    TEMPORAL_CORE_LIB_DIR=/opt/temporal-core/lib \
    USE_PREBUILT_LIBS=ON

# Download (or reuse from the cache mount), verify, and copy the libraries out
# of the mount into the image. A GitHub token is optional (secret github_token).
RUN --mount=type=cache,target=/cache \
    --mount=type=secret,id=github_token,required=false \
    if [ -s /run/secrets/github_token ]; then \
      GITHUB_TOKEN="$(cat /run/secrets/github_token)"; export GITHUB_TOKEN; \
    fi; \
    if ! temporal-libs download --version "$TEMPORAL_LIBS_VERSION" --repo "$TEMPORAL_LIBS_REPO"; then \
      echo "error: prebuilt Temporal core libraries $TEMPORAL_LIBS_VERSION from $TEMPORAL_LIBS_REPO" \
           "are unavailable (see the message above); this image does not build them from source:" \
           "check the version, or pass a token with --secret id=github_token" >&2; \
      exit 1; \
    fi; \
    dir="$(temporal-libs -q cache path --version "$TEMPORAL_LIBS_VERSION")"; \
    mkdir -p "$TEMPORAL_CORE_LIB_DIR" /opt/temporal-core/include; \
    cp "$dir"/lib*.a "$TEMPORAL_CORE_LIB_DIR"/; \
    if [ -d "$dir/include" ]; then cp -r "$dir/include" /opt/temporal-core/; fi; \
    ls -l "$TEMPORAL_CORE_LIB_DIR"

ENV TEMPORAL_CORE_INCLUDE_DIR=/opt/temporal-core/include
WORKDIR /app
