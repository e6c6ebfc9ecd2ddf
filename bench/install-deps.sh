#!/usr/bin/env bash
# The Debian packages the benchmarks need, installed when missing:
#   wrk         -> the HTTP load generator of the http workload
#   util-linux  -> taskset, to pin the server and the load generator to different cores
# and, from the npm registry, what the Node 24 variants run (bench/lib/variants.ts): the Node binaries of
# scripts/node-versions.txt, and dd-trace-js 6.x (Node >= 22), kept apart from the 5.x devDependency in
# .cache/bench/dd-trace-6 (pinned; cached between runs).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/install-node-versions.sh"
dest="$root/.cache/bench/dd-trace-6"
if [ ! -f "$dest/node_modules/dd-trace/package.json" ]; then
  echo "dd-run bench: installing dd-trace@6.21.0 into .cache/bench/dd-trace-6" >&2
  mkdir -p "$dest"
  [ -f "$dest/package.json" ] || echo '{"private":true}' > "$dest/package.json"
  (cd "$dest" && npm install dd-trace@6.21.0 --no-package-lock --no-audit --no-fund --silent)
fi
exec bash "$root/scripts/apt-install-missing.sh" "dd-run bench" wrk=wrk taskset=util-linux
