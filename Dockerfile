# syntax=docker/dockerfile:1.6
# An image with the temporal-libs tool and Temporal's prebuilt core static
# libraries for the image's platform in /opt/temporal-core/lib, for projects
# linking Temporal's core. Nothing is compiled: the tool is the prebuilt,
# stripped release binary, and the final stage holds no compiler and no -dev
# package (copy /opt/temporal-core into your build image, or add your
# toolchain on top). No Rust toolchain is installed; if the libraries cannot be
# downloaded the build stops at that step with the client's message.
#
#   DOCKER_BUILDKIT=1 docker build --build-arg TEMPORAL_LIBS_VERSION=v1.0.2 \
#       --secret id=github_token,env=GITHUB_TOKEN -t temporal-core .
#
# Where the tool comes from (build argument TEMPORAL_LIBS_CLI_FROM):
#   release (default)  install.sh fetches the temporal-libs-cli-v* release
#                      (TEMPORAL_LIBS_CLI_VERSION, default latest) and checks
#                      it against SHA256SUMS and its minisign signature
#   dist               the archive scripts/release-binaries.sh wrote into
#                      dist/cli/ of the build context (no network for the tool)
#
# The download cache lives in a BuildKit cache mount (/cache) during the
# build only, so rebuilding the image, or another image of the same version,
# makes no network request; the image keeps the libraries, not the cache.

ARG TEMPORAL_LIBS_CLI_FROM=release

# --- the tool from its GitHub release, verified by install.sh -----------------
FROM debian:12-slim AS tool-release
SHELL ["/bin/sh", "-eu", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl minisign \
 && rm -rf /var/lib/apt/lists/*
COPY install.sh /tmp/install.sh
ARG TEMPORAL_LIBS_CLI_VERSION=latest
ARG TEMPORAL_LIBS_REPO=proompteng/lab
RUN --mount=type=secret,id=github_token,required=false \
    if [ -s /run/secrets/github_token ]; then \
      GITHUB_TOKEN="$(cat /run/secrets/github_token)"; export GITHUB_TOKEN; \
    fi; \
    sh /tmp/install.sh --require-signature --version "$TEMPORAL_LIBS_CLI_VERSION" --prefix /out

# --- the tool from dist/cli in the build context ---------------------------------
FROM debian:12-slim AS tool-dist
SHELL ["/bin/sh", "-eu", "-c"]
COPY dist/cli/ /tmp/cli/
RUN cd /tmp/cli; \
    case "$(uname -m)" in x86_64) p=linux-x64 ;; aarch64) p=linux-arm64 ;; *) p=unknown ;; esac; \
    set -- temporal-libs-*-"$p".tar.gz; \
    if [ ! -f "$1" ]; then \
      echo "error: no dist/cli/temporal-libs-<version>-$p.tar.gz in the build context; run 'bash scripts/release-binaries.sh --platform $p' first, or build with TEMPORAL_LIBS_CLI_FROM=release" >&2; \
      exit 1; \
    fi; \
    if [ -f SHA256SUMS ]; then grep " $1\$" SHA256SUMS | sha256sum -c -; fi; \
    mkdir -p /out/bin x && tar -xzf "$1" -C x && cp x/*/temporal-libs /out/bin/temporal-libs

FROM tool-${TEMPORAL_LIBS_CLI_FROM} AS tool

# --- the image: the tool and the libraries, no compiler ----------------------------
FROM debian:12-slim
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=tool /out/bin/temporal-libs /usr/local/bin/temporal-libs
RUN temporal-libs --version

# The image must stay free of Rust and of compilers: refuse to continue if one crept in.
RUN for c in cargo rustc cc gcc g++ c++ clang; do \
      if command -v "$c"; then echo "error: $c is installed in the image; remove it" >&2; exit 1; fi; \
    done

ARG TEMPORAL_LIBS_VERSION=latest
ARG TEMPORAL_LIBS_REPO=proompteng/lab
ENV TEMPORAL_CORE_LIB_DIR=/opt/temporal-core/lib \
    USE_PREBUILT_LIBS=ON

# Download (or reuse from the cache mount), verify, and copy the libraries out
# of the mount into the image. The cache directory is set for this step only:
# the mount is empty in the finished image. A GitHub token is optional
# (secret github_token).
RUN --mount=type=cache,target=/cache \
    --mount=type=secret,id=github_token,required=false \
    if [ -s /run/secrets/github_token ]; then \
      GITHUB_TOKEN="$(cat /run/secrets/github_token)"; export GITHUB_TOKEN; \
    fi; \
    export TEMPORAL_LIBS_CACHE_DIR="${TEMPORAL_LIBS_CACHE_DIR:-/cache}"; \
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
