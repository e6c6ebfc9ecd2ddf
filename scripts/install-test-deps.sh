#!/usr/bin/env bash
# Installs the Debian packages the tests read profiles and pages with, when they are missing:
#   golang-go  -> `go tool pprof`, the independent reader of every profile the tests produce
#   chromium   -> the headless browser that opens the HTML report
#   openssl    -> makes the self-signed certificate of the https agent test
# Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "dd-run tests: installing ${missing[*]} (Debian packages)" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "dd-run tests: need root or sudo to install ${missing[*]}; install them and run again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
