#!/usr/bin/env python3
"""Every place that installs temporal-libs' build dependencies names every
library CMakeLists.txt looks for: the Debian list (scripts/deps/build.txt), each
`brew install` of the workflows and of action.yml (which must also put the
keg-only formulae's prefixes on CMake's and pkg-config's paths), and the
Dockerfile (whose final stage installs no compiler and no -dev package).

    check_deps.py SOURCE_DIR

Prints one line per problem; exit 1 if any."""
import glob
import os
import re
import sys

import yaml

# What each find_package / pkg_check_modules module of CMakeLists.txt is called
# by Debian and by Homebrew (None: part of the C library or the system).
PACKAGES = {
    "PkgConfig": ("pkg-config", "pkg-config"),
    "CURL": ("libcurl4-openssl-dev", "curl"),
    "OpenSSL": ("libssl-dev", "openssl@3"),
    "LibArchive": ("libarchive-dev", "libarchive"),
    "nlohmann_json": ("nlohmann-json3-dev", "nlohmann-json"),
    "CLI11": ("libcli11-dev", "cli11"),
    "Threads": (None, None),
    "tomlplusplus": ("libtomlplusplus-dev", "tomlplusplus"),
    "zlib": ("zlib1g-dev", "zlib"),
    "libzstd": ("libzstd-dev", "zstd"),
    # Optional (TL_WITH_ISAL; gzip falls back to zlib): Debian only, as the
    # macOS builds do without it.
    "libisal": ("libisal-dev", None),
    "libsodium": ("libsodium-dev", "libsodium"),
}
# Homebrew installs these keg-only: CMake and pkg-config find them only
# through `brew --prefix FORMULA`.
KEG_ONLY = ["libarchive", "openssl@3"]
COMPILERS = ["build-essential", "gcc", "g++", "clang", "cmake", "ninja-build", "make", "cargo",
             "rustc"]


def cmake_modules(text):
    text = re.sub(r"#[^\n]*", "", text)
    found = set()
    for m in re.finditer(r"find_package\(\s*([A-Za-z0-9_]+)", text):
        found.add(m.group(1))
    for m in re.finditer(r"pkg_check_modules\(([^)]*)\)", text):
        words = m.group(1).split()[1:]  # the first word is the variable prefix
        for w in words:
            if w in ("REQUIRED", "QUIET", "IMPORTED_TARGET", "GLOBAL", "NO_CMAKE_PATH",
                     "NO_CMAKE_ENVIRONMENT_PATH"):
                continue
            found.add(re.split(r"[<>=]", w)[0])
    return found


def run_scripts(node):
    """Every `run:` script in a workflow or action document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                yield value
            else:
                yield from run_scripts(value)
    elif isinstance(node, list):
        for item in node:
            yield from run_scripts(item)


def main(root):
    problems = []
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        modules = cmake_modules(f.read())
    for m in sorted(modules - PACKAGES.keys()):
        problems.append(f"CMakeLists.txt looks for '{m}', which check_deps.py cannot map to "
                        "a Debian package and a Homebrew formula: add it to PACKAGES and to "
                        "every install list")
    for m in sorted(PACKAGES.keys() - modules):
        problems.append(f"check_deps.py maps '{m}', which CMakeLists.txt no longer looks for")
    debian = sorted({PACKAGES[m][0] for m in modules if m in PACKAGES and PACKAGES[m][0]})
    brew = sorted({PACKAGES[m][1] for m in modules if m in PACKAGES and PACKAGES[m][1]})

    with open(os.path.join(root, "scripts/deps/build.txt"), encoding="utf-8") as f:
        listed = {line.split("#")[0].strip() for line in f} - {""}
    for p in debian:
        if p not in listed:
            problems.append(f"scripts/deps/build.txt: missing {p}")

    files = sorted(glob.glob(os.path.join(root, ".github/workflows/*.yml")))
    files.append(os.path.join(root, "action.yml"))
    brew_lines = 0
    for path in files:
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        for script in run_scripts(doc):
            for line in script.splitlines():
                line = line.split("#")[0]
                m = re.search(r"\bbrew install\b(.*)", line)
                if not m:
                    continue
                brew_lines += 1
                formulae = set(m.group(1).split())
                for p in brew:
                    if p not in formulae:
                        problems.append(f"{rel}: 'brew install' lacks {p}: {line.strip()}")
                for keg in KEG_ONLY:
                    prefix = f"$(brew --prefix {keg})"
                    for var in ("CMAKE_PREFIX_PATH", "PKG_CONFIG_PATH"):
                        if not re.search(rf"{var}=[^\n]*{re.escape(prefix)}", script):
                            problems.append(f"{rel}: after 'brew install', {var} does not "
                                            f"include {prefix}")
    if brew_lines == 0:
        problems.append("no 'brew install' line found in the workflows or action.yml")

    with open(os.path.join(root, "Dockerfile"), encoding="utf-8") as f:
        docker = f.read()
    final = re.split(r"(?m)^FROM\s", docker)[-1]
    joined = re.sub(r"\\\n", " ", final)
    for m in re.finditer(r"apt-get install([^\n&;|]*)", joined):
        for word in m.group(1).split():
            if word.startswith("-"):
                continue
            if word.endswith("-dev") or word in COMPILERS:
                problems.append(f"Dockerfile: the final stage installs {word}")
    if "install-deps.sh" in final:
        problems.append("Dockerfile: the final stage installs the build dependencies")
    if re.search(r"(?m)^ENV[^\n]*TEMPORAL_LIBS_CACHE_DIR", docker):
        problems.append("Dockerfile: ENV TEMPORAL_LIBS_CACHE_DIR points the image at the build's "
                        "cache mount, which is empty in the image")

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
