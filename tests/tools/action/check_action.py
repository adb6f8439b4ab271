#!/usr/bin/env python3
"""Structural check of a composite GitHub Action's action.yml (actionlint lints
workflows, not action metadata). Prints one line per problem; exit 1 if any."""
import re
import sys

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def main(path):
    problems = []
    with open(path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    if not isinstance(action, dict):
        print(f"{path}: not a mapping")
        return 1
    for key in ("name", "description", "runs"):
        if key not in action:
            problems.append(f"missing top-level key '{key}'")
    allowed = {"name", "description", "author", "inputs", "outputs", "runs", "branding"}
    for key in action:
        if key not in allowed:
            problems.append(f"unknown top-level key '{key}'")
    inputs = action.get("inputs") or {}
    for name, spec in inputs.items():
        if not isinstance(spec, dict) or "description" not in spec:
            problems.append(f"input '{name}' has no description")
    runs = action.get("runs") or {}
    if runs.get("using") != "composite":
        problems.append("runs.using must be 'composite'")
    steps = runs.get("steps") or []
    if not steps:
        problems.append("runs.steps is empty")
    ids = []
    for i, step in enumerate(steps):
        where = f"step {i + 1} ({step.get('name', step.get('id', '?'))})"
        if ("run" in step) == ("uses" in step):
            problems.append(f"{where}: needs exactly one of 'run' and 'uses'")
        if "run" in step and "shell" not in step:
            problems.append(f"{where}: a composite 'run' step needs 'shell'")
        if "run" in step and EXPR.search(step["run"]):
            problems.append(f"{where}: expression inside 'run' (pass it through 'env')")
        text = yaml.safe_dump(step)
        for expr in EXPR.findall(text):
            for m in re.finditer(r"\binputs\.([A-Za-z0-9_-]+)", expr):
                if m.group(1) not in inputs:
                    problems.append(f"{where}: unknown input '{m.group(1)}'")
            for m in re.finditer(r"\bsteps\.([A-Za-z0-9_-]+)\.", expr):
                if m.group(1) not in ids:
                    problems.append(f"{where}: step '{m.group(1)}' is not defined before it")
        if "id" in step:
            ids.append(step["id"])
    for name, spec in (action.get("outputs") or {}).items():
        value = (spec or {}).get("value", "")
        for expr in EXPR.findall(str(value)):
            for m in re.finditer(r"\bsteps\.([A-Za-z0-9_-]+)\.", expr):
                if m.group(1) not in ids:
                    problems.append(f"output '{name}': unknown step '{m.group(1)}'")
    for p in problems:
        print(f"{path}: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
