#!/usr/bin/env bash
# Installs the Debian packages whose commands are missing. Usage:
#   apt-install-missing.sh <who> <command-or-path>=<package> ...
# e.g. apt-install-missing.sh "dd-run tests" go=golang-go /usr/bin/chromium=chromium
# A check that starts with / is a file that must be executable; otherwise a command looked up on PATH.
# Needs root (or sudo) only when something is missing.
set -euo pipefail

who=$1
shift
missing=()
for pair in "$@"; do
  check=${pair%%=*}
  package=${pair#*=}
  if [[ $check == /* ]]; then [ -x "$check" ] && continue; else command -v "$check" >/dev/null 2>&1 && continue; fi
  missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "$who: installing ${missing[*]} (Debian packages)" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "$who: need root or sudo to install ${missing[*]}; install them and run again" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
