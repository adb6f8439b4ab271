#!/bin/sh
':' /*
# This file is both a POSIX shell script and a CommonJS module.
#
# Run as the `temporal-libs` command (npm and Bun link it by its #! line), the
# shell reads it: it finds the platform package's executable the way Node's
# require.resolve would (node_modules of this package and of every folder
# above its real path) and exec()s it, so arguments, exit code, signals and
# standard streams are the executable's own and no JavaScript runtime starts:
# about a millisecond over the bare binary instead of Node's tens. Anything
# else (no binary found, a TEMPORAL_LIBS_BINARY that does not exist, an
# unsupported platform) is handed to the Node launcher below, which says what
# is wrong and what to do; `node` or `bun` running this file reads only that
# part, since to JavaScript the shell lines are one comment.
tl_self=$0
while [ -L "$tl_self" ]; do
  tl_link=$(readlink "$tl_self")
  case $tl_link in /*) tl_self=$tl_link ;; *) tl_self=${tl_self%/*}/$tl_link ;; esac
done
if [ -n "${TEMPORAL_LIBS_BINARY:-}" ]; then
  [ -f "$TEMPORAL_LIBS_BINARY" ] && [ -x "$TEMPORAL_LIBS_BINARY" ] && exec "$TEMPORAL_LIBS_BINARY" "$@"
else
  case "$(uname -s)" in Linux) tl_os=linux ;; Darwin) tl_os=darwin ;; *) tl_os= ;; esac
  case "$(uname -m)" in x86_64|amd64) tl_cpu=x64 ;; aarch64|arm64) tl_cpu=arm64 ;; *) tl_cpu= ;; esac
  if [ -n "$tl_os" ] && [ -n "$tl_cpu" ] && tl_dir=$(cd "${tl_self%/*}/.." 2>/dev/null && pwd -P); then
    while :; do
      case $tl_dir in
        *"/node_modules") ;;
        *) tl_bin=$tl_dir/node_modules/@temporal-libs/cli-$tl_os-$tl_cpu/bin/temporal-libs
           [ -f "$tl_bin" ] && [ -x "$tl_bin" ] && exec "$tl_bin" "$@" ;;
      esac
      [ -z "$tl_dir" ] || [ "$tl_dir" = / ] && break
      tl_dir=${tl_dir%/*}
    done
  fi
fi
if command -v node >/dev/null 2>&1; then exec node "$tl_self" "$@"; fi
if command -v bun >/dev/null 2>&1; then exec bun "$tl_self" "$@"; fi
echo "temporal-libs: error: no temporal-libs executable found for this platform, and no node or bun to say why; set TEMPORAL_LIBS_BINARY to a temporal-libs executable" >&2
exit 3
*/
"use strict";
// The `temporal-libs` command of the npm package: runs the native executable
// from the platform package (or TEMPORAL_LIBS_BINARY) with the same arguments,
// standard streams and environment, and ends the way it ended: the same exit
// code, or killed by the same signal. SIGINT, SIGTERM, SIGHUP and SIGQUIT sent
// to this process are passed on to the executable.

const { spawn } = require("node:child_process");
const os = require("node:os");
const { binaryPath } = require("../lib/binary.cjs");

function fail(message, code) {
  process.stderr.write(`temporal-libs: error: ${message}\n`);
  process.exit(code);
}

let file;
try {
  file = binaryPath();
} catch (e) {
  // Exit codes of the tool: 2 (usage: unsupported platform), 3 (not found).
  fail(e.message, e.code === "unsupported_platform" ? 2 : 3);
}

// The handlers go in before the child starts: a signal that comes while it
// starts is handled (forwarded) once this synchronous code is done, never by
// the default action, which would end this process and leave the child.
const FORWARDED = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
let child;
const forward = (signal) => {
  // On a terminal's Ctrl-C the child gets SIGINT from the terminal too; one
  // more is harmless: the tool stops on the first.
  if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const s of FORWARDED) process.on(s, forward);

child = spawn(file, process.argv.slice(2), { stdio: "inherit" });

child.on("error", (e) => {
  const why = e.code === "EACCES" ? "it is not executable" : e.message;
  fail(`cannot run '${file}': ${why}`, e.code === "ENOENT" ? 127 : 126);
});

child.on("exit", (code, signal) => {
  if (signal === null) {
    process.exit(code === null ? 1 : code);
  }
  // Die of the same signal, as a shell expects (Ctrl-C in a loop stops the
  // loop); if it is ignored or cannot be raised, exit 128 + its number.
  for (const s of FORWARDED) process.removeListener(s, forward);
  const number = os.constants.signals[signal] || 0;
  try {
    process.kill(process.pid, signal);
  } catch {
    // fall through to the exit below
  }
  setTimeout(() => process.exit(128 + number), 200);
});
