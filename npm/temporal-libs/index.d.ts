/** A platform name of temporal-libs (not npm's: macos, not darwin). */
export type Platform = "linux-x64" | "linux-arm64" | "macos-arm64" | "macos-x64";

/** The error kinds of temporal-libs, one per exit code. */
export type ErrorKind =
  | "internal"
  | "usage"
  | "not_found"
  | "network"
  | "integrity"
  | "filesystem"
  | "found"
  | "build";

export declare const EXIT_CODES: Readonly<Record<ErrorKind, number>>;

/** How the executable is run; accepted by every function. */
export interface RunOptions {
  /** The executable to run (default: TEMPORAL_LIBS_BINARY, else the platform package's). */
  binary?: string;
  /** Working directory: where temporal-libs.toml and a relative cache directory are found. */
  cwd?: string;
  /** Extra environment variables (TEMPORAL_LIBS_*, GITHUB_TOKEN, ...), over process.env. */
  env?: Record<string, string | undefined>;
  /** Aborting it kills the run; the promise rejects with an AbortError. */
  signal?: AbortSignal;
  /** Copy the tool's progress lines (stderr) to process.stderr as they come. */
  log?: boolean;
}

/** Which release, platform and cache (flags --version, --platform, --cache-dir, --verify). */
export interface CacheOptions extends RunOptions {
  /** v1.0.2, temporal-libs-v1.0.2 or latest (default: temporal-libs.toml, TEMPORAL_LIBS_VERSION). */
  version?: string;
  /** One platform (default: this host). */
  platform?: Platform;
  /** Cache directory (default: TEMPORAL_LIBS_CACHE_DIR, else .temporal-libs-cache in the project). */
  cacheDir?: string;
  /** Check of cached files: fast (size, inode, mtime) or full (SHA-256). */
  verify?: "fast" | "full";
}

/** Where releases come from (flags of the same names). */
export interface NetworkOptions extends CacheOptions {
  offline?: boolean;
  /** GitHub repository holding the releases, owner/name. */
  repo?: string;
  /** GitHub API base URL (GitHub Enterprise, tests). */
  apiUrl?: string;
  /** github, github:OWNER/NAME, https://HOST/PATH/, file:///DIR or oci://HOST/REPO. */
  source?: string;
  allowHttp?: boolean;
  retries?: number;
  retryMaxTime?: number;
  maxWait?: number;
  connectTimeout?: number;
  stallTimeout?: number;
}

export interface DownloadOptions extends NetworkOptions {
  /** Fail when temporal-libs.lock has no entry for the release. */
  locked?: boolean;
  /** Download and install again even when the cache is valid. */
  force?: boolean;
}

export interface DownloadResult {
  /** The release tag, e.g. temporal-libs-v1.0.2. */
  tag: string;
  /** The tag without its temporal-libs- prefix, e.g. v1.0.2. */
  version: string;
  platform: Platform;
  /** The directory holding the lib*.a files. */
  libDir: string;
  /** Absolute paths of the static libraries. */
  libraries: string[];
  /** True when the cache already had the entry (no download). */
  fromCache: boolean;
  archive: string;
  archiveSha256: string;
  /** Where it came from, e.g. github:proompteng/lab (or the cache's record of it). */
  source: string;
}

export interface FlagsResult {
  tag: string;
  platform: Platform;
  libDir: string;
  /** Empty when the release ships no headers. */
  includeDir: string;
  /** Library names, without lib and .a. */
  libraries: string[];
  /** The system libraries and options Rust static libraries need, e.g. -lpthread. */
  nativeArgs: string[];
  nativeArgsOrigin: string;
  /** -I<entry>/include, or empty. */
  cflags: string;
  /** -L<entry> -l<library>... and the native arguments. */
  libs: string;
}

/** A failed run: the tool's error object ({"error": {kind, exit_code, message}}). */
export declare class TemporalLibsError extends Error {
  readonly name: "TemporalLibsError";
  /** The tool's error kind ("internal" when it could not run or was killed). */
  readonly kind: ErrorKind;
  /** The tool's exit code (127/126 when it could not start, null when killed by a signal). */
  readonly exitCode: number | null;
  /** What the tool printed on stderr. */
  readonly stderr: string;
  /** The arguments it was run with. */
  readonly args: string[];
}

/** Downloads (or finds in the cache) one platform's libraries. */
export declare function download(options?: DownloadOptions): Promise<DownloadResult>;

/** Compiler and linker flags for the libraries; downloads them first if they are not cached. */
export declare function flags(options?: NetworkOptions): Promise<FlagsResult>;

/**
 * The directory of a cached version's libraries (never downloads; kind "not_found" when not
 * cached); with neither version nor platform, the cache directory itself.
 */
export declare function cachePath(options?: CacheOptions): Promise<string>;

/** The path of the executable (TEMPORAL_LIBS_BINARY or the platform package's). */
export declare function binaryPath(): string;
