"use strict";
// Where the temporal-libs executable is: TEMPORAL_LIBS_BINARY, else the
// platform package npm or Bun installed next to this one (an optional
// dependency selected by its os/cpu/libc fields). Shared by the bin launcher
// and the ES module API; kept small because it runs on every invocation.

const path = require("node:path");
const fs = require("node:fs");

const SCOPE = "@temporal-libs";

// npm's os-cpu names of the supported platforms, with the tool's own names.
const PLATFORMS = {
  "linux-x64": "linux-x64",
  "linux-arm64": "linux-arm64",
  "darwin-arm64": "macos-arm64",
  "darwin-x64": "macos-x64",
};

// Thrown when no binary can be found; `code` tells which case.
class BinaryNotFoundError extends Error {
  constructor(message, code, packageName) {
    super(message);
    this.name = "BinaryNotFoundError";
    this.code = code; // "unsupported_platform" | "package_missing" | "binary_missing" | "override_missing"
    this.packageName = packageName;
  }
}

function platformKey(platform = process.platform, arch = process.arch) {
  return `${platform}-${arch}`;
}

// "@temporal-libs/cli-linux-x64" for this host (or the given one).
function platformPackageName(platform, arch) {
  return `${SCOPE}/cli-${platformKey(platform, arch)}`;
}

function isMusl() {
  if (process.platform !== "linux") return false;
  try {
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === "string" ? JSON.parse(report) : report).header;
    if (header && header.glibcVersionRuntime) return false;
  } catch {
    // fall through to the file check
  }
  try {
    return fs.readdirSync("/lib").some((f) => f.startsWith("ld-musl-"));
  } catch {
    return false;
  }
}

function missingPackageMessage(name, key) {
  const lines = [
    `the platform package ${name} is not installed, so there is no temporal-libs binary for ${key}`,
    `it is an optional dependency of temporal-libs, installed only on ${key}; it is missing when:`,
    "  - optional dependencies were skipped (npm install --omit=optional or --no-optional,",
    "    bun install --omit=optional, yarn --ignore-optional): install again without that flag",
    "  - node_modules or the lock file came from another platform (copied, cached or",
    "    committed): delete node_modules and install again on this machine",
    "  - the registry or mirror in use does not have the package: make it proxy or",
    `    mirror ${name} too`,
  ];
  if (isMusl()) {
    lines.push(
      "  - this system uses musl libc and the package is built for glibc only: use a glibc",
      "    system or container, or set TEMPORAL_LIBS_BINARY",
    );
  }
  lines.push(
    `or set TEMPORAL_LIBS_BINARY to a temporal-libs executable, or run: npm install ${name}`,
  );
  return lines.join("\n");
}

// The executable's path; throws BinaryNotFoundError with a message that says
// what to do.
function binaryPath() {
  const override = process.env.TEMPORAL_LIBS_BINARY;
  if (override) {
    if (!fs.existsSync(override)) {
      throw new BinaryNotFoundError(
        `TEMPORAL_LIBS_BINARY is '${override}', which does not exist; point it at a temporal-libs executable or unset it`,
        "override_missing",
      );
    }
    return override;
  }
  const key = platformKey();
  const name = platformPackageName();
  if (!Object.prototype.hasOwnProperty.call(PLATFORMS, key)) {
    throw new BinaryNotFoundError(
      `temporal-libs has no binary for ${key} (supported: ${Object.keys(PLATFORMS).join(", ")}); ` +
        "build it from source and set TEMPORAL_LIBS_BINARY to it",
      "unsupported_platform",
      name,
    );
  }
  let manifest;
  try {
    manifest = require.resolve(`${name}/package.json`);
  } catch {
    throw new BinaryNotFoundError(missingPackageMessage(name, key), "package_missing", name);
  }
  const file = path.join(path.dirname(manifest), "bin", "temporal-libs");
  if (!fs.existsSync(file)) {
    throw new BinaryNotFoundError(
      `${name} is installed in '${path.dirname(manifest)}' but has no bin/temporal-libs; ` +
        "the package is damaged: delete node_modules and install again",
      "binary_missing",
      name,
    );
  }
  return file;
}

module.exports = { PLATFORMS, SCOPE, BinaryNotFoundError, binaryPath, platformPackageName };
