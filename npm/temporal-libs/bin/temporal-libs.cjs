#!/usr/bin/env node
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
