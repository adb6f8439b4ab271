// The typed API of temporal-libs for Bun and Node build scripts. Each function
// runs the temporal-libs executable (the platform package's, or
// TEMPORAL_LIBS_BINARY) with --json, reads the one JSON document it prints, and
// turns a failure into a thrown TemporalLibsError.
//
//   import { download } from "temporal-libs";
//   const { libDir } = await download({ version: "v1.0.2" });

import { spawn } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const binary = require("./lib/binary.cjs");

/** The exit codes of temporal-libs and the error kinds they stand for. */
export const EXIT_CODES = Object.freeze({
  internal: 1,
  usage: 2,
  not_found: 3,
  network: 4,
  integrity: 5,
  filesystem: 6,
  found: 7,
  build: 8,
});

const KIND_OF_CODE = Object.fromEntries(Object.entries(EXIT_CODES).map(([k, v]) => [v, k]));

/** A failed temporal-libs run: `kind` and `exitCode` as the tool reports them. */
export class TemporalLibsError extends Error {
  constructor(message, { kind, exitCode, stderr = "", args = [] } = {}) {
    super(message);
    this.name = "TemporalLibsError";
    this.kind = kind;
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.args = args;
  }
}

/** The path of the temporal-libs executable the API and the command run. */
export function binaryPath() {
  try {
    return binary.binaryPath();
  } catch (e) {
    throw new TemporalLibsError(e.message, {
      kind: e.code === "unsupported_platform" ? "usage" : "not_found",
      exitCode: e.code === "unsupported_platform" ? EXIT_CODES.usage : EXIT_CODES.not_found,
    });
  }
}

// Options shared by every command, as flags. Unknown keys are refused so that a
// typo does not silently fetch something else.
const COMMON = {
  version: "--version",
  platform: "--platform",
  cacheDir: "--cache-dir",
  verify: "--verify",
};
const NETWORK = {
  offline: "--offline",
  repo: "--repo",
  apiUrl: "--api-url",
  source: "--source",
  allowHttp: "--allow-http",
  retries: "--retries",
  retryMaxTime: "--retry-max-time",
  maxWait: "--max-wait",
  connectTimeout: "--connect-timeout",
  stallTimeout: "--stall-timeout",
};
const RUN = new Set(["binary", "cwd", "env", "signal", "log"]);

function toArgs(options, allowed, command) {
  const args = [];
  for (const [key, value] of Object.entries(options)) {
    if (RUN.has(key) || value === undefined || value === null || value === false) continue;
    const flag = allowed[key];
    if (!flag) {
      throw new TypeError(`temporal-libs ${command}: unknown option '${key}'`);
    }
    if (value === true) {
      args.push(flag);
    } else if (typeof value === "string" || typeof value === "number") {
      args.push(flag, String(value));
    } else {
      throw new TypeError(`temporal-libs ${command}: option '${key}' must be a string, number or boolean`);
    }
  }
  return args;
}

function onePlatform(options, command) {
  const p = options.platform;
  if (typeof p === "string" && (p === "all" || p.includes(","))) {
    throw new TypeError(
      `temporal-libs ${command}: one platform per call ('${p}' names several); call it once per platform`,
    );
  }
}

// The JSON document on stdout, or undefined when there is none.
function parseDocument(stdout) {
  const text = stdout.trim();
  if (!text.startsWith("{")) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // Several documents or a truncated one: take the last complete line that parses.
    const lines = text.split("\n");
    for (let i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].startsWith("{")) continue;
      try {
        return JSON.parse(lines.slice(i).join("\n"));
      } catch {
        // keep looking
      }
    }
    return undefined;
  }
}

// The tool's error line on stderr ("temporal-libs: error: MESSAGE"), colour removed.
function stderrMessage(stderr) {
  // eslint-disable-next-line no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  const lines = plain.split("\n").filter((l) => l.trim() !== "");
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /^(?:temporal-libs: )?error: (.*)$/.exec(lines[i]);
    if (m) return m[1];
  }
  return lines.length ? lines[lines.length - 1].replace(/^temporal-libs: /, "") : "";
}

function run(args, options) {
  const file = options.binary || binaryPath();
  const env = { ...process.env, NO_COLOR: "1", ...(options.env || {}) };
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        signal: options.signal,
      });
    } catch (e) {
      reject(e);
      return;
    }
    const out = [];
    const err = [];
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => {
      err.push(d);
      if (options.log) process.stderr.write(d);
    });
    child.on("error", (e) => {
      if (e.name === "AbortError") {
        reject(e);
        return;
      }
      reject(
        new TemporalLibsError(`cannot run '${file}': ${e.message}`, {
          kind: "internal",
          exitCode: e.code === "ENOENT" ? 127 : 126,
          args,
        }),
      );
    });
    child.on("close", (code, signal) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      const doc = parseDocument(stdout);
      if (code === 0 && doc && !doc.error) {
        resolve({ doc, stdout });
        return;
      }
      if (code === 0 && !doc) {
        resolve({ doc: undefined, stdout });
        return;
      }
      if (signal) {
        reject(
          new TemporalLibsError(`temporal-libs was stopped by ${signal}`, {
            kind: "internal",
            exitCode: null,
            stderr,
            args,
          }),
        );
        return;
      }
      const e = doc && doc.error && typeof doc.error === "object" ? doc.error : {};
      const exitCode = typeof e.exit_code === "number" ? e.exit_code : code;
      reject(
        new TemporalLibsError(
          e.message || stderrMessage(stderr) || `temporal-libs exited with code ${code}`,
          { kind: e.kind || KIND_OF_CODE[code] || "internal", exitCode, stderr, args },
        ),
      );
    });
  });
}

/**
 * Downloads (or finds in the cache) one platform's libraries; resolves to
 * { tag, version, platform, libDir, libraries, fromCache, archive, archiveSha256, source }.
 */
export async function download(options = {}) {
  onePlatform(options, "download");
  const args = [
    "download",
    "--json",
    ...toArgs(options, { ...COMMON, ...NETWORK, locked: "--locked", force: "--force" }, "download"),
  ];
  const { doc } = await run(args, options);
  if (!doc || typeof doc.directory !== "string") {
    throw new TemporalLibsError("temporal-libs download --json printed no result", {
      kind: "internal",
      exitCode: 0,
      args,
    });
  }
  return {
    tag: doc.tag,
    version: doc.version,
    platform: doc.platform,
    libDir: doc.directory,
    libraries: doc.libraries || [],
    fromCache: Boolean(doc.from_cache),
    archive: doc.archive,
    archiveSha256: doc.archive_sha256,
    source: doc.source,
  };
}

/**
 * The compiler and linker flags for the libraries (downloaded first if they are
 * not cached); resolves to { tag, platform, libDir, includeDir, libraries,
 * nativeArgs, nativeArgsOrigin, cflags, libs }.
 */
export async function flags(options = {}) {
  onePlatform(options, "flags");
  const args = ["flags", "--json", ...toArgs(options, { ...COMMON, ...NETWORK }, "flags")];
  const { doc } = await run(args, options);
  if (!doc || typeof doc.lib_dir !== "string") {
    throw new TemporalLibsError("temporal-libs flags --json printed no result", {
      kind: "internal",
      exitCode: 0,
      args,
    });
  }
  return {
    tag: doc.tag,
    platform: doc.platform,
    libDir: doc.lib_dir,
    includeDir: doc.include_dir,
    libraries: doc.libraries || [],
    nativeArgs: doc.native_args || [],
    nativeArgsOrigin: doc.native_args_origin,
    cflags: doc.cflags || "",
    libs: doc.libs || "",
  };
}

/**
 * The directory holding a cached version's libraries (no download; a
 * TemporalLibsError of kind "not_found" when it is not cached), or, with
 * neither version nor platform, the cache directory itself.
 */
export async function cachePath(options = {}) {
  onePlatform(options, "cachePath");
  const args = ["cache", "path", "--json", ...toArgs(options, COMMON, "cache path")];
  const { doc, stdout } = await run(args, options);
  // The tool prints the bare path; a JSON document is read too.
  const path = doc ? doc.path || doc.directory || doc.cache_dir : stdout.trim();
  if (typeof path !== "string" || path === "") {
    throw new TemporalLibsError("temporal-libs cache path printed no path", {
      kind: "internal",
      exitCode: 0,
      args,
    });
  }
  return path;
}
