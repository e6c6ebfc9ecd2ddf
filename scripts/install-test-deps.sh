#!/usr/bin/env bash
# The Debian packages the tests need, installed when missing:
#   golang-go  -> `go tool pprof`, the independent reader of every profile the tests produce
#   chromium   -> the headless browser that opens the HTML report
#   openssl    -> makes the self-signed certificate of the https agent test
# and, from the npm registry with their lock file, the transpilers and test runners the source-map tests profile
# (jest with babel-jest and ts-jest, ts-node, @swc-node/register): test/fixtures/transpilers, installed again when
# its package-lock.json changes.
set -euo pipefail
fixture="$(cd "$(dirname "$0")/.." && pwd)/test/fixtures/transpilers"
if ! cmp -s "$fixture/package-lock.json" "$fixture/node_modules/.installed-lock.json"; then
  echo "dd-run tests: installing test/fixtures/transpilers (npm ci)" >&2
  (cd "$fixture" && npm ci --no-audit --no-fund --silent && cp package-lock.json node_modules/.installed-lock.json)
fi
exec bash "$(dirname "$0")/apt-install-missing.sh" "dd-run tests" go=golang-go /usr/bin/chromium=chromium openssl=openssl
