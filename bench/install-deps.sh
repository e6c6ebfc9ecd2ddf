#!/usr/bin/env bash
# Installs the Debian packages the benchmarks need, when they are missing:
#   wrk         -> the HTTP load generator of the http workload
#   util-linux  -> taskset, to pin the server and the load generator to different cores
# Needs root (or sudo) only when something is missing.
set -euo pipefail

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "dd-run bench: installing ${missing[*]} (Debian packages)" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "dd-run bench: need root or sudo to install ${missing[*]}; install them and run again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
